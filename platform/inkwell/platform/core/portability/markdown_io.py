"""Import and export a blog's posts as a bundle of Markdown files (see `post_files`).

Import creates or updates posts by slug and skips files that change nothing;
a bad file is reported by name and never stops the others. A new post's slug
that is an old address of another post is such an error: the old address keeps
leading where it does until someone removes it in that post's editor. Export writes the
same format, so an export imports into another blog as the same posts.
"""

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from inkwell.platform.core import tenancy
from inkwell.platform.core.content.aliases import slug_problem
from inkwell.platform.core.content.posts import PostInput, save_post, unchanged_by
from inkwell.platform.core.content.snippets import UnknownLanguageError, save_snippet
from inkwell.platform.core.database import refresh_statistics
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits.quotas import Budget, QuotaExceeded
from inkwell.platform.core.models import Post, Snippet, Tenant
from inkwell.platform.core.portability.bundles import BundleFile, BundleFileError, open_bundle
from inkwell.platform.core.portability.post_files import (
    PostFileError,
    read_post_file,
    write_post_file,
)
from inkwell.platform.core.portability.snippet_files import (
    SnippetFileError,
    read_snippet_file,
    write_snippet_file,
)

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

    A quota stops the import at the first file that would exceed it: files
    before it stay imported (each post or snippet whole), it and every later
    file are reported as not imported, so running the import again once the
    limit allows finishes it (unchanged files are skipped).
    Raises bundles.BundleError when the bundle itself cannot be read.
    """
    report = ImportReport()
    with tenancy.tenant_scope(tenant.id), open_bundle(bundle) as files:
        run = _Import(tenant, author_id, report)
        stopped, pending = "", 0
        for file in files:
            if stopped:
                report.errors.append((file.name, f"not imported: {stopped}"))
                continue
            try:
                pending += run.file(file)
            except QuotaExceeded as refused:
                stopped = str(refused)
                report.errors.append((file.name, stopped))
            if pending >= BATCH_SIZE:
                db.session.commit()
                pending = 0
        db.session.commit()
    if report.created + report.updated >= BATCH_SIZE:
        refresh_statistics()
    return report


class _Import:
    """One import's state: the blog's posts and snippets by slug, which file set
    each slug, and the quota budget the import draws on."""

    def __init__(self, tenant: Tenant, author_id: int | None, report: ImportReport) -> None:
        self.tenant, self.author_id, self.report = tenant, author_id, report
        self.posts = {
            p.slug: p for p in db.session.scalars(select(Post).options(selectinload(Post.tags)))
        }
        self.snippets = {s.slug: s for s in db.session.scalars(select(Snippet))}
        self.sources: dict[str, str] = {}  # slug -> the file that set it
        self.budget = Budget(tenant.id)

    def file(self, file: BundleFile) -> bool:
        """Import one file; whether anything was written. QuotaExceeded before writing."""
        if file.name.startswith(SNIPPETS_DIR):
            return _import_snippet(self.snippets, file, self.tenant, self.report, self.budget)
        try:
            data = read_post_file(file.name, file.read())
        except (BundleFileError, PostFileError) as error:
            self.report.errors.append((file.name, str(error)))
            return False
        if (source := self.sources.setdefault(data.slug, file.name)) != file.name:
            self.report.errors.append((file.name, f"slug {data.slug!r} is also set by {source}"))
            return False
        if data.slug not in self.posts and (problem := slug_problem(data.slug, None)):
            self.report.errors.append((file.name, f"not imported: {problem}"))
            return False
        return self.post(data)

    def post(self, data: PostInput) -> bool:
        """Create, update or skip the post with data.slug; whether anything was written."""
        post = self.posts.get(data.slug)
        if post is not None and unchanged_by(post, data):
            self.report.skipped += 1
            return False
        if post is None:
            self.budget.add("posts")
        saved = post or Post(author_id=self.author_id)
        save_post(saved, self.tenant, data, self.budget.store)
        if saved.status == "draft" and data.published_at:
            # save_post leaves a draft's date alone: keep the publish time it was exported with.
            saved.published_at = data.published_at
        if post is None:
            self.report.created += 1
        else:
            self.report.updated += 1
        return True


def _import_snippet(
    existing: dict[str, Snippet],
    file: BundleFile,
    tenant: Tenant,
    report: ImportReport,
    budget: Budget,
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
        if snippet is None:
            budget.add("snippets")
        save_snippet(snippet or Snippet(), tenant, data, budget.store)
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
