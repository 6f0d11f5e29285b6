"""Bringing old words back, through `posts.save_post` like any change, so a
restore is itself a revision (kind "restore") and is charged to the quota.

- `restore_revision` puts a revision's title, body, tags and excerpt back into
  its post; the post keeps its status, address and publish time, so a restore
  never publishes, unpublishes or moves a post by surprise.
- `bring_back` makes a deleted post again from its latest revision, as a draft
  (its owner publishes it when ready) with its old publish time, UUID (feed
  entries stay the same) and author, at its old address if still free
  (else the next free one, `-2`...). Its history comes back with it.
"""

from collections.abc import Callable
from uuid import UUID

from sqlalchemy import func, select, update

from inkwell.platform.core.content import revisions
from inkwell.platform.core.content.posts import PostInput, save_post, unique_slug
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, PostRevision, Tenant

Charge = Callable[[int], None]


def restore_revision(
    post: Post, tenant: Tenant, revision: PostRevision, actor: revisions.Actor, charge: Charge
) -> bool:
    """Put the revision's text back into `post`; whether anything changed. The caller commits."""
    before = revisions.state_of(post)
    data = PostInput(
        title=revision.title,
        body_md=revision.body_md,
        tags=list(revision.tags),
        excerpt=revision.excerpt,
        status=post.status,
        slug=post.slug,
        published_at=post.published_at,
    )
    save_post(post, tenant, data, charge, actor=actor, kind="restore")
    return revisions.state_of(post) != before


def deleted_posts() -> list[PostRevision]:
    """The current blog's deleted posts that can still come back, each as its latest
    revision (the delete: the post as deleted, who and when), latest deleted first."""
    newest = (
        select(func.max(PostRevision.id))
        .where(PostRevision.expires_at.is_not(None))
        .group_by(PostRevision.post_uuid)
    )
    query = select(PostRevision).where(PostRevision.id.in_(newest))
    return list(db.session.scalars(query.order_by(PostRevision.id.desc())))


def deleted_post(post_uuid: UUID) -> PostRevision | None:
    """The latest revision of the current blog's deleted post `post_uuid`, if it can come back."""
    query = select(PostRevision).where(
        PostRevision.post_uuid == post_uuid, PostRevision.expires_at.is_not(None)
    )
    return db.session.scalars(query.order_by(PostRevision.id.desc()).limit(1)).first()


def bring_back(
    revision: PostRevision, tenant: Tenant, actor: revisions.Actor, charge: Charge
) -> Post:
    """A new draft post from a deleted post's latest revision; the caller commits."""
    post = Post(uuid=revision.post_uuid, author_id=revision.author_id or actor.user_id)
    data = PostInput(
        title=revision.title,
        body_md=revision.body_md,
        status="draft",
        # Its old address if still free (another post may have taken it meanwhile).
        slug=unique_slug(revision.slug),
        tags=list(revision.tags),
        excerpt=revision.excerpt,
        published_at=revision.published_at,
    )
    save_post(post, tenant, data, charge, actor=actor, kind="restore")
    history = update(PostRevision).where(
        PostRevision.tenant_id == tenant.id, PostRevision.post_uuid == post.uuid
    )
    db.session.execute(history.values(post_id=post.id, expires_at=None))
    return post
