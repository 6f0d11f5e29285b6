"""Old addresses of posts: a published post whose slug changes keeps the old one
as a `PostAlias`, and an import keeps the paths a post had on the old site
(`/2019/05/slug/`, `/p/slug`, `/?p=123`; stored as `alias_paths` says). The site
answers one with a 301 to the post, the mirror with a redirect page (paths
only), and no other post can take it while it exists: `slug_problem` says whose
it is. The editor lists a post's old addresses, adds one (`add_alias`) and
removes one (`remove_alias`), which frees it.
"""

from sqlalchemy import select

from inkwell.platform.core.content.alias_paths import (
    RESERVED_SLUGS,
    AliasError,
    shown,
    stored_alias,
)
from inkwell.platform.core.content.changes import content_changed
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, PostAlias, Tenant


class SlugTaken(ValueError):
    """The slug the writer asked for belongs to a page or to another post; the
    message says which."""


def slug_problem(slug: str, post_id: int | None) -> str | None:
    """Why the post `post_id` (None: a new one) cannot have `slug`, or None."""
    if slug in RESERVED_SLUGS:
        return f"/{slug}/ is a page of the blog. Choose another address."
    other = db.session.scalar(select(Post).where(Post.slug == slug, Post.id != (post_id or 0)))
    if other is not None:
        return f"{shown(slug)} is the address of “{other.title}”. Choose another."
    alias = db.session.scalar(select(PostAlias).where(PostAlias.slug == slug))
    if alias is not None and alias.post_id != post_id:
        owner = db.session.get_one(Post, alias.post_id)
        return (
            f"{shown(slug)} is an old address of “{owner.title}” and still leads there. Choose "
            "another, or first remove it from that post's old addresses in its editor."
        )
    return None


def alias_problem(text: str, post: Post) -> tuple[str, str | None]:
    """The stored form of the old address `text` for `post`, and why the post
    cannot keep it (None: it can)."""
    try:
        stored = stored_alias(text)
    except AliasError as error:
        return text.strip(), str(error)
    if stored == post.slug:
        return stored, f"{shown(stored)} is this post's address now, not an old one."
    return stored, slug_problem(stored, post.id)


def aliases_like(base: str) -> set[str]:
    """The old addresses of the current blog's posts that start with `base`."""
    return set(db.session.scalars(select(PostAlias.slug).where(PostAlias.slug.startswith(base))))


def move_post(post: Post, slug: str) -> None:
    """Give `post` the free `slug`; its old one stays an alias once it has been public
    (a draft's address was never linked), and an alias it returns to is dropped."""
    if post.slug and post.published_at is not None:
        db.session.add(PostAlias(tenant_id=post.tenant_id, slug=post.slug, post_id=post.id))
    back = db.session.get(PostAlias, (post.tenant_id, slug))
    if back is not None:
        db.session.delete(back)
    post.slug = slug


def old_slugs(post_id: int) -> list[str]:
    query = select(PostAlias.slug).where(PostAlias.post_id == post_id).order_by(PostAlias.slug)
    return list(db.session.scalars(query))


def all_old_slugs() -> dict[int, list[str]]:
    """Every post's old addresses in the current blog, by post id (an export's one
    query), in code point order: the database's collation would order `?p=1` and
    `2019/...` differently on SQLite and PostgreSQL, and an export must not."""
    found: dict[int, list[str]] = {}
    for post_id, slug in db.session.execute(select(PostAlias.post_id, PostAlias.slug)):
        found.setdefault(post_id, []).append(slug)
    return {post_id: sorted(slugs) for post_id, slugs in found.items()}


def missing(post: Post, wanted: tuple[str, ...] | None) -> list[str]:
    """The old addresses of `wanted` (as given) that the (stored) post does not have yet."""
    if not wanted:
        return []
    have = set(old_slugs(post.id)) if post.id else set()
    have.add(post.slug)
    return [text for text in wanted if _stored_or_none(text) not in have]


def _stored_or_none(text: str) -> str | None:
    try:
        return stored_alias(text)
    except AliasError:
        return None


def would_add(post: Post, wanted: tuple[str, ...] | None) -> bool:
    """Whether `keep_old_slugs` would give the stored `post` an old address: one
    refused each time (a page of the blog has it) changes nothing, so an import
    run again stays unchanged."""
    return any(not alias_problem(text, post)[1] for text in missing(post, wanted))


def keep_old_slugs(post: Post, wanted: tuple[str, ...] | None) -> list[str]:
    """Add the old addresses of `wanted` the flushed post lacks (an import's: paths of
    the old site as it gave them); an import never removes one, so no inbound link
    breaks. Returns the ones refused (malformed, or another post or a page of the
    blog has them), each with the reason."""
    refused, added = [], set()
    for text in missing(post, wanted):
        stored, problem = alias_problem(text, post)
        if problem:
            refused.append(problem if shown(stored) in problem else f"{text}: {problem}")
        elif stored not in added:
            added.add(stored)
            db.session.add(PostAlias(tenant_id=post.tenant_id, slug=stored, post_id=post.id))
    return refused


def add_alias(post: Post, tenant: Tenant, text: str) -> str:
    """Keep the old address `text` leading to the stored `post` (the editor's); its
    stored form. AliasError says why it cannot. The caller commits."""
    stored, problem = alias_problem(text, post)
    if problem:
        raise AliasError(problem)
    if stored in old_slugs(post.id):
        raise AliasError(f"{shown(stored)} is already an old address of this post.")
    db.session.add(PostAlias(tenant_id=tenant.id, slug=stored, post_id=post.id))
    if post.status == "published":
        content_changed(tenant, "posts", (post.id,))
    return stored


def remove_alias(post: Post, tenant: Tenant, slug: str) -> bool:
    """Forget `slug` as an old address of `post`; whether it was one. The caller commits."""
    alias = db.session.get(PostAlias, (tenant.id, slug))
    if alias is None or alias.post_id != post.id:
        return False
    db.session.delete(alias)
    if post.status == "published":
        content_changed(tenant, "posts", (post.id,))
    return True
