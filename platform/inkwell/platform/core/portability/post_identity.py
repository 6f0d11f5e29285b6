"""What makes an exported post the same post elsewhere: its UUID (feeds' entry ids are
`tag:` URIs built from it and its creation time), its created and updated times to
the microsecond, and its author: a member by email, anyone else by name.

    uuid: 0b7c...               created: 2024-05-01T09:30:00.123456+00:00
    author: ana@example.org     updated: 2024-05-02T10:00:00.654321+00:00
    byline: Ana Lima            (an author who is no member: the name readers see)

An export names members by email, as the blog has them (personal data, but the
owner's own export of their own team). An import makes the post the member's
whose email it names; an author who is none keeps the file's byline, and a post
with neither is the importer's. A byline is a name, never an email address: that
would be published on the post's page and in its feeds.

All are optional, so files from elsewhere still import. A UUID is unique within a
blog (`posts (tenant_id, uuid)`), not across blogs: a blog imported beside the one
it came from keeps the ids its readers' feed readers know, and nothing looks a post
up by UUID outside its own blog. Within the blog, a new post takes its file's UUID
when free: not a deleted post's (whose history and restore go by that UUID).
"""

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Membership, Post, PostRevision, Tenant, User
from inkwell.platform.core.validation import normalize_email

MAX_BYLINE = 200  # posts.byline
_EMAIL = re.compile(r"\S+@\S+\.\S+")


class IdentityError(ValueError):
    """A field of the post's identity is unreadable; the message is for the user."""


@dataclass(frozen=True)
class PostIdentity:
    uuid: UUID | None = None
    created: datetime | None = None
    updated: datetime | None = None
    author: str | None = None  # an email, normalized
    byline: str | None = None  # a name, shown instead of a member's


def exact_time(moment: datetime) -> str:
    """`moment` in UTC to the microsecond, with its offset: it reads back equal."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def identity_meta(post: Post) -> dict[str, Any]:
    """The front matter fields of `post`'s identity."""
    meta: dict[str, Any] = {"uuid": str(post.uuid), "created": exact_time(post.created_at)}
    if post.content_updated_at:
        meta["updated"] = exact_time(post.content_updated_at)
    if post.author is not None:
        meta["author"] = post.author.email
    if post.byline:
        meta["byline"] = post.byline
    return meta


def read_identity(meta: dict[str, Any]) -> PostIdentity:
    """The identity fields of a file's front matter; IdentityError names a bad one."""
    return PostIdentity(
        uuid=_uuid(meta.get("uuid")),
        created=_time(meta, "created"),
        updated=_time(meta, "updated"),
        author=_author(meta.get("author")),
        byline=byline_of(meta.get("byline")),
    )


def _uuid(value: object) -> UUID | None:
    if value is None:
        return None
    try:
        return UUID(str(value).strip())
    except ValueError:
        raise IdentityError(f"uuid {value!r} is not a UUID") from None


def _time(meta: dict[str, Any], key: str) -> datetime | None:
    value = meta.get(key)
    if value is None:
        return None
    moment = value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    if not isinstance(moment, datetime):  # YAML reads a bare date as a date
        raise IdentityError(f"{key} {value!r} is not an ISO 8601 time (2024-05-01T09:30:00Z)")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _author(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or "@" not in value:
        raise IdentityError(f"author {value!r} must be an email address")
    return normalize_email(value.strip())


def byline_of(value: object) -> str | None:
    """A byline as given (None when empty); IdentityError for an email or a too long one."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise IdentityError(f"byline {value!r} must be a name")
    name = " ".join(value.split())
    if _EMAIL.search(name):
        raise IdentityError(f"byline {name!r} must be a name, not an email address")
    if len(name) > MAX_BYLINE:
        raise IdentityError(f"byline {name[:40]!r}… is longer than {MAX_BYLINE} characters")
    return name or None


def member_ids(tenant: Tenant) -> dict[str, int]:
    """The user id of each member of `tenant`, by email: who an author can be."""
    rows = db.session.execute(
        select(User.email, User.id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tenant.id)
    )
    return {email: user_id for email, user_id in rows}


def deleted_uuids(tenant: Tenant) -> set[UUID]:
    """The UUIDs of `tenant`'s posts that have history but no post (deleted ones, which
    Deleted posts can bring back under that UUID): not free for an imported post."""
    live = select(Post.uuid).where(Post.tenant_id == tenant.id)
    query = select(PostRevision.post_uuid).where(
        PostRevision.tenant_id == tenant.id, PostRevision.post_uuid.not_in(live)
    )
    return set(db.session.scalars(query.distinct()))


def free_identity(identity: PostIdentity, taken: set[UUID]) -> tuple[PostIdentity, list[str]]:
    """`identity` for a new post: without its UUID if that is `taken`, and why."""
    if identity.uuid is None or identity.uuid not in taken:
        return identity, []
    note = (
        f"uuid {identity.uuid} is a deleted post's of this blog (Deleted posts can bring it"
        " back): this one gets a new id, so feed readers see it as a new entry"
    )
    return replace(identity, uuid=None), [note]


def unmatched_author(identity: PostIdentity, author_id: int | None) -> list[str]:
    """The note for a file whose author is no member of the blog: it keeps its
    byline if it has one, else the post is the importer's, or keeps its author."""
    if identity.author is None or author_id is not None:
        return []
    if identity.byline:
        return [f"author {identity.author} is not a member of this blog: shown as its byline"]
    return [f"author {identity.author} is not a member of this blog, so not its author here"]


def new_post(identity: PostIdentity, author_id: int | None, importer_id: int | None) -> Post:
    """A post to import the file into, with its UUID and creation time: set before
    the first save, so its first revision is filed under that UUID. Only new posts
    take them: changing an existing post's would change its feed entries' ids.
    Its author: the member `author_id`, else nobody when it has a byline, else the
    importer. An imported post never mails the blog's subscribers: they were
    written for another place and time, and a 10,000-post import would send
    10,000 letters."""
    given = {"uuid": identity.uuid, "created_at": identity.created}
    kept = {k: v for k, v in given.items() if v is not None}
    author = author_id if author_id is not None or identity.byline else importer_id
    return Post(author_id=author, email_subscribers=False, **kept)


def keep_byline(post: Post, identity: PostIdentity) -> None:
    """The file's byline on the imported `post`; a file without one leaves it as it is."""
    if identity.byline:
        post.byline = identity.byline


def keep_updated(post: Post, identity: PostIdentity, content_changed: bool) -> None:
    """The file's updated time on the just-saved `post`, unless this import changed
    what readers see (then it is now, as save_post set, so feed readers notice)."""
    if identity.updated is not None and not content_changed:
        post.content_updated_at = identity.updated
