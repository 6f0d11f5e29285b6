"""Saving and deleting posts: render at save time, keep slugs unique per blog,
and bump the blog's content_version whenever what readers see changes."""

import re
import unicodedata

from sqlalchemy import select

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Tenant
from inkwell.platform.core.rendering import RENDERER_VERSION, render_markdown
from inkwell.platform.core.types import utcnow

SLUG_MAX = 200


def slugify(text: str) -> str:
    """ASCII `[a-z0-9-]` form of `text`; 'post' when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or "post"


def unique_slug(base: str, exclude_id: int | None = None) -> str:
    """`base`, or `base-2`, `base-3`... whichever no other post of the current blog has."""
    taken = set(
        db.session.scalars(
            select(Post.slug).where(Post.slug.startswith(base), Post.id != (exclude_id or 0))
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def save_post(post: Post, tenant: Tenant, *, title: str, body_md: str, status: str) -> None:
    """Apply an edit to `post` (new or existing) in the session; the caller commits."""
    was_public = post.status == "published"
    post.tenant_id = tenant.id
    post.title = title
    post.slug = post.slug or unique_slug(slugify(title))
    if post.body_md != body_md or post.renderer_version != RENDERER_VERSION:
        post.body_md = body_md
        post.body_html = render_markdown(body_md)
        post.renderer_version = RENDERER_VERSION
    post.status = status
    if status == "published" and post.published_at is None:
        post.published_at = utcnow()
    db.session.add(post)
    if was_public or status == "published":
        tenant.content_version += 1


def delete_post(post: Post, tenant: Tenant) -> None:
    if post.status == "published":
        tenant.content_version += 1
    db.session.delete(post)
