"""Saving and deleting posts: render at save time, keep slugs unique per blog,
and bump the blog's content_version whenever what readers see changes.

The current tenant (see `tenancy`) must be the post's blog.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from typing import TypeVar

from sqlalchemy import Select, and_, delete, select, update
from sqlalchemy.exc import IntegrityError

from inkwell.platform.core import tenancy
from inkwell.platform.core.content import aliases, revisions, tags
from inkwell.platform.core.content.alias_paths import RESERVED_SLUGS
from inkwell.platform.core.content.aliases import SlugTaken
from inkwell.platform.core.content.changes import content_changed
from inkwell.platform.core.content.conflicts import check_base, compare_and_set
from inkwell.platform.core.content.rendering import RENDERER_VERSION, render_markdown
from inkwell.platform.core.content.search_text import config_for_blog
from inkwell.platform.core.content.slugs import first_free, slugify
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits.usage import stored_size
from inkwell.platform.core.models import Post, PostAlias, PostTag, Snippet, Tag, Tenant
from inkwell.platform.core.types import utcnow
from inkwell.platform.core.validation import strip_forbidden

SAVE_ATTEMPTS = 5

T = TypeVar("T")


class Keep(Enum):
    """A PostInput value that leaves the post's own as it is."""

    KEEP = "keep"


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
    # Draft: kept for when it is published (an import's date, a deleted post's).
    published_at: datetime | None = None
    # Old addresses to keep leading to the post (an import's); None: leave them as they are.
    old_slugs: tuple[str, ...] | None = None
    # Its cover image, an image of the blog's library (checked by the caller: the
    # editor's form); None: no cover; KEEP (restores, imports of a post's text): as it is.
    cover_media_id: int | Keep | None = Keep.KEEP
    # A page (Post.is_page) rather than a post; KEEP (restores, autosaves of old
    # editors): as it is.
    is_page: bool | Keep = Keep.KEEP
    # "Email this post" (Post.email_subscribers); KEEP (restores, imports, old editors): as it is.
    email_subscribers: bool | Keep = Keep.KEEP


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


def listed_posts() -> Select[tuple[Post]]:
    """Public posts that are not pages: what the index, tag pages, feeds and
    "recent posts" list."""
    return public_posts().where(Post.is_page.is_(False))


def tagged(query: Select[tuple[Post]], tag: Tag) -> Select[tuple[Post]]:
    """`query` narrowed to the posts carrying `tag`."""
    link = and_(PostTag.tenant_id == Post.tenant_id, PostTag.post_id == Post.id)
    return query.join(PostTag, link).where(PostTag.tag_id == tag.id)


@compare_and_set
def save_post(
    post: Post,
    tenant: Tenant,
    data: PostInput,
    charge: Callable[[int], None] | None = None,
    base_revision: int | None = None,
    *,
    actor: revisions.Actor,
    kind: str = "save",
) -> None:
    """Apply `data` to `post` (new or existing) in the session, keeping a revision
    of the result by `actor`; the caller commits.

    `kind` names the change ("save", "autosave", "import", "restore"); a save that
    takes a post live is recorded as "publish". `charge(bytes added)`, the post's
    and its revisions', runs once the size is known and before anything changes,
    so a quota it raises leaves the post and the session as they were.
    `base_revision`, the revision the writer started from: if the post has moved on
    since, or moves on while this save runs, `conflicts.EditConflict` and nothing
    is written (the caller rolls back).
    A slug the writer asked for that is taken raises SlugTaken, and tags over the
    limits tags.TagError, before anything changes too.
    """
    check_base(post, base_revision)
    tag_names = tags.checked_names(data.tags)
    _check_slug(post, data.slug)
    was_public = post.status == "published"
    title, body, excerpt = (strip_forbidden(t) for t in (data.title, data.body_md, data.excerpt))
    rerender = post.body_md != body or post.renderer_version != RENDERER_VERSION
    html = render_markdown(body) if rerender else post.body_html
    # Queried before any change: an autoflush would make two UPDATEs.
    slug = data.slug or post.slug or unique_slug(slugify(title), exclude_id=post.id)
    status, published_at = _schedule(post, data)
    if kind == "save" and status != "draft" and post.status not in ("published", "scheduled"):
        kind = "publish"
    after = revisions.State(
        title.strip(), body, excerpt.strip(), tuple(tag_names), status, slug, published_at
    )
    if charge is not None:
        stored = stored_size(body, html) - stored_size(post.body_md, post.body_html)
        charge(stored + revisions.cost(post, after, actor, kind))
    revisions.record_baseline(post)
    cover = post.cover_media_id if data.cover_media_id is Keep.KEEP else data.cover_media_id
    is_page = post.is_page if data.is_page is Keep.KEEP else data.is_page
    shown = (post.title, post.body_md, post.excerpt, post.cover_media_id, bool(post.is_page))
    changed = shown != (title, body, excerpt, cover, is_page) or _tag_keys(post.tags) != _tag_keys(
        tag_names
    )
    post.tenant_id = tenant.id
    _set_slug(post, slug)
    post.title, post.excerpt, post.cover_media_id = after.title, after.excerpt, cover
    post.is_page = bool(is_page)
    if data.email_subscribers is not Keep.KEEP:
        post.email_subscribers = data.email_subscribers
    post.search_config = config_for_blog(tenant)  # the words of the blog's language
    post.status, post.published_at = status, published_at
    if rerender:
        post.body_md, post.body_html, post.renderer_version = body, html, RENDERER_VERSION
    if changed or post.content_updated_at is None:
        post.content_updated_at = utcnow()
    db.session.add(post)
    db.session.flush()
    tags.set_post_tags(post, tag_names)
    revisions.record(post, actor, kind)
    if was_public or post.status == "published":
        content_changed(tenant, "posts", (post.id,))


def _schedule(post: Post, data: PostInput) -> tuple[str, datetime | None]:
    """The status and publish time `data` gives the post."""
    now = utcnow()
    if data.status == "scheduled" and data.published_at and data.published_at > now:
        return "scheduled", data.published_at
    if data.status in ("published", "scheduled"):
        # A schedule in the past means "now".
        return "published", min(data.published_at or post.published_at or now, now)
    # A draft keeps the time it is given (an import's, a deleted post's) for its publish.
    return "draft", data.published_at or post.published_at


def _check_slug(post: Post, wanted: str) -> None:
    """SlugTaken when the writer asked for a slug the post cannot have."""
    if wanted and wanted != post.slug and (problem := aliases.slug_problem(wanted, post.id)):
        raise SlugTaken(problem)


def _set_slug(post: Post, slug: str) -> None:
    """`slug`: the one asked for (checked), else the post's own, else one made from
    the title, suffixed when taken (the editor says so)."""
    if post.slug and slug != post.slug:
        aliases.move_post(post, slug)
    else:
        post.slug = slug


def _tag_keys(names: list[Tag] | list[str]) -> list[str]:
    return sorted(tags.tag_key(t if isinstance(t, str) else t.name) for t in names)


def publish_due(now: datetime | None = None) -> int:
    """Publish the scheduled posts whose time has come, bumping their blogs' versions
    and keeping a "scheduler" revision of each; how many went live. A late or
    repeated call publishes each post once: the UPDATE only takes rows still
    scheduled, and a blog is bumped only if it took some."""
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
                _record_went_live(tenant_id, went_live)
                content_changed(tenant_id, "posts", tuple(went_live))
            published += len(went_live)
            db.session.commit()
    return published


def _record_went_live(tenant_id: int, post_ids: Sequence[int]) -> None:
    query = select(Post).where(Post.tenant_id == tenant_id, Post.id.in_(post_ids))
    for post in db.session.scalars(query):
        # A post from before history began was scheduled until this UPDATE.
        revisions.record_baseline(post, replace(revisions.state_of(post), status="scheduled"))
        revisions.record(post, revisions.SCHEDULER, "scheduler")


@compare_and_set
def delete_post(post: Post, tenant: Tenant, *, actor: revisions.Actor) -> None:
    """Delete the post, keeping its revisions for the blog's delete grace period
    (an owner can bring it back meanwhile); the caller commits. A save that lands
    meanwhile wins: `conflicts.EditConflict`, and nothing is deleted."""
    if post.status == "published":
        content_changed(tenant, "posts", (post.id,))
    revisions.record_delete(post, actor)
    db.session.execute(delete(PostTag).where(PostTag.post_id == post.id))
    db.session.execute(delete(PostAlias).where(PostAlias.post_id == post.id))
    db.session.delete(post)
    db.session.flush()  # the compare-and-set on the post's revision


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


def changed_fields(post: Post, data: PostInput) -> list[str]:
    """What saving `data` (with the status it is to have) would change in `post`:
    some of "title", "body", "excerpt", "tags", "date", "status", "slug", "old addresses",
    "cover", "kind" (post or page); [] for nothing.

    Imports skip a file that changes nothing, so importing it again writes nothing
    and bumps no content_version, and preview the rest by these names. Dates count
    to the second: an older export, written to the second, changes no date.
    """
    title, body, excerpt = (strip_forbidden(t) for t in (data.title, data.body_md, data.excerpt))
    # Tags by identity: an existing tag keeps its name, whatever case the input uses.
    tag_keys = _tag_keys(tags.distinct_names(data.tags))
    date = data.published_at
    fields = {
        "title": post.title != title.strip(),
        "body": post.body_md != body,
        "excerpt": post.excerpt != excerpt.strip(),
        "tags": _tag_keys(post.tags) != tag_keys,
        "date": date is not None and _to_second(post.published_at) != _to_second(date),
        "status": post.status != data.status,
        "slug": post.slug != (data.slug or post.slug),
        "old addresses": aliases.would_add(post, data.old_slugs),
        "cover": data.cover_media_id is not Keep.KEEP
        and post.cover_media_id != data.cover_media_id,
        "kind": data.is_page is not Keep.KEEP and bool(post.is_page) != data.is_page,
    }
    return [name for name, changed in fields.items() if changed]


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
        changed = rerender_post(post) or changed
        count += 1
    if changed:
        content_changed(tenant, "rendering")
    return count


def rerender_post(post: Post) -> bool:
    """Render the post's Markdown again (an image it shows changed); whether its
    HTML changed. The caller records the change and commits."""
    html = render_markdown(post.body_md)
    changed = html != post.body_html
    post.body_html, post.renderer_version = html, RENDERER_VERSION
    return changed
