"""Saving and deleting posts: render at save time, keep slugs unique per blog,
and bump the blog's content_version whenever what readers see changes.

The current tenant (see `tenancy`) must be the post's blog.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Select, and_, delete, select, update
from sqlalchemy.exc import IntegrityError

from inkwell.platform.core import tenancy
from inkwell.platform.core.content import aliases, tags
from inkwell.platform.core.content.aliases import RESERVED_SLUGS, SlugTaken
from inkwell.platform.core.content.changes import content_changed
from inkwell.platform.core.content.rendering import RENDERER_VERSION, render_markdown
from inkwell.platform.core.content.slugs import first_free, slugify
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits.usage import stored_size
from inkwell.platform.core.models import Post, PostAlias, PostTag, Snippet, Tag, Tenant
from inkwell.platform.core.types import utcnow
from inkwell.platform.core.validation import strip_forbidden

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


def unique_slug(
    base: str, model: type[Post] | type[Snippet] = Post, exclude_id: int | None = None
) -> str:
    """`base`, or `base-2`, `base-3`... whichever no other row of `model` in the current blog
    has (and, for posts, no page of the blog uses and no post had before)."""
    query = select(model.slug).where(model.slug.startswith(base), model.id != (exclude_id or 0))
    taken = set(db.session.scalars(query))
    if model is Post:
        taken |= RESERVED_SLUGS | aliases.aliases_like(base)
    return first_free(base, taken)


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
    A slug the writer asked for that is taken raises SlugTaken, and tags over the
    limits tags.TagError, before anything changes too.
    """
    tag_names = tags.checked_names(data.tags)
    _check_slug(post, data.slug)
    was_public = post.status == "published"
    title, body, excerpt = (strip_forbidden(t) for t in (data.title, data.body_md, data.excerpt))
    rerender = post.body_md != body or post.renderer_version != RENDERER_VERSION
    html = render_markdown(body) if rerender else post.body_html
    if charge is not None:
        charge(stored_size(body, html) - stored_size(post.body_md, post.body_html))
    changed = (post.title, post.body_md, post.excerpt) != (title, body, excerpt) or _tag_keys(
        post.tags
    ) != _tag_keys(tag_names)
    post.tenant_id = tenant.id
    post.title, post.excerpt = title.strip(), excerpt.strip()
    _set_slug(post, data.slug, title)
    if rerender:
        post.body_md, post.body_html, post.renderer_version = body, html, RENDERER_VERSION
    _schedule(post, data)
    if changed or post.content_updated_at is None:
        post.content_updated_at = utcnow()
    db.session.add(post)
    db.session.flush()
    tags.set_post_tags(post, tag_names)
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
        post.status = "draft"


def _check_slug(post: Post, wanted: str) -> None:
    """SlugTaken when the writer asked for a slug the post cannot have."""
    if wanted and wanted != post.slug and (problem := aliases.slug_problem(wanted, post.id)):
        raise SlugTaken(problem)


def _set_slug(post: Post, wanted: str, title: str) -> None:
    """The slug asked for (checked), else the post's own, else one made from the
    title, suffixed when taken (the editor says so)."""
    if wanted and wanted != post.slug:
        aliases.move_post(post, wanted)
    elif not post.slug:
        post.slug = unique_slug(slugify(title), exclude_id=post.id)


def _tag_keys(names: list[Tag] | list[str]) -> list[str]:
    return sorted(tags.tag_key(t if isinstance(t, str) else t.name) for t in names)


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
    db.session.execute(delete(PostAlias).where(PostAlias.post_id == post.id))
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
    # Tags by identity: an existing tag keeps its name, whatever case the input uses.
    return (
        (post.title, post.body_md, post.excerpt) == (title.strip(), body, excerpt.strip())
        and (post.status, post.slug) == (data.status, data.slug or post.slug)
        and _tag_keys(post.tags) == _tag_keys(tags.distinct_names(data.tags))
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
