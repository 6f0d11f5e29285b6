"""Writing in one blog: /blogs/<subdomain>/... Every URL here checks that the
user is a member of that blog and makes it the current tenant, so a post id of
another blog simply is not found (404) and nothing of it can change."""

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import blog_url
from inkwell.platform.core.models import Membership, Post, Tenant
from inkwell.platform.core.posts import delete_post, save_post
from inkwell.platform.web.forms import ConfirmForm, PostForm

bp = Blueprint("editor", __name__, url_prefix="/blogs/<subdomain>")


@bp.url_value_preprocessor
def _enter_blog(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.subdomain = (values or {}).pop("subdomain", "")


@bp.before_request
@login_required
def _check_membership() -> None:
    query = (
        select(Tenant, Membership.role)
        .join(Membership)
        .where(Tenant.subdomain == g.subdomain, Membership.user_id == current_user.id)
    )
    row = db.session.execute(query).first()
    if row is None:
        abort(404)
    g.tenant, g.role = row
    tenancy.enter_for_request(g.tenant.id)


@bp.url_defaults
def _keep_blog(_endpoint: str, values: dict[str, Any]) -> None:
    values.setdefault("subdomain", g.get("subdomain"))


@bp.get("/")
def posts() -> str:
    rows = db.session.scalars(select(Post).order_by(Post.updated_at.desc()))
    return render_template(
        "dashboard/posts.html",
        tenant=g.tenant,
        posts=rows,
        public_url=blog_url(g.tenant),
        delete_form=ConfirmForm(),
    )


@bp.route("/posts/new", methods=["GET", "POST"])
def new_post() -> Response | tuple[str, int] | str:
    return _edit(Post(author_id=current_user.id))


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
def edit_post(post_id: int) -> Response | tuple[str, int] | str:
    return _edit(db.get_or_404(Post, post_id))


def _edit(post: Post) -> Response | tuple[str, int] | str:
    form = PostForm(obj=post)
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template(
            "dashboard/post_form.html", form=form, post=post, tenant=g.tenant
        ), status
    save_post(
        post,
        g.tenant,
        title=form.title.data,
        body_md=form.body_md.data or "",
        status=form.status.data,
    )
    db.session.commit()
    flash(f"Saved “{post.title}”.")
    return redirect(url_for("editor.posts"))


@bp.post("/posts/<int:post_id>/delete")
def remove_post(post_id: int) -> Response:
    post = db.get_or_404(Post, post_id)
    delete_post(post, g.tenant)
    db.session.commit()
    flash(f"Deleted “{post.title}”.")
    return redirect(url_for("editor.posts"))
