"""Public pages of one blog: index, posts, and the code stylesheet."""

from functools import cache

from flask import Blueprint, Response, g, render_template, request
from pygments.formatters import HtmlFormatter
from sqlalchemy import select

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post

bp = Blueprint("blog", __name__, template_folder="templates", static_folder="static")

PAGE_SIZE = 10


def _published():
    return select(Post).where(Post.status == "published")


@bp.get("/")
def index() -> str:
    query = _published().order_by(Post.published_at.desc(), Post.id.desc()).limit(PAGE_SIZE)
    return render_template("blog/index.html", tenant=g.tenant, posts=db.session.scalars(query))


@bp.get("/<slug>/")
def post(slug: str) -> str:
    found = db.first_or_404(_published().where(Post.slug == slug))
    return render_template("blog/post.html", tenant=g.tenant, post=found)


@bp.get("/code.css")
def code_css() -> Response:
    return Response(
        _pygments_css("default"),
        mimetype="text/css",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@cache
def _pygments_css(style: str) -> str:
    return HtmlFormatter(style=style).get_style_defs(".highlight")


@bp.app_errorhandler(404)
def not_found(_error: Exception) -> tuple[str, int]:
    if g.get("no_such_blog"):
        return render_template("blog/no_such_blog.html", host=request.host), 404
    return render_template("blog/not_found.html", tenant=g.tenant), 404
