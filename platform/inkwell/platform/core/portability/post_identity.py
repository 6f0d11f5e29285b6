"""What makes an exported post the same post elsewhere: its UUID (feeds' entry ids are
`tag:` URIs built from it and its creation time), its created and updated times to
the microsecond, and its author, by email.

    uuid: 0b7c...               created: 2024-05-01T09:30:00.123456+00:00
    author: ana@example.org     updated: 2024-05-02T10:00:00.654321+00:00

All are optional, so files from elsewhere still import. A UUID is unique within a
blog (`posts (tenant_id, uuid)`), not across blogs: a blog imported beside the one
it came from keeps the ids its readers' feed readers know, and nothing looks a post
up by UUID outside its own blog. Within the blog, a new post takes its file's UUID
when free: not a deleted post's (whose history and restore go by that UUID).
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Membership, Post, PostRevision, Tenant, User
from inkwell.platform.core.validation import normalize_email


class IdentityError(ValueError):
    """A field of the post's identity is unreadable; the message is for the user."""


@dataclass(frozen=True)
class PostIdentity:
    uuid: UUID | None = None
    created: datetime | None = None
    updated: datetime | None = None
    author: str | None = None  # an email, normalized


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
    return meta


def read_identity(meta: dict[str, Any]) -> PostIdentity:
    """The identity fields of a file's front matter; IdentityError names a bad one."""
    return PostIdentity(
        uuid=_uuid(meta.get("uuid")),
        created=_time(meta, "created"),
        updated=_time(meta, "updated"),
        author=_author(meta.get("author")),
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
    """The note for a file whose author is no member of the blog: without a byline of
    its own (a column), the post stays the importer's, or keeps its author."""
    if identity.author is None or author_id is not None:
        return []
    return [f"author {identity.author} is not a member of this blog, so not its author here"]


def new_post(identity: PostIdentity, author_id: int | None) -> Post:
    """A post to import the file into, with its UUID and creation time: set before
    the first save, so its first revision is filed under that UUID. Only new posts
    take them: changing an existing post's would change its feed entries' ids.
    An imported post never mails the blog's subscribers: they were written for
    another place and time, and a 10,000-post import would send 10,000 letters."""
    given = {"uuid": identity.uuid, "created_at": identity.created}
    kept = {k: v for k, v in given.items() if v is not None}
    return Post(author_id=author_id, email_subscribers=False, **kept)


def keep_updated(post: Post, identity: PostIdentity, content_changed: bool) -> None:
    """The file's updated time on the just-saved `post`, unless this import changed
    what readers see (then it is now, as save_post set, so feed readers notice)."""
    if identity.updated is not None and not content_changed:
        post.content_updated_at = identity.updated
