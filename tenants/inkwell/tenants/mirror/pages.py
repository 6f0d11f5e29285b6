"""Which pages a blog's static mirror holds, and which of them a change touches.

A snapshot is what the mirror's pages were built from: every public post in page
order (uuid, slug, title, tags and a stamp that moves with any edit), the
snippets, the old addresses of posts (paths: `/old-slug/`, `/2019/05/slug/`) and
tags (each a page that redirects: a mirror cannot answer 301; on S3 it also
carries the website redirect header), and a digest of everything shown on every
page (titles, styles, time zone, comments, hosts, quarantine, the header's
links, the release). It is stored with the mirror, so the next publish can
compare and rebuild only what changed: an edited post's page, the index and tag
pages it is on, the feeds and the sitemap; a new title of a post in the
recent-posts block, every post's page too (the block is there, and only there).
Whatever moves pages around (a post added, removed, re-dated or re-slugged;
settings; a new release) rebuilds everything, which content hashes then mostly skip.

Comparing snapshots also tells a mirror that shrinks because the blog did (posts,
tags or snippets withdrawn: their pages must leave every copy) from a build that
lost pages it should have (`shrink`): the sync deletes the first and refuses the
second.

Every mirror holds the search page and its index (`/search/posts.js`: every
public post's text), rebuilt whenever a post or page changed.
"""

import hashlib
import json
import math
import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple

from flask import current_app, url_for

from inkwell.platform.core.caching import GENERATION
from inkwell.platform.core.content.alias_paths import is_path
from inkwell.platform.core.content.blog_icons import icon_file, icon_of
from inkwell.platform.core.content.navigation import items_of
from inkwell.platform.core.content.posts import NEWEST_FIRST, public_posts
from inkwell.platform.core.content.recent_posts import RECENT_POSTS
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import blog_url
from inkwell.platform.core.models import Post, Snippet, Tag, Tenant
from inkwell.tenants.assets import asset_names, custom_css_name
from inkwell.tenants.content import PAGE_SIZE, moved_addresses, tags_by_post
from inkwell.tenants.feed_model import FORMATS
from inkwell.tenants.navigation import resolve

Snapshot = dict[str, Any]
UUID, SLUG, TITLE, TAGS, STAMP = range(5)


class Outline(NamedTuple):
    """A post as far as a snapshot needs it (a `Post` has the same attributes)."""

    uuid: object
    slug: str
    title: str
    updated_at: object
    content_updated_at: object
    renderer_version: int
    is_page: bool
    tags: list[Tag]


def outline() -> list[Outline]:
    """The public posts, newest first, in two plain queries: far cheaper than
    loading whole posts when only a few pages will be built."""
    columns = (Post.id, Post.uuid, Post.slug, Post.title, Post.updated_at)
    query = public_posts().with_only_columns(
        *columns, Post.content_updated_at, Post.renderer_version, Post.is_page
    )
    rows = db.session.execute(query.order_by(*NEWEST_FIRST)).all()
    tags = tags_by_post()
    return [Outline(*row[1:], tags=tags.get(row.id, [])) for row in rows]


def _icon_file(tenant: Tenant) -> str | None:
    media = icon_of(tenant)
    return icon_file(media) if media is not None else None


def snapshot(tenant: Tenant, posts: Sequence[Post | Outline], snippets: list[Snippet]) -> Snapshot:
    """What the blog's public pages are made of: `posts` newest first."""
    snippet_rows = sorted((s.slug, str(s.updated_at)) for s in snippets)
    config = current_app.config
    site = [
        tenant.title,
        tenant.description,
        tenant.code_style,
        tenant.theme,
        tenant.language,
        _icon_file(tenant),  # every page links it (once its files are made)
        custom_css_name(tenant),  # every page links it
        tenant.time_zone,
        tenant.comments_provider,
        tenant.comments_target,
        blog_url(tenant),
        config["FEED_ID_AUTHORITY"],
        config["WEBSUB_HUB_URL"],  # every feed names it
        GENERATION,
        bool(snippet_rows),
        bool(tenant.quarantined_at),
        _navigation(tenant, posts, bool(snippet_rows)),  # every page's header
    ]
    entries = [_entry(post) for post in posts if not post.is_page]
    moved_posts, moved_tags = moved_addresses()
    in_use = _by_tag(entries)
    return {
        "site": _digest(site),
        "quarantined": bool(tenant.quarantined_at),
        "snippets": [slug for slug, _ in snippet_rows],
        "snippets_digest": _digest(snippet_rows),
        "posts": entries,
        # Pages (`/now/`): their own addresses only, in no list.
        "pages": [_entry(post) for post in posts if post.is_page],
        # [old address, current slug] of public posts (paths: a mirror cannot answer
        # /?p=123, which only the live site redirects), and of the tags on them.
        "moved_posts": sorted([old, new] for old, new in moved_posts.items() if is_path(old)),
        "moved_tags": sorted([old, new] for old, new in moved_tags.items() if new in in_use),
    }


def _navigation(tenant: Tenant, posts: Sequence[Post | Outline], snippets: bool) -> list[Any]:
    """The header's links as every page shows them: their targets among `posts`."""
    pages = {str(post.uuid): post.slug for post in posts}
    tags = {str(tag.id): tag.slug for post in posts if not post.is_page for tag in post.tags}
    return resolve(items_of(tenant), pages, tags, snippets)


def _entry(post: Post | Outline) -> list[Any]:
    stamp = [str(post.updated_at), str(post.content_updated_at), post.renderer_version]
    tags = [[tag.slug, tag.name] for tag in post.tags]
    return [str(post.uuid), post.slug, post.title, tags, _digest(stamp)]


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, default=str).encode()).hexdigest()[:16]


def all_pages(snap: Snapshot, tenant: Tenant) -> set[str]:
    """URL paths of every page the mirror should hold (needs a request context)."""
    posts = snap["posts"]
    pages = {url_for("feeds.robots"), url_for("blog.index")}
    pages |= _feeds(snap)
    pages |= {_index_page(n) for n in range(2, _page_count(len(posts)) + 1)}
    pages |= {url_for("blog.post", slug=post[SLUG]) for post in posts + snap.get("pages", [])}
    for tag, members in _by_tag(posts).items():
        pages |= {_tag_page(tag, n) for n in range(1, _page_count(len(members)) + 1)}
        pages |= _tag_feeds(tag)
    pages |= _snippet_pages(snap)
    pages |= _moved_pages(snap.get("moved_posts", []), snap.get("moved_tags", []))
    pages |= {url_for("search.search"), _search_index()}
    names = asset_names(tenant)
    pages |= {url_for("assets.asset", filename=name) for name in names}
    return pages


def affected_pages(old: Snapshot | None, new: Snapshot) -> set[str] | None:
    """The pages that differ between two snapshots, or None when it is all of them."""
    if old is None or old["site"] != new["site"]:
        return None
    old_posts, new_posts = old["posts"], new["posts"]
    if [p[: SLUG + 1] for p in old_posts] != [p[: SLUG + 1] for p in new_posts]:
        return None  # added, removed, re-slugged or re-ordered: pages shift
    recent = {p[UUID] for p in new_posts[:RECENT_POSTS]}
    pages = _feeds(new)
    pages |= _changed_pages(old.get("pages", []), new["pages"])
    pages |= _moved_pages(*(_changed(old, new, key) for key in ("moved_posts", "moved_tags")))
    if old_posts != new_posts or old.get("pages", []) != new["pages"]:
        pages.add(_search_index())  # titles, tags and text of every post
    if old["snippets_digest"] != new["snippets_digest"]:
        pages |= _snippet_pages(new)
    old_tags, new_tags = _by_tag(old_posts), _by_tag(new_posts)
    for rank, (was, now) in enumerate(zip(old_posts, new_posts, strict=True)):
        if was == now:
            continue
        if was[TITLE] != now[TITLE] and now[UUID] in recent:
            # The recent-posts block, on every post's and page's page (only there).
            pages |= {url_for("blog.post", slug=post[SLUG]) for post in _posts_and_pages(new)}
        pages.add(url_for("blog.post", slug=now[SLUG]))
        pages.add(_index_page(rank // PAGE_SIZE + 1))
        pages |= _tag_pages_of(now[UUID], _slugs(was) | _slugs(now), old_tags, new_tags)
    return pages


class Shrink(NamedTuple):
    withdrawn: set[str]  # pages of content that left, the database agreeing: expected deletes
    missing: set[str]  # pages that should exist and the build lacks: an accident


def shrink(old: Snapshot | None, new: Snapshot, every: set[str], tenant: Tenant) -> Shrink:
    """How the pages `every` (of `new`) fall short of the previous snapshot's.

    A page should exist for the home page and the feed, for every
    post of `new`, and for every post that left it yet the database still has
    public (a snapshot that lost a post is no reason to delete its page)."""
    required = {url_for("blog.index"), url_for("feeds.latest")}
    required |= {url_for("blog.post", slug=post[SLUG]) for post in _posts_and_pages(new)}
    if old is None:
        return Shrink(set(), required - every)
    kept = {post[UUID] for post in _posts_and_pages(new)}
    left = [post for post in _posts_and_pages(old) if post[UUID] not in kept]
    public = _still_public([post[UUID] for post in left])
    required |= {url_for("blog.post", slug=post[SLUG]) for post in left if post[UUID] in public}
    return Shrink(all_pages(old, tenant) - every - required, required - every)


def _posts_and_pages(snap: Snapshot) -> list[list[Any]]:
    return snap["posts"] + snap.get("pages", [])


def _changed_pages(old: list[list[Any]], new: list[list[Any]]) -> set[str]:
    """The addresses of pages (`/now/`) added, changed or re-slugged; one that left
    is withdrawn by `shrink`."""
    return {url_for("blog.post", slug=page[SLUG]) for page in new if page not in old}


def _still_public(uuids: list[str]) -> set[str]:
    if not uuids:
        return set()
    query = public_posts().with_only_columns(Post.uuid)
    found = db.session.scalars(query.where(Post.uuid.in_([uuid.UUID(u) for u in uuids])))
    return {str(u) for u in found}


def _moved_pages(posts: list[list[str]], tags: list[list[str]]) -> set[str]:
    """The redirect pages at the old addresses of these [old, current] pairs."""
    pages = {url_for("blog.old_address", address=f"{old}/") for old, _new in posts}
    return pages | {url_for("blog.tag", tag_slug=old) for old, _new in tags}


def _changed(old: Snapshot, new: Snapshot, key: str) -> list[list[str]]:
    """The [old, current] pairs of `key` that differ between the snapshots."""
    was, now = {tuple(p) for p in old.get(key, [])}, {tuple(p) for p in new.get(key, [])}
    return [list(pair) for pair in was ^ now]


def _feeds(snap: Snapshot) -> set[str]:
    """The blog's feeds (Atom, RSS, JSON Feed), and its sitemap unless it is
    quarantined (it has none then). Feed aliases (`/feed/`) are in no mirror: a
    static host cannot answer their 301."""
    pages = {url_for(f"feeds.{fmt.endpoint}") for fmt in FORMATS.values()}
    if not snap["quarantined"]:
        pages.add(url_for("feeds.sitemap"))
    return pages


def _tag_pages_of(
    uuid: str, tags: set[str], old_tags: dict[str, list[str]], new_tags: dict[str, list[str]]
) -> set[str]:
    pages = set()
    for tag in tags:
        members = new_tags.get(tag, [])
        if members:
            pages |= _tag_feeds(tag)
        if old_tags.get(tag) == members:  # same posts: only the page this one is on
            pages.add(_tag_page(tag, members.index(uuid) // PAGE_SIZE + 1))
        else:  # posts joined or left the tag: its pages shift
            count = _page_count(len(members)) if members else 0
            pages |= {_tag_page(tag, n) for n in range(1, count + 1)}
    return pages


def _tag_feeds(tag: str) -> set[str]:
    return {url_for(f"feeds.tag_{fmt.endpoint}", tag_slug=tag) for fmt in FORMATS.values()}


def _by_tag(posts: list[list[Any]]) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for post in posts:
        for slug in _slugs(post):
            tags.setdefault(slug, []).append(post[UUID])
    return tags


def _slugs(post: list[Any]) -> set[str]:
    return {slug for slug, _name in post[TAGS]}


def _snippet_pages(snap: Snapshot) -> set[str]:
    slugs = snap["snippets"]
    pages = {url_for("site_snippets.snippet", slug=slug) for slug in slugs}
    return pages | {url_for("site_snippets.index")} if slugs else pages


def _search_index() -> str:
    return url_for("search.posts_script")


def _page_count(items: int) -> int:
    return max(1, math.ceil(items / PAGE_SIZE))


def _index_page(n: int) -> str:
    return url_for("blog.index", page=n) if n > 1 else url_for("blog.index")


def _tag_page(tag: str, n: int) -> str:
    if n > 1:
        return url_for("blog.tag", tag_slug=tag, page=n)
    return url_for("blog.tag", tag_slug=tag)
