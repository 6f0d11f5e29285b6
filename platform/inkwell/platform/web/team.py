"""The team page of a blog: owners change roles and remove members.
(Inviting by email arrives with mail.)"""

from collections.abc import Callable

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import ROLES, Membership, User
from inkwell.platform.core.team import TeamError, remove, set_role
from inkwell.platform.web.blog_scope import blog_blueprint, require_role
from inkwell.platform.web.forms import ConfirmForm

bp = blog_blueprint("team", __name__, "/team")


@bp.get("/")
def members() -> str:
    query = (
        select(Membership, User)
        .join(User)
        .where(Membership.tenant_id == g.tenant.id)
        .order_by(User.email)
    )
    rows = db.session.execute(query).all()
    return render_template(
        "dashboard/team.html", tenant=g.tenant, role=g.role, rows=rows, roles=ROLES,
        form=ConfirmForm(),
    )  # fmt: skip


def _membership(user_id: int) -> Membership:
    require_role("owner", message="Only the blog's owners can change its team.")
    membership = db.session.get(Membership, (g.tenant.id, user_id))
    if membership is None:
        abort(404)
    return membership


def _change(user_id: int, change: Callable[[Membership], None], done: str) -> Response:
    membership = _membership(user_id)
    try:
        change(membership)
    except TeamError as error:
        db.session.rollback()
        abort(409, str(error))
    db.session.commit()
    flash(done)
    return redirect(url_for("team.members"))


@bp.post("/<int:user_id>/role")
def change_role(user_id: int) -> Response:
    return _change(user_id, lambda m: set_role(m, request.form.get("role", "")), "Role changed.")


@bp.post("/<int:user_id>/remove")
def remove_member(user_id: int) -> Response:
    return _change(user_id, remove, "Member removed.")
