"""Helpers for static-mirror tests: publish a blog, read a mirror back, check
that every link in it resolves inside it."""

import re
from html.parser import HTMLParser
from pathlib import Path
from posixpath import dirname, join, normpath
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask

ENTRY = "index.html"


def publish(app: Flask, blog_id: int, full: bool = False, force: bool = False) -> list[Any]:
    """Request and run publishes of the blog, as `inkwell publish` does; the runs."""
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.publishing import mirrors
    from inkwell.workers.publish import run_requested

    with app.app_context():
        mirrors.request_publish(blog_id, full=full, force=force)
        db.session.commit()
        return run_requested(blog_id)


def edit_post(app: Flask, blog_id: int, post_id: int, **changes: Any) -> None:
    """Save the post again with `changes` (title, body_md, tags, ...), as the editor does."""
    from inkwell.platform.core import tenancy
    from inkwell.platform.core.content.posts import PostInput, save_post
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Post, Tenant

    with app.app_context(), tenancy.tenant_scope(blog_id):
        post = db.session.get_one(Post, post_id)
        data = {
            "title": post.title,
            "body_md": post.body_md,
            "status": post.status,
            "slug": post.slug,
            "tags": [tag.name for tag in post.tags],
            "excerpt": post.excerpt,
        }
        save_post(post, db.session.get_one(Tenant, blog_id), PostInput(**{**data, **changes}))
        db.session.commit()


def read_folder(root: Path) -> dict[str, bytes]:
    """Every file under `root`, by its path relative to it."""
    files = (p for p in root.rglob("*") if p.is_file())
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def broken_links(files: dict[str, bytes]) -> list[str]:
    """Links (and assets) in the mirror's HTML that point nowhere inside it:
    `page -> link` for each. Absolute links to other sites are not ours to check."""
    broken = []
    for path, body in files.items():
        if not path.endswith(".html"):
            continue
        parser = _Links()
        parser.feed(body.decode())
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("#"):
                continue
            target = normpath(join(dirname(path), unquote(parts.path)))
            if parts.path.endswith("/") or target == ".":
                target = join(target, ENTRY)
            if target not in files:
                broken.append(f"{path} -> {link}")
    return broken


def stylesheets(page: bytes) -> list[str]:
    return re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.decode())


def post_id(app: Flask, blog_id: int, slug: str) -> int:
    from sqlalchemy import select

    from inkwell.platform.core import tenancy
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Post

    with app.app_context(), tenancy.tenant_scope(blog_id):
        return db.session.scalars(select(Post.id).where(Post.slug == slug)).one()
