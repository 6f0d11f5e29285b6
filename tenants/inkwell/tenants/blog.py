"""Public pages of one blog: index and tag pages (paginated by path, since a
static mirror cannot keep query strings), posts, about, and code stylesheets."""

from functools import cache

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from flask_sqlalchemy.pagination import Pagination
from pygments.formatters import HtmlFormatter
from pygments.styles import get_all_styles
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response as BaseResponse

from inkwell.platform.core.caching import cache_get, cache_set, tenant_key
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Tag
from inkwell.platform.core.posts import public_posts, tagged

bp = Blueprint("blog", __name__, template_folder="templates", static_folder="static")

PAGE_SIZE = 10
STYLESHEET_MAX_AGE = 7 * 24 * 3600


def newest_first(query: Select[tuple[Post]]) -> Select[tuple[Post]]:
    return query.options(selectinload(Post.tags)).order_by(Post.published_at.desc(), Post.id.desc())


def page_of(query: Select[tuple[Post]], page: int) -> Pagination:
    """One page of posts, newest first; 404 past the last page."""
    if page < 1:
        abort(404)
    posts = db.paginate(newest_first(query), page=page, per_page=PAGE_SIZE, error_out=False)
    if page > 1 and not posts.items:
        abort(404)
    return posts


@bp.get("/")
@bp.get("/page/<int:page>/")
def index(page: int = 1) -> str | BaseResponse:
    if page == 1 and request.path != "/":
        return redirect(url_for("blog.index"), 301)
    posts = page_of(public_posts(), page)
    return render_template("blog/index.html", tenant=g.tenant, posts=posts, endpoint="blog.index")


@bp.get("/tags/<tag_slug>/")
@bp.get("/tags/<tag_slug>/page/<int:page>/")
def tag(tag_slug: str, page: int = 1) -> str | BaseResponse:
    if page == 1 and request.path != url_for("blog.tag", tag_slug=tag_slug):
        return redirect(url_for("blog.tag", tag_slug=tag_slug), 301)
    found = db.first_or_404(select(Tag).where(Tag.slug == tag_slug))
    posts = page_of(tagged(public_posts(), found), page)
    if not posts.items:
        abort(404)  # a tag of drafts only: readers must not learn it exists
    return render_template(
        "blog/index.html", tenant=g.tenant, posts=posts, tag=found, endpoint="blog.tag"
    )


RECENT_POSTS = 5


@bp.app_context_processor
def _recent_posts() -> dict[str, object]:
    return {"recent_posts": recent_posts}


def recent_posts() -> list[tuple[str, str]]:
    """(slug, title) of the newest posts, for the post page's side block; a cached
    fragment, keyed per blog like whole pages."""
    key = tenant_key(g.tenant, "fragment:recent-posts")
    cached = cache_get(key)
    if cached is None:
        query = public_posts().with_only_columns(Post.slug, Post.title)
        query = query.order_by(Post.published_at.desc()).limit(RECENT_POSTS)
        cached = [(slug, title) for slug, title in db.session.execute(query)]
        cache_set(key, cached)
    return cached


@bp.get("/about/")
def about() -> str:
    return render_template("blog/about.html", tenant=g.tenant)


@bp.get("/<slug>/")
def post(slug: str) -> str:
    found = db.first_or_404(
        public_posts().options(selectinload(Post.tags)).where(Post.slug == slug)
    )
    return render_template("blog/post.html", tenant=g.tenant, post=found)


@bp.get("/code/<style>.css")
def code_css(style: str) -> Response:
    if style not in _styles():
        abort(404)
    cache_control = f"public, max-age={STYLESHEET_MAX_AGE}"
    return Response(
        _style_css(style), mimetype="text/css", headers={"Cache-Control": cache_control}
    )


@cache
def _styles() -> frozenset[str]:
    return frozenset(get_all_styles())


@cache
def _style_css(style: str) -> str:
    return HtmlFormatter(style=style).get_style_defs(".highlight")


@bp.get("/favicon.ico")
def favicon() -> Response:
    # Answer at once instead of redirecting to /favicon.ico/ (the post route).
    return Response(status=404)


@bp.app_errorhandler(404)
def not_found(_error: Exception) -> tuple[str, int]:
    if g.get("no_such_blog"):
        return render_template("blog/no_such_blog.html", host=request.host), 404
    return render_template("blog/not_found.html", tenant=g.tenant), 404
