"""Public pages of one blog: index and tag pages (paginated by path, since a
static mirror cannot keep query strings) and posts (pages such as /about/ too),
with every page's header links (`navigation`); and the blog host's
error pages, `degrading` to a minimal page should one fail (core.error_pages).

An old address of a post or tag (`content.moved_post`, `moved_tag`) answers a
301 to where it is now (`moved`); a mirror's freeze, which cannot keep a 301,
sets REDIRECT_PAGES and gets a page that redirects instead. A post's old address
may be any path no other view answers (`old_address`: `/2019/05/slug/`, `/p/slug`,
with or without the slash) or WordPress's `/?p=123` and `/?page_id=7` on the home
page, which answer 404 when no post had them (nothing is stored per value).
"""

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_sqlalchemy.pagination import Pagination
from werkzeug.wrappers import Response as BaseResponse

from inkwell.platform.core.content.alias_paths import QUERY_KEYS, AliasError, query_alias
from inkwell.platform.core.domains.names import shown_url
from inkwell.platform.core.error_pages import degrading
from inkwell.platform.core.hosts import blog_url
from inkwell.platform.core.models import Tag
from inkwell.tenants import content
from inkwell.tenants.navigation import Link, link
from inkwell.tenants.page_cache import not_stored, reads_query

bp = Blueprint("blog", __name__, template_folder="templates")


def page_of(number: int, tag: Tag | None = None) -> Pagination:
    """One page of posts, newest first; 404 past the last page."""
    if number < 1:
        abort(404)
    posts = content.current().page(number, tag)
    if number > 1 and not posts.items:
        abort(404)
    return posts


@bp.get("/")
@bp.get("/page/<int:page>/")
@reads_query(*QUERY_KEYS)
def index(page: int = 1) -> str | BaseResponse:
    if page == 1 and request.path != "/":
        return redirect(url_for("blog.index"), 301)
    if request.args:
        if page == 1:
            return _by_query()
        not_stored()  # ?p= means nothing past page 1: no cache entry per value
    posts = page_of(page)
    return render_template("blog/index.html", tenant=g.tenant, posts=posts, endpoint="blog.index")


@bp.get("/tags/<tag_slug>/")
@bp.get("/tags/<tag_slug>/page/<int:page>/")
def tag(tag_slug: str, page: int = 1) -> str | BaseResponse:
    if page == 1 and request.path != url_for("blog.tag", tag_slug=tag_slug):
        return redirect(url_for("blog.tag", tag_slug=tag_slug), 301)
    found = content.current().tag(tag_slug)
    if found is None:
        now = content.current().moved_tag(tag_slug) or abort(404)
        return moved("blog.tag", tag_slug=now, **({"page": page} if page > 1 else {}))
    posts = page_of(page, found)
    if not posts.items:
        abort(404)  # a tag of drafts only: readers must not learn it exists
    return render_template(
        "blog/index.html", tenant=g.tenant, posts=posts, tag=found, endpoint="blog.tag"
    )


@bp.app_context_processor
def _site_wide() -> dict[str, object]:
    # Called by the templates that show them only, so other pages pay nothing.
    return {"recent_posts": recent_posts, "header_links": header_links}


def header_links() -> list[tuple[Link, bool]]:
    """The blog's navigation as links to what is public, each with whether it is the
    page shown. Not a cached fragment: two small queries, paid only by a page the page
    cache does not hold (and cache entries stay one per page)."""
    links = [link(item) for item in content.current().navigation()]
    here = request.path
    return [(a, not a.url and url_for(a.endpoint, **a.values) == here) for a in links]


def recent_posts() -> list[tuple[str, str]]:
    """(slug, title) of the newest posts, for the post page's side block: kept on
    the blog's row at write time and read with the post (`content.Live.post`)."""
    return content.current().recent()


@bp.get("/<slug>/")
def post(slug: str) -> str | BaseResponse:
    found = content.current().post(slug)
    if found is None:
        return moved("blog.post", slug=content.current().moved_post(slug) or abort(404))
    return render_template("blog/post.html", tenant=g.tenant, post=found)


@bp.get("/<path:address>")
def old_address(address: str) -> str | BaseResponse:
    """A path of the blog's old site that an imported post kept, or one given in its editor."""
    return moved("blog.post", slug=content.current().moved_post(address.strip("/")) or abort(404))


def _by_query() -> str | BaseResponse:
    """WordPress's /?p=123: where the post that had it is now."""
    try:
        old = query_alias(request.args)
    except AliasError:
        abort(404)
    return moved("blog.post", slug=(old and content.current().moved_post(old)) or abort(404))


def moved(endpoint: str, **values: Any) -> str | BaseResponse:
    """A permanent redirect to the page of `endpoint` and `values`, where an old
    address leads; for a static mirror, a page that redirects (meta refresh, canonical)."""
    if not current_app.config.get("REDIRECT_PAGES"):
        return redirect(url_for(endpoint, **values), 301)
    canonical = g.moved_to = blog_url(g.tenant, url_for(endpoint, **values))
    page = "blog/moved.html"
    return render_template(page, endpoint=endpoint, values=values, canonical=canonical)


@bp.get("/favicon.ico")
def favicon() -> Response:
    # Answer at once instead of redirecting to /favicon.ico/ (the post route).
    return Response(status=404)


@bp.app_errorhandler(410)
@degrading
def unavailable(_error: Exception) -> Response:
    """A suspended or deleted blog: neutral words, no reason (that is for its owners),
    and not stored by shared caches, so a restored blog is back at once."""
    response = make_response(render_template("blog/unavailable.html"), 410)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_errorhandler(500)
@degrading
def server_error(_error: Exception) -> Response:
    """A failure of ours: plain words and the request id to quote, on the bare
    page that needs no blog (behind nginx readers get the blog's mirror instead);
    should even that fail, `degrading`'s minimal page."""
    response = make_response(render_template("blog/server_error.html"), 500)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_errorhandler(404)
@degrading
def not_found(_error: Exception) -> tuple[str, int]:
    if g.get("no_such_blog"):
        # The name as the reader typed it: an IDN in Unicode, not the punycode sent.
        host = shown_url(f"http://{request.host}").removeprefix("http://")
        return render_template("blog/no_such_blog.html", host=host), 404
    return render_template("blog/not_found.html", tenant=g.tenant), 404
