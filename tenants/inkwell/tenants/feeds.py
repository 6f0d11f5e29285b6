"""Atom feeds (the blog's and each tag's), the sitemap and robots.txt.

Feed readers keep entries by id, so ids are `tag:` URIs from the post's UUID,
never from its URL; links in content are made absolute, since a reader shows
them away from the blog.
"""

from datetime import datetime
from urllib.parse import urljoin

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from inkwell.platform.core.hosts import blog_url, host_name
from inkwell.platform.core.models import Post, Tenant
from inkwell.tenants import content
from inkwell.tenants.covers import cover_image
from inkwell.tenants.links import rewrite_links

bp = Blueprint("feeds", __name__)

ATOM = "application/atom+xml; charset=utf-8"


def tag_uri(created: datetime, specific: str) -> str:
    authority = current_app.config["FEED_ID_AUTHORITY"] or host_name(
        current_app.config["BLOG_DOMAIN"]
    )
    return f"tag:{authority},{created:%Y-%m-%d}:{specific}"


def absolutize(html: str, base: str) -> str:
    """`html` with every href/src resolved against `base`."""
    return rewrite_links(html, lambda link: urljoin(base, link))


def _entry(tenant: Tenant, post: Post) -> dict[str, object]:
    url = blog_url(tenant, url_for("blog.post", slug=post.slug))
    published = post.published_at
    return {
        "id": tag_uri(post.created_at, f"post:{post.uuid}"),
        "title": post.title,
        "url": url,
        "published": published,
        # Only a real edit moves <updated>; never earlier than <published>.
        "updated": max(published, post.content_updated_at or published),
        "author": (post.author.display_name if post.author else "") or tenant.title,
        "tags": post.tags,
        "summary": post.excerpt,
        "html": absolutize(post.body_html, url),
        "cover": cover_image(post),
    }


def _feed(posts: list[Post], title: str, self_path: str, alternate_path: str, key: str) -> Response:
    tenant = g.tenant
    entries = [_entry(tenant, post) for post in posts]
    updated = max((e["updated"] for e in entries), default=tenant.created_at)
    xml = render_template(
        "feeds/atom.xml",
        tenant=tenant,
        feed_id=tag_uri(tenant.created_at, key),
        title=title,
        updated=updated,
        self_url=blog_url(tenant, self_path),
        alternate_url=blog_url(tenant, alternate_path),
        entries=entries,
    )
    return Response(xml, content_type=ATOM)


@bp.get("/latest.atom")
def latest() -> Response:
    tenant = g.tenant
    return _feed(
        content.current().newest(),
        tenant.title,
        url_for("feeds.latest"),
        url_for("blog.index"),
        f"blog:{tenant.uuid}",
    )


@bp.get("/tags/<tag_slug>/latest.atom")
def tag_latest(tag_slug: str) -> Response | BaseResponse:
    found = content.current().tag(tag_slug)
    if found is None:  # an old address of the tag: a 301 to its feed (mirrors hold none)
        now = content.current().moved_tag(tag_slug) or abort(404)
        return redirect(url_for("feeds.tag_latest", tag_slug=now), 301)
    posts = content.current().newest(found)
    if not posts:
        abort(404)  # a tag of drafts only: readers must not learn it exists
    return _feed(
        posts,
        f"{g.tenant.title}: {found.name}",
        url_for("feeds.tag_latest", tag_slug=found.slug),
        url_for("blog.tag", tag_slug=found.slug),
        f"blog:{g.tenant.uuid}:tag:{found.slug}",
    )


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    if g.tenant.quarantined_at:
        abort(404)  # a quarantined blog is in no sitemap, its own included
    blog = content.current()
    urls = [(url_for("blog.index"), None)]  # pages (About too) are among the posts
    urls += [(url_for("blog.post", slug=slug), updated) for slug, updated in blog.post_dates()]
    urls += [(url_for("blog.tag", tag_slug=slug), when) for slug, when in blog.tags_in_use()]
    snippets = blog.snippets()
    if snippets:
        urls.append((url_for("site_snippets.index"), None))
    urls += [(url_for("site_snippets.snippet", slug=s.slug), s.updated_at) for s in snippets]
    # lastmod: a W3C datetime with the blog's offset, to the second, as its feeds
    # write dates (a bare UTC date would name the wrong day in Tokyo each morning).
    xml = render_template(
        "feeds/sitemap.xml",
        urls=[(blog_url(g.tenant, path), when) for path, when in urls],
        zone=g.tenant.time_zone,
    )
    return Response(xml, content_type="application/xml; charset=utf-8")


@bp.get("/robots.txt")
def robots() -> Response:
    # Crawling stays allowed even in quarantine: a crawler must fetch a page to
    # read its `noindex`.
    lines = "User-agent: *\nAllow: /\n"
    if not g.tenant.quarantined_at:
        lines += f"Sitemap: {blog_url(g.tenant, url_for('feeds.sitemap'))}\n"
    return Response(lines, mimetype="text/plain")
