"""Post revisions: what a post became at each change, who made it and how.

`posts.save_post` and `posts.delete_post` call this module, and `publish_due` for
the scheduler, so every way into a post (the editor, autosave, imports, restores,
the scheduler) leaves a revision naming its `Actor`:

- a change that leaves the post as its latest revision holds stores nothing;
- a post from before history began has no revision: its first change records
  the stored state first (kind "baseline"), so the text it replaces stays;
- autosaves coalesce: an autosave within AUTOSAVE_COALESCE of the same person's
  autosave revision of the post, with nothing between them, updates that revision
  instead of adding one. Its window starts when the revision was made, so a long
  session still leaves one revision every few minutes;
- a delete records the post as it was deleted (kind "delete", always: it says who
  and when) and dates every revision of the post to expire after the blog's delete
  grace period (TENANT_DELETE_GRACE_DAYS); `restoring.bring_back` clears that.

Revisions count toward the blog's storage (`size`, the UTF-8 bytes of their
texts): `cost` tells `save_post` what a save's revisions add, charged with the
post's bytes before anything changes. Thinning old autosaves and removing expired
revisions is `revision_retention`; restoring is `restoring`; the diff is `diffs`.
"""

from dataclasses import astuple, dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, func, select, update

from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits.usage import stored_size
from inkwell.platform.core.models import Post, PostRevision
from inkwell.platform.core.types import utcnow

AUTOSAVE_COALESCE = timedelta(minutes=5)


@dataclass(frozen=True)
class Actor:
    """Who changed a post: a member (their email and id), or a named process."""

    label: str
    user_id: int | None = None


IMPORT = Actor("import")
SCHEDULER = Actor("scheduler")
# The author of a baseline revision is not known: it is the state history began with.
BEFORE_HISTORY = Actor("before history")


@dataclass(frozen=True)
class State:
    """What a revision keeps of a post."""

    title: str
    body_md: str
    excerpt: str
    tags: tuple[str, ...]
    status: str
    slug: str
    published_at: datetime | None

    @property
    def size(self) -> int:
        return stored_size(self.title, self.body_md, self.excerpt, *self.tags)


def state_of(item: Post | PostRevision) -> State:
    tags = [tag.name for tag in item.tags] if isinstance(item, Post) else item.tags
    return State(
        item.title,
        item.body_md,
        item.excerpt,
        tuple(tags),
        item.status,
        item.slug,
        item.published_at,
    )


def history(post: Post) -> Select[tuple[PostRevision]]:
    """The post's revisions, newest first."""
    return _of(post).order_by(PostRevision.id.desc())


def _of(post: Post) -> Select[tuple[PostRevision]]:
    # The uuid too: SQLite may give a new post the id of a deleted one.
    return select(PostRevision).where(
        PostRevision.tenant_id == post.tenant_id,
        PostRevision.post_id == post.id,
        PostRevision.post_uuid == post.uuid,
    )


def latest(post: Post) -> PostRevision | None:
    if post.id is None:
        return None
    return db.session.scalars(history(post).limit(1)).first()


def history_bytes() -> int:
    """What the current blog's revisions take of its storage."""
    query = select(func.coalesce(func.sum(PostRevision.size), 0))
    return int(db.session.scalar(query) or 0)


def cost(post: Post, after: State, actor: Actor, kind: str) -> int:
    """Bytes that recording `after` would add (a baseline included), for the
    quota check that runs before anything changes."""
    last = latest(post)
    if last is not None and state_of(last) == after:
        return 0
    added = after.size
    if post.id is not None and last is None:
        added += state_of(post).size  # the baseline
    if _coalesces(last, actor, kind, utcnow()):
        added -= last.size
    return added


def record_baseline(post: Post, was: State | None = None) -> None:
    """Record the stored state (or `was`) of a post that has no revision yet,
    before its first change: what it held must stay recoverable."""
    if post.id is None or latest(post) is not None:
        return
    when = post.content_updated_at or post.updated_at or utcnow()
    _add(post, was or state_of(post), BEFORE_HISTORY, "baseline", when)


def record(post: Post, actor: Actor, kind: str) -> PostRevision | None:
    """Keep the post as it is now (flushed), unless its latest revision already
    holds that; an autosave may update the previous one (see the module)."""
    now, state, last = utcnow(), state_of(post), latest(post)
    if last is not None and state_of(last) == state:
        return None
    if _coalesces(last, actor, kind, now):
        _fill(last, state)
        return last
    return _add(post, state, actor, kind, now)


def record_delete(post: Post, actor: Actor) -> None:
    """Keep the post as it is deleted, and date its history to expire after the
    blog's delete grace period."""
    now = utcnow()
    _add(post, state_of(post), actor, "delete", now)
    days = current_app.config["TENANT_DELETE_GRACE_DAYS"]
    expiry = update(PostRevision).where(
        PostRevision.tenant_id == post.tenant_id,
        PostRevision.post_id == post.id,
        PostRevision.post_uuid == post.uuid,
    )
    db.session.execute(expiry.values(expires_at=now + timedelta(days=days)))


def _coalesces(last: PostRevision | None, actor: Actor, kind: str, now: datetime) -> bool:
    return (
        kind == "autosave"
        and last is not None
        and last.kind == "autosave"
        and (last.user_id, last.actor) == (actor.user_id, actor.label)
        and now - last.created_at < AUTOSAVE_COALESCE
    )


def _add(post: Post, state: State, actor: Actor, kind: str, when: datetime) -> PostRevision:
    revision = PostRevision(
        tenant_id=post.tenant_id,
        post_id=post.id,
        post_uuid=post.uuid,
        author_id=post.author_id,
        actor=actor.label,
        user_id=actor.user_id,
        kind=kind,
        created_at=when,
    )
    _fill(revision, state)
    db.session.add(revision)
    db.session.flush()
    return revision


def _fill(revision: PostRevision, state: State) -> None:
    title, body, excerpt, tags, status, slug, published_at = astuple(state)
    revision.title, revision.body_md, revision.excerpt = title, body, excerpt
    revision.tags, revision.status, revision.slug = list(tags), status, slug
    revision.published_at, revision.size = published_at, state.size
