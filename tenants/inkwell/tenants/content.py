"""Where the site app's views read a blog from.

`Live` asks the database on each request, in the current tenant's scope: the
served site. `Preloaded` reads the whole public blog once (three queries) and
answers from memory: a freeze renders every page of a blog, and a thousand pages
of small queries would cost more than the rendering itself. Both answer the same
questions, so views and templates cannot tell them apart; `moved_post` and
`moved_tag` answer where an old address of a post or tag leads now.
"""

import json
import uuid
from datetime import datetime
from typing import Any, Protocol

from flask import current_app, g
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, Text, cast, exists, func, select
from sqlalchemy.orm import defer, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from inkwell.platform.core.content.blog_icons import icon_of
from inkwell.platform.core.content.navigation import ABOUT_SLUG, about_page_uuid, items_of
from inkwell.platform.core.content.posts import NEWEST_FIRST, listed_posts, public_posts, tagged
from inkwell.platform.core.content.recent_posts import RECENT_POSTS
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import (
    Media,
    Post,
    PostAlias,
    PostTag,
    Snippet,
    Tag,
    TagAlias,
    Tenant,
)
from inkwell.tenants.navigation import Resolved, resolve

PAGE_SIZE = 10
FEED_SIZE = 15
EXTENSION = "inkwell.content"


class Content(Protocol):
    def page(self, number: int, tag: Tag | None = None) -> Pagination: ...
    def tag(self, slug: str) -> Tag | None: ...
    def post(self, slug: str) -> Post | None: ...
    def moved_post(self, old_slug: str) -> str | None: ...
    def moved_tag(self, old_slug: str) -> str | None: ...
    def newest(self, tag: Tag | None = None) -> list[Post]: ...
    def recent(self) -> list[tuple[str, str]]: ...
    def post_dates(self) -> list[tuple[str, datetime | None]]: ...
    def tags_in_use(self) -> list[tuple[str, datetime]]: ...
    def has_snippets(self) -> bool: ...
    def snippets(self) -> list[Snippet]: ...
    def snippet(self, slug: str) -> Snippet | None: ...
    def icon(self) -> Media | None: ...
    def navigation(self) -> list[Resolved]: ...


def current() -> Content:
    """The content source of the app serving this request."""
    return current_app.extensions.get(EXTENSION) or _LIVE


def newest_first(query: Select[tuple[Post]]) -> Select[tuple[Post]]:
    posts = query.options(selectinload(Post.tags), selectinload(Post.author))
    return posts.order_by(*NEWEST_FIRST)


class Live:
    def page(self, number: int, tag: Tag | None = None) -> Pagination:
        query = listed_posts() if tag is None else tagged(listed_posts(), tag)
        return db.paginate(newest_first(query), page=number, per_page=PAGE_SIZE, error_out=False)

    def tag(self, slug: str) -> Tag | None:
        return db.session.scalar(select(Tag).where(Tag.slug == slug))

    def post(self, slug: str) -> Post | None:
        # Joined, not selectin: one round trip for the post, its few tags and the
        # blog's recent block kept at write time; and without the Markdown, which the
        # page does not show (each tag's row repeats it). The block as text: a JSON
        # value cannot be hashed, and the joined tags need rows made unique.
        page = joinedload(Post.tags), joinedload(Post.cover), defer(Post.body_md)
        recent = cast(Tenant.recent_posts, Text)
        query = public_posts().options(*page).where(Post.slug == slug)
        query = query.join(Tenant, Tenant.id == Post.tenant_id).add_columns(recent)
        row = db.session.execute(query).unique().first()
        if row is None:
            return None
        g.recent_posts = [(slug, title) for slug, title in json.loads(row[1])]
        return row[0]

    def moved_post(self, old_slug: str) -> str | None:
        """The slug of the public post that had `old_slug`, if one did."""
        query = public_posts().join(PostAlias, _post_alias_link).where(PostAlias.slug == old_slug)
        return db.session.scalar(query.with_only_columns(Post.slug))

    def moved_tag(self, old_slug: str) -> str | None:
        """The slug of the tag that had `old_slug`, if it is on a public post."""
        query = _tags_in_use().join(TagAlias, _tag_alias_link).where(TagAlias.slug == old_slug)
        return db.session.scalar(query.with_only_columns(Tag.slug).limit(1))

    def newest(self, tag: Tag | None = None) -> list[Post]:
        query = listed_posts() if tag is None else tagged(listed_posts(), tag)
        query = newest_first(query).options(selectinload(Post.cover))  # feeds name covers
        return list(db.session.scalars(query.limit(FEED_SIZE)))

    def recent(self) -> list[tuple[str, str]]:
        # Read with the post by `post`, when it ran.
        if "recent_posts" not in g:
            stored = db.session.scalar(select(Tenant.recent_posts).where(Tenant.id == g.tenant.id))
            g.recent_posts = [(slug, title) for slug, title in stored or []]
        recent: list[tuple[str, str]] = g.recent_posts
        return recent

    def post_dates(self) -> list[tuple[str, datetime | None]]:
        """(slug, last change) of every public post, pages too (the sitemap)."""
        query = public_posts().with_only_columns(Post.slug, Post.content_updated_at)
        query = query.order_by(*NEWEST_FIRST)
        return [(slug, updated) for slug, updated in db.session.execute(query)]

    def tags_in_use(self) -> list[tuple[str, datetime]]:
        """(slug, newest post's date) of each tag on a public post."""
        query = (
            _tags_in_use()
            .with_only_columns(Tag.slug, func.max(Post.published_at))
            .group_by(Tag.slug)
            .order_by(Tag.slug)
        )
        return [(slug, when) for slug, when in db.session.execute(query)]

    def has_snippets(self) -> bool:
        # Found with the blog by the fast path (hosts.ServedBlog), when it ran.
        known = g.get("has_snippets")
        if known is not None:
            return known
        return bool(db.session.scalar(select(exists().select_from(Snippet))))

    def snippets(self) -> list[Snippet]:
        query = select(Snippet).order_by(Snippet.created_at.desc(), Snippet.id.desc())
        return list(db.session.scalars(query))

    def snippet(self, slug: str) -> Snippet | None:
        return db.session.scalar(select(Snippet).where(Snippet.slug == slug))

    def icon(self) -> Media | None:
        # No blog on an unknown or unavailable blog's page, which shows the default icon.
        tenant = g.get("tenant")
        return icon_of(tenant) if tenant is not None else None

    def navigation(self) -> list[Resolved]:
        """The header's links whose targets are public (two small queries, by key;
        none for the default links when the fast path found the About page)."""
        items = items_of(g.tenant, self.about_page)
        about = g.get("about_page")  # public, and its slug is ABOUT_SLUG by definition
        known = {str(about): ABOUT_SLUG} if about is not None else {}
        page_uuids = [u for i in items if i.kind == "page" and (u := _uuid(i.target))]
        wanted = [u for u in page_uuids if str(u) not in known]
        tag_ids = [int(i.target) for i in items if i.kind == "tag" and i.target.isdigit()]
        pages = public_posts().where(Post.uuid.in_(wanted))
        pages = pages.with_only_columns(Post.uuid, Post.slug)
        tags = _tags_in_use().where(Tag.id.in_(tag_ids)).with_only_columns(Tag.id, Tag.slug)
        found = {str(u): slug for u, slug in db.session.execute(pages)} if wanted else {}
        return resolve(
            items,
            {**known, **found},
            {str(i): slug for i, slug in db.session.execute(tags.distinct())} if tag_ids else {},
            self.has_snippets(),
        )

    def about_page(self) -> uuid.UUID | None:
        # Found with the blog by the fast path (hosts.ServedBlog), when it ran.
        if "about_page" in g:
            found: uuid.UUID | None = g.about_page
            return found
        return about_page_uuid()


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


_LIVE = Live()

_post_alias_link = (PostAlias.tenant_id == Post.tenant_id) & (PostAlias.post_id == Post.id)
_tag_alias_link = (TagAlias.tenant_id == Tag.tenant_id) & (TagAlias.tag_id == Tag.id)


def _tags_in_use() -> Select[tuple[Post]]:
    """Public posts, not pages, joined to their tags."""
    link = (PostTag.tenant_id == Post.tenant_id) & (PostTag.post_id == Post.id)
    return (
        listed_posts()
        .join(PostTag, link)
        .join(Tag, (Tag.tenant_id == PostTag.tenant_id) & (Tag.id == PostTag.tag_id))
    )


def moved_addresses() -> tuple[dict[str, str], dict[str, str]]:
    """Old slug -> current slug, of public posts and of every tag of the current blog."""
    posts = public_posts().join(PostAlias, _post_alias_link)
    posts = posts.with_only_columns(PostAlias.slug, Post.slug)
    tags = select(TagAlias.slug, Tag.slug).join(Tag, _tag_alias_link)
    moved_posts = {old: new for old, new in db.session.execute(posts)}
    return moved_posts, {old: new for old, new in db.session.execute(tags)}


class Preloaded:
    """The whole public blog in memory. Load it in the blog's tenant scope; its rows
    stay readable after the session that loaded them ends."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        # Tags: _attach_tags; covers for pages and feeds (the rows outlive their session).
        query = public_posts().options(selectinload(Post.author), selectinload(Post.cover))
        # Every public post, pages too (their own addresses); `_listed` without pages.
        self.posts = list(db.session.scalars(query.order_by(*NEWEST_FIRST)))
        _attach_tags(self.posts)
        self._listed = [post for post in self.posts if not post.is_page]
        self._snippets = Live().snippets()
        self._by_slug = {post.slug: post for post in self.posts}
        self._tags: dict[str, Tag] = {}
        self._tagged: dict[str, list[Post]] = {}
        for post in self._listed:
            for tag in post.tags:
                self._tags.setdefault(tag.slug, tag)
                self._tagged.setdefault(tag.slug, []).append(post)
        self._moved_posts, moved_tags = moved_addresses()
        self._moved_tags = {old: new for old, new in moved_tags.items() if new in self._tags}
        self._icon = icon_of(tenant)
        self._navigation = resolve(
            items_of(tenant),
            {str(post.uuid): post.slug for post in self.posts},
            {str(tag.id): tag.slug for tag in self._tags.values()},
            bool(self._snippets),
        )

    def page(self, number: int, tag: Tag | None = None) -> Pagination:
        items = self._listed if tag is None else self._tagged.get(tag.slug, [])
        return _ListPagination(page=number, per_page=PAGE_SIZE, error_out=False, items=items)

    def tag(self, slug: str) -> Tag | None:
        return self._tags.get(slug)

    def post(self, slug: str) -> Post | None:
        return self._by_slug.get(slug)

    def moved_post(self, old_slug: str) -> str | None:
        return self._moved_posts.get(old_slug)

    def moved_tag(self, old_slug: str) -> str | None:
        return self._moved_tags.get(old_slug)

    def newest(self, tag: Tag | None = None) -> list[Post]:
        return (self._listed if tag is None else self._tagged.get(tag.slug, []))[:FEED_SIZE]

    def recent(self) -> list[tuple[str, str]]:
        return [(post.slug, post.title) for post in self._listed[:RECENT_POSTS]]

    def post_dates(self) -> list[tuple[str, datetime | None]]:
        return [(post.slug, post.content_updated_at) for post in self.posts]

    def tags_in_use(self) -> list[tuple[str, datetime]]:
        newest = {slug: posts[0].published_at for slug, posts in self._tagged.items()}
        return sorted(newest.items())

    def has_snippets(self) -> bool:
        return bool(self._snippets)

    def snippets(self) -> list[Snippet]:
        return self._snippets

    def snippet(self, slug: str) -> Snippet | None:
        return next((s for s in self._snippets if s.slug == slug), None)

    def icon(self) -> Media | None:
        return self._icon

    def navigation(self) -> list[Resolved]:
        return self._navigation


def tags_by_post() -> dict[int, list[Tag]]:
    """The tags of every post of the current blog, by post id, in one join:
    selectinload's IN lists of a thousand ids are slow on SQLite without table
    statistics."""
    link = (PostTag.tenant_id == Tag.tenant_id) & (PostTag.tag_id == Tag.id)
    tags: dict[int, list[Tag]] = {}
    for post_id, tag in db.session.execute(
        select(PostTag.post_id, Tag).join(Tag, link).order_by(Tag.slug)
    ):
        tags.setdefault(post_id, []).append(tag)
    return tags


def _attach_tags(posts: list[Post]) -> None:
    tags = tags_by_post()
    for post in posts:
        set_committed_value(post, "tags", tags.get(post.id, []))


class _ListPagination(Pagination):
    def _query_items(self) -> list[Any]:
        start = (self.page - 1) * self.per_page
        return self._query_args["items"][start : start + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["items"])
