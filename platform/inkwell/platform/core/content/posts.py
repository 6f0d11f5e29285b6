"""Saving and deleting posts: render at save time, keep slugs unique per blog,
and bump the blog's content_version whenever what readers see changes.

The current tenant (see `tenancy`) must be the post's blog.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Select, and_, delete, select, update
from sqlalchemy.exc import IntegrityError

from inkwell.platform.core import tenancy
from inkwell.platform.core.content.changes import content_changed
from inkwell.platform.core.content.rendering import RENDERER_VERSION, render_markdown
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits.usage import stored_size
from inkwell.platform.core.models import Post, PostTag, Snippet, Tag, Tenant
from inkwell.platform.core.types import utcnow
from inkwell.platform.core.validation import strip_forbidden

SLUG_MAX = 200
MAX_TAGS = 20
SAVE_ATTEMPTS = 5

T = TypeVar("T")


@dataclass
class PostInput:
    """What a writer submits, from the editor or an import."""

    title: str
    body_md: str = ""
    status: str = "draft"  # draft | published | scheduled
    slug: str = ""  # empty: made from the title
    tags: list[str] = field(default_factory=list)
    excerpt: str = ""
    # Scheduled: when it goes live. Published: keeps the first publish time unless given.
    published_at: datetime | None = None


def slugify(text: str, limit: int = SLUG_MAX) -> str:
    """ASCII `[a-z0-9-]` form of `text`; 'post' when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "post"


# Paths of the public blog that a post at /<slug>/ would hide behind.
RESERVED_SLUGS = frozenset({"about", "assets", "page", "snippets", "tags"})


def unique_slug(
    base: str, model: type[Post] | type[Snippet] = Post, exclude_id: int | None = None
) -> str:
    """`base`, or `base-2`, `base-3`... whichever no other row of `model` in the current blog
    has (and, for posts, no page of the blog uses)."""
    query = select(model.slug).where(model.slug.startswith(base), model.id != (exclude_id or 0))
    taken = set(db.session.scalars(query)) | (RESERVED_SLUGS if model is Post else set())
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# Readers' order: newest first, ties broken by id, so pages (and mirrors) are stable.
NEWEST_FIRST = (Post.published_at.desc(), Post.id.desc())


def public_posts() -> Select[tuple[Post]]:
    """Posts readers may see: published, and not dated in the future."""
    return select(Post).where(Post.status == "published", Post.published_at <= utcnow())


def tagged(query: Select[tuple[Post]], tag: Tag) -> Select[tuple[Post]]:
    """`query` narrowed to the posts carrying `tag`."""
    link = and_(PostTag.tenant_id == Post.tenant_id, PostTag.post_id == Post.id)
    return query.join(PostTag, link).where(PostTag.tag_id == tag.id)


def save_post(
    post: Post, tenant: Tenant, data: PostInput, charge: Callable[[int], None] | None = None
) -> None:
    """Apply `data` to `post` (new or existing) in the session; the caller commits.

    `charge(bytes added)` runs once the size is known and before anything
    changes, so a quota it raises leaves the post and the session as they were.
    """
    was_public = post.status == "published"
    title, body, excerpt = (strip_forbidden(t) for t in (data.title, data.body_md, data.excerpt))
    rerender = post.body_md != body or post.renderer_version != RENDERER_VERSION
    html = render_markdown(body) if rerender else post.body_html
    if charge is not None:
        charge(stored_size(body, html) - stored_size(post.body_md, post.body_html))
    tag_names = _tag_names(data.tags)
    changed = (post.title, post.body_md, post.excerpt) != (title, body, excerpt) or sorted(
        t.name for t in post.tags
    ) != sorted(tag_names)
    post.tenant_id = tenant.id
    post.title, post.excerpt = title.strip(), excerpt.strip()
    post.slug = unique_slug(data.slug or post.slug or slugify(title), exclude_id=post.id)
    if rerender:
        post.body_md, post.body_html, post.renderer_version = body, html, RENDERER_VERSION
    _schedule(post, data)
    if changed or post.content_updated_at is None:
        post.content_updated_at = utcnow()
    db.session.add(post)
    db.session.flush()
    _set_tags(post, tag_names)
    if was_public or post.status == "published":
        content_changed(tenant, "posts", (post.id,))


def _schedule(post: Post, data: PostInput) -> None:
    now = utcnow()
    if data.status == "scheduled" and data.published_at and data.published_at > now:
        post.status, post.published_at = "scheduled", data.published_at
    elif data.status in ("published", "scheduled"):
        # A schedule in the past means "now".
        post.status = "published"
        post.published_at = min(data.published_at or post.published_at or now, now)
    else:
        # A draft keeps the date it is given (an exported draft's first publish time).
        post.status, post.published_at = "draft", data.published_at or post.published_at


def _tag_names(names: list[str]) -> list[str]:
    unique: dict[str, str] = {}
    for name in names:
        cleaned = " ".join(strip_forbidden(name).split())[:100]
        if cleaned:
            unique.setdefault(slugify(cleaned, 100), cleaned)
    return list(unique.values())[:MAX_TAGS]


def _set_tags(post: Post, names: list[str]) -> None:
    slugs = {slugify(name, 100): name for name in names}
    existing = {t.slug: t for t in db.session.scalars(select(Tag).where(Tag.slug.in_(slugs)))}
    for slug, name in slugs.items():
        if slug not in existing:
            existing[slug] = Tag(tenant_id=post.tenant_id, slug=slug, name=name)
            db.session.add(existing[slug])
    db.session.flush()
    db.session.execute(delete(PostTag).where(PostTag.post_id == post.id))
    for slug in slugs:
        db.session.add(PostTag(tenant_id=post.tenant_id, post_id=post.id, tag_id=existing[slug].id))
    db.session.flush()
    db.session.expire(post, ["tags"])


def publish_due(now: datetime | None = None) -> int:
    """Publish the scheduled posts whose time has come, bumping their blogs' versions;
    how many went live. A late or repeated call publishes each post once: the
    UPDATE only takes rows still scheduled, and a blog is bumped only if it took some."""
    now = now or utcnow()
    with tenancy.across_tenants():
        due = select(Post.tenant_id).where(Post.status == "scheduled", Post.published_at <= now)
        published = 0
        for tenant_id in db.session.scalars(due.distinct()).all():
            went_live = db.session.scalars(
                update(Post)
                .where(Post.tenant_id == tenant_id, Post.status == "scheduled")
                .where(Post.published_at <= now)
                .values(status="published")
                .returning(Post.id)
            ).all()
            if went_live:
                content_changed(tenant_id, "posts", tuple(went_live))
            published += len(went_live)
            db.session.commit()
    return published


def delete_post(post: Post, tenant: Tenant) -> None:
    if post.status == "published":
        content_changed(tenant, "posts", (post.id,))
    db.session.execute(delete(PostTag).where(PostTag.post_id == post.id))
    db.session.delete(post)


def commit_retrying(work: Callable[[], T]) -> T:
    """Run `work` and commit; on a unique-key race (slug, tag) roll back and run it again.

    `work` must load what it changes itself, since a rollback expires the session.
    """
    attempt = 1
    while True:
        try:
            result = work()  # flushes, so a conflict may surface here already
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if attempt == SAVE_ATTEMPTS:
                raise
            attempt += 1
        else:
            return result


def unchanged_by(post: Post, data: PostInput) -> bool:
    """Whether saving `data` (with the status it is to have) would leave `post` as it is.

    Imports skip those, so importing a file again writes nothing and bumps no
    content_version. Dates count to the second, the precision of an export.
    """
    title, body, excerpt = (strip_forbidden(t) for t in (data.title, data.body_md, data.excerpt))
    # Tags by slug: an existing tag keeps its name, whatever case the input uses.
    tag_slugs = sorted(slugify(name, 100) for name in _tag_names(data.tags))
    return (
        (post.title, post.body_md, post.excerpt) == (title.strip(), body, excerpt.strip())
        and (post.status, post.slug) == (data.status, data.slug or post.slug)
        and sorted(tag.slug for tag in post.tags) == tag_slugs
        and (
            data.published_at is None
            or _to_second(post.published_at) == _to_second(data.published_at)
        )
    )


def _to_second(moment: datetime | None) -> datetime | None:
    return moment.replace(microsecond=0) if moment else None


def rerender_posts(tenant: Tenant, force: bool = False) -> int:
    """Render again the current blog's posts stored by an older renderer (every post with
    `force`); bump content_version if any page changed. Returns how many; the caller commits."""
    query = select(Post)
    if not force:
        query = query.where(Post.renderer_version != RENDERER_VERSION)
    count, changed = 0, False
    for post in db.session.scalars(query):
        html = render_markdown(post.body_md)
        changed = changed or html != post.body_html
        post.body_html, post.renderer_version = html, RENDERER_VERSION
        count += 1
    if changed:
        content_changed(tenant, "rendering")
    return count
