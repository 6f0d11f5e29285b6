"""One model of a feed, written out as Atom, RSS 2.0 and JSON Feed 1.1 (`feeds`).

A reader may subscribe to any of the three, so all three carry the same entries
with the same ids (`tag:` URIs from the post's UUID, never from its URL, so an
entry survives a new address), the same absolute links (`links`: body links
resolved against the post's URL) and the same dates in the blog's time zone.
Each format is a file name, served at the blog's root and under each tag
(`FORMATS`); the WebSub pings name the same paths (`feed_paths`).
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urljoin

from flask import current_app, g, url_for

from inkwell.platform.core.hosts import blog_url, host_name
from inkwell.platform.core.models import Post, Tag, Tenant
from inkwell.tenants.covers import Cover, cover_image
from inkwell.tenants.links import rewrite_links


@dataclass(frozen=True)
class Format:
    file: str  # its name at the blog's root and in each tag's folder
    content_type: str
    endpoint: str  # the blog's feed (`feeds.<endpoint>`); `tag_<endpoint>`: a tag's


FORMATS = {
    "atom": Format("latest.atom", "application/atom+xml; charset=utf-8", "latest"),
    "rss": Format("rss.xml", "application/rss+xml; charset=utf-8", "rss"),
    "json": Format("feed.json", "application/feed+json; charset=utf-8", "json_feed"),
}


def feed_paths(tag_slug: str | None = None) -> list[str]:
    """The paths of the blog's feeds in every format, or of a tag's; no app
    routes needed (a worker names them in its hub pings)."""
    folder = f"/tags/{quote(tag_slug, safe='')}/" if tag_slug else "/"
    return [folder + fmt.file for fmt in FORMATS.values()]


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    url: str
    published: datetime
    updated: datetime
    author: str
    tags: list[Tag]
    summary: str
    html: str
    cover: Cover | None


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    tenant: Tenant
    home_url: str  # the page the feed follows: the blog's index, or a tag's page
    self_urls: dict[str, str]  # format name -> the absolute URL of this feed in it
    hub: str  # the WebSub hub's URL, "" without one
    updated: datetime
    entries: list[Entry]


def tag_uri(created: datetime, specific: str) -> str:
    authority = current_app.config["FEED_ID_AUTHORITY"] or host_name(
        current_app.config["BLOG_DOMAIN"]
    )
    return f"tag:{authority},{created:%Y-%m-%d}:{specific}"


def absolutize(html: str, base: str) -> str:
    """`html` with every href/src resolved against `base`."""
    return rewrite_links(html, lambda link: urljoin(base, link))


def entry(tenant: Tenant, post: Post) -> Entry:
    url = blog_url(tenant, url_for("blog.post", slug=post.slug))
    published = post.published_at
    return Entry(
        id=tag_uri(post.created_at, f"post:{post.uuid}"),
        title=post.title,
        url=url,
        published=published,
        # Only a real edit moves the update time; never earlier than publication.
        updated=max(published, post.content_updated_at or published),
        author=post.author_name or tenant.title,
        tags=post.tags,
        summary=post.excerpt,
        html=absolutize(post.body_html, url),
        cover=cover_image(post),
    )


def build(posts: list[Post], title: str, tag: Tag | None = None) -> Feed:
    """The feed of `posts` (newest first) of the current blog, or of its `tag`."""
    tenant = g.tenant
    entries = [entry(tenant, post) for post in posts]
    if tag is None:
        key, home = f"blog:{tenant.uuid}", url_for("blog.index")
        endpoints = {name: f"feeds.{fmt.endpoint}" for name, fmt in FORMATS.items()}
        args = {}
    else:
        key, home = f"blog:{tenant.uuid}:tag:{tag.slug}", url_for("blog.tag", tag_slug=tag.slug)
        endpoints = {name: f"feeds.tag_{fmt.endpoint}" for name, fmt in FORMATS.items()}
        args = {"tag_slug": tag.slug}
    return Feed(
        id=tag_uri(tenant.created_at, key),
        title=title,
        tenant=tenant,
        home_url=blog_url(tenant, home),
        self_urls={name: blog_url(tenant, url_for(e, **args)) for name, e in endpoints.items()},
        hub=hub_url(tenant),
        updated=max((e.updated for e in entries), default=tenant.created_at),
        entries=entries,
    )


def hub_url(tenant: Tenant) -> str:
    """The hub a feed names: WEBSUB_HUB_URL, but none for a quarantined blog
    (it sends no pings: `core.publishing.websub`)."""
    return "" if tenant.quarantined_at else current_app.config["WEBSUB_HUB_URL"]
