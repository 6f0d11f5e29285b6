"""A post's cover image: one image of the blog's library (`Post.cover_media_id`),
shown where the post is shared (og:image) and beside it in feed readers.

It is chosen in the editor and saved with the post (`PostInput.cover_media_id`);
here is what reads and drops covers. Here, not in `core.media`, because posts are
content's and content sits below media.
"""

from sqlalchemy import select, update

from inkwell.platform.core.content.changes import content_changed
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Media, Post, Tenant


def posts_with_covers() -> list[Post]:
    """The current blog's posts that have a cover, by title."""
    query = select(Post).where(Post.cover_media_id.is_not(None)).order_by(Post.title)
    return list(db.session.scalars(query))


def is_in_library(media_id: int) -> bool:
    """Whether `media_id` is an image of the current blog (of no other: tenancy)."""
    return db.session.scalar(select(Media.id).where(Media.id == media_id)) is not None


def drop_cover(tenant: Tenant, media_id: int) -> list[Post]:
    """No post of `tenant` has image `media_id` as its cover any more (it is being
    deleted); the posts that had are returned. Readers see the change at once."""
    posts = list(db.session.scalars(select(Post).where(Post.cover_media_id == media_id)))
    if not posts:
        return []
    # Not through the mapper: a post's revision counts the writer's saves, and the
    # editor of one of these must not meet a conflict over an image deleted meanwhile.
    ids = [post.id for post in posts]
    db.session.execute(
        update(Post).where(Post.id.in_(ids)).values(cover_media_id=None),
        execution_options={"synchronize_session": "fetch"},
    )
    if any(post.status == "published" for post in posts):
        content_changed(tenant, "posts", tuple(ids))
    return posts
