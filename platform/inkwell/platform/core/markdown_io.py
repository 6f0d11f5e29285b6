"""Import and export a blog's posts as a bundle of Markdown files (see `post_files`).

Import creates or updates posts by slug and skips files that change nothing;
a bad file is reported by name and never stops the others. Export writes the
same format, so an export imports into another blog as the same posts.
"""

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from inkwell.platform.core import tenancy
from inkwell.platform.core.bundles import BundleFile, BundleFileError, open_bundle
from inkwell.platform.core.database import refresh_statistics
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Snippet, Tenant
from inkwell.platform.core.post_files import PostFileError, read_post_file, write_post_file
from inkwell.platform.core.posts import PostInput, save_post, unchanged_by
from inkwell.platform.core.snippet_files import (
    SnippetFileError,
    read_snippet_file,
    write_snippet_file,
)
from inkwell.platform.core.snippets import UnknownLanguageError, save_snippet

POSTS_DIR = "posts/"
SNIPPETS_DIR = "snippets/"
# Commit every so many written posts: one commit per post makes a large import slow,
# one for all holds every row of it in a single transaction.
BATCH_SIZE = 200


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file name, message)


def import_markdown(tenant: Tenant, author_id: int | None, bundle: Path) -> ImportReport:
    """Import the posts of the folder or zip `bundle` into `tenant`, new ones by `author_id`.

    Raises bundles.BundleError when the bundle itself cannot be read.
    """
    report = ImportReport()
    with tenancy.tenant_scope(tenant.id), open_bundle(bundle) as files:
        existing = {
            p.slug: p for p in db.session.scalars(select(Post).options(selectinload(Post.tags)))
        }
        snippets = {s.slug: s for s in db.session.scalars(select(Snippet))}
        sources: dict[str, str] = {}  # slug -> the file that set it
        pending = 0
        for file in files:
            if file.name.startswith(SNIPPETS_DIR):
                pending += _import_snippet(snippets, file, tenant, report)
                continue
            try:
                data = read_post_file(file.name, file.read())
            except (BundleFileError, PostFileError) as error:
                report.errors.append((file.name, str(error)))
                continue
            if (source := sources.setdefault(data.slug, file.name)) != file.name:
                report.errors.append((file.name, f"slug {data.slug!r} is also set by {source}"))
                continue
            pending += _import_post(existing, data, tenant, author_id, report)
            if pending >= BATCH_SIZE:
                db.session.commit()
                pending = 0
        db.session.commit()
    if report.created + report.updated >= BATCH_SIZE:
        refresh_statistics()
    return report


def _import_post(
    existing: dict[str, Post],
    data: PostInput,
    tenant: Tenant,
    author_id: int | None,
    report: ImportReport,
) -> bool:
    """Create, update or skip the post with data.slug; whether anything was written."""
    post = existing.get(data.slug)
    if post is not None and unchanged_by(post, data):
        report.skipped += 1
        return False
    if post is None:
        post = Post(author_id=author_id)
        report.created += 1
    else:
        report.updated += 1
    save_post(post, tenant, data)
    if post.status == "draft" and data.published_at:
        # save_post leaves a draft's date alone; keep the first publish time it was exported with.
        post.published_at = data.published_at
    return True


def _import_snippet(
    existing: dict[str, Snippet], file: BundleFile, tenant: Tenant, report: ImportReport
) -> bool:
    """Create, update or skip one exported snippet; whether anything was written."""
    try:
        data = read_snippet_file(file.name, file.read())
        snippet = existing.get(data.slug)
        if snippet and (snippet.title, snippet.code, snippet.language) == (
            data.title, data.code, data.language
        ):  # fmt: skip
            report.skipped += 1
            return False
        save_snippet(snippet or Snippet(), tenant, data)
    except (BundleFileError, SnippetFileError, UnknownLanguageError) as error:
        report.errors.append((file.name, str(error)))
        return False
    if snippet:
        report.updated += 1
    else:
        report.created += 1
    return True


def export_markdown(tenant: Tenant, fileobj: IO[bytes]) -> None:
    """Write the posts and snippets of `tenant` to `fileobj` as a zip of Markdown files."""
    with tenancy.tenant_scope(tenant.id), zipfile.ZipFile(fileobj, "w", zipfile.ZIP_DEFLATED) as zf:
        posts = select(Post).options(selectinload(Post.tags)).order_by(Post.slug)
        for post in db.session.scalars(posts):
            zf.writestr(f"{POSTS_DIR}{post.slug}.md", write_post_file(post))
        for snippet in db.session.scalars(select(Snippet).order_by(Snippet.slug)):
            zf.writestr(f"{SNIPPETS_DIR}{snippet.slug}.md", write_snippet_file(snippet))
