"""The blog's feeds and each tag's, in Atom, RSS 2.0 and JSON Feed 1.1
(`feed_model`: one model, the same entries in all three), their common aliases,
the sitemap and robots.txt.

Aliases (`/feed/`, `/rss/`, `/atom.xml`, ... at the root and in a tag's folder)
answer a 301 to the feed readers expect there; a post that already had such an
address keeps it (the alias yields), and new posts cannot take one
(`RESERVED_SLUGS`). A static mirror holds no alias: it cannot answer a 301, and
a page that redirects is HTML a feed reader would not follow.
"""

from functools import partial

from flask import Blueprint, Response, abort, g, redirect, render_template, url_for
from werkzeug.wrappers import Response as BaseResponse

from inkwell.platform.core.hosts import blog_url
from inkwell.tenants import content
from inkwell.tenants.blog import post as post_page
from inkwell.tenants.feed_model import FORMATS, Feed, build
from inkwell.tenants.json_feed import document as json_document

bp = Blueprint("feeds", __name__)

# An address readers try -> the format it leads to (WordPress /feed/, Jekyll
# /feed.xml, Hugo /index.xml...).
ALIASES = {
    "feed/": "rss",
    "rss/": "rss",
    "atom/": "atom",
    "feed.xml": "atom",
    "atom.xml": "atom",
    "index.xml": "rss",
}


def _answer(feed: Feed, name: str) -> Response:
    if name == "json":
        body = json_document(feed)
    else:
        body = render_template(f"feeds/{name}.xml", feed=feed, zone=feed.tenant.time_zone)
    return Response(body, content_type=FORMATS[name].content_type)


def _blog_feed(name: str) -> Response:
    return _answer(build(content.current().newest(), g.tenant.title), name)


def _tag_feed(name: str, tag_slug: str) -> Response | BaseResponse:
    endpoint = f"feeds.tag_{FORMATS[name].endpoint}"
    found = content.current().tag(tag_slug)
    if found is None:  # an old address of the tag: a 301 to its feed (mirrors hold none)
        now = content.current().moved_tag(tag_slug) or abort(404)
        return redirect(url_for(endpoint, tag_slug=now), 301)
    posts = content.current().newest(found)
    if not posts:
        abort(404)  # a tag of drafts only: readers must not learn it exists
    return _answer(build(posts, f"{g.tenant.title}: {found.name}", found), name)


def _root_alias(name: str, address: str) -> str | BaseResponse:
    slug = address.rstrip("/")
    blog_content = content.current()
    if address.endswith("/") and (blog_content.post(slug) or blog_content.moved_post(slug)):
        return post_page(slug)  # a post that had this address before the alias did keeps it
    return redirect(url_for(f"feeds.{FORMATS[name].endpoint}"), 301)


def _tag_alias(name: str, tag_slug: str) -> BaseResponse:
    return redirect(url_for(f"feeds.tag_{FORMATS[name].endpoint}", tag_slug=tag_slug), 301)


def _add_rules() -> None:
    """Each format's feed for the blog and for a tag, and each alias at both."""
    for name, fmt in FORMATS.items():
        bp.add_url_rule(f"/{fmt.file}", fmt.endpoint, partial(_blog_feed, name))
        tag_view = partial(_tag_feed, name)
        bp.add_url_rule(f"/tags/<tag_slug>/{fmt.file}", f"tag_{fmt.endpoint}", tag_view)
    for address, name in ALIASES.items():
        key = address.replace("/", "").replace(".", "_")
        bp.add_url_rule(f"/{address}", f"alias_{key}", partial(_root_alias, name, address))
        tag_alias = partial(_tag_alias, name)
        bp.add_url_rule(f"/tags/<tag_slug>/{address}", f"tag_alias_{key}", tag_alias)


_add_rules()


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
