"""The team page of a blog: owners change roles, remove members, and invite
people by email (see `invitations` for the invitee's side).

A blog keeps an owner: its only owner is offered neither Remove nor another
role, and the page says why; a change refused all the same (two owners removed
at once) answers the team page again, 409, with the reason at its top."""

from collections.abc import Callable

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from inkwell.platform.core.accounts import invitations
from inkwell.platform.core.accounts.team import TeamError, remove, set_role
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits.quotas import QuotaExceeded
from inkwell.platform.core.models import ROLES, Membership, User
from inkwell.platform.core.outbox import enqueue
from inkwell.platform.web.dashboard.blog_scope import blog_blueprint, require_role
from inkwell.platform.web.forms import ConfirmForm, InviteForm
from inkwell.platform.web.rate_limits import limited
from inkwell.workers.mail import send_invitation

bp = blog_blueprint("team", __name__, "/team")
OWNERS_ONLY = "Only the blog's owners can change its team."


@bp.get("/")
def members() -> str:
    return _page(InviteForm())


def _page(invite_form: InviteForm, problem: str = "") -> str:
    query = (
        select(Membership, User)
        .join(User)
        .where(Membership.tenant_id == g.tenant.id)
        .order_by(User.email)
    )
    rows = db.session.execute(query).all()
    owners = sum(1 for membership, _user in rows if membership.role == "owner")
    # Who is invited is the owners' business, as is inviting.
    pending = invitations.pending(g.tenant.id) if g.role == "owner" else []
    return render_template(
        "dashboard/team.html", tenant=g.tenant, role=g.role, rows=rows, roles=ROLES,
        form=ConfirmForm(), invite_form=invite_form, pending=pending, owners=owners,
        problem=problem,
    )  # fmt: skip


def _membership(user_id: int) -> Membership:
    require_role("owner", message=OWNERS_ONLY)
    membership = db.session.get(Membership, (g.tenant.id, user_id))
    if membership is None:
        abort(404)
    return membership


def _change(
    user_id: int, change: Callable[[Membership], None], done: str
) -> Response | tuple[str, int]:
    membership = _membership(user_id)
    try:
        change(membership)
    except TeamError as error:
        db.session.rollback()
        return _page(InviteForm(), str(error)), 409
    db.session.commit()
    flash(done)
    return redirect(url_for("team.members"))


@bp.post("/<int:user_id>/role")
def change_role(user_id: int) -> Response | tuple[str, int]:
    return _change(user_id, lambda m: set_role(m, request.form.get("role", "")), "Role changed.")


@bp.post("/<int:user_id>/remove")
def remove_member(user_id: int) -> Response | tuple[str, int]:
    return _change(user_id, remove, "Member removed.")


@bp.post("/invitations")
@limited("RATE_LIMIT_INVITE")
def invite() -> Response | tuple[str, int]:
    require_role("owner", message=OWNERS_ONLY)
    form = InviteForm()
    if not form.validate_on_submit():
        return _page(form), 400
    config = current_app.config
    try:
        invitation = invitations.invite(
            g.tenant, current_user._get_current_object(), form.email.data, form.role.data,
            hours=config["INVITATION_HOURS"], max_pending=config["INVITATIONS_MAX_PENDING"],
        )  # fmt: skip
        # The mail goes out after the commit, through the outbox (never .delay() here).
        enqueue(send_invitation.name, f"invitation:{invitation.id}", invitation_id=invitation.id)
        db.session.commit()
    except QuotaExceeded as refused:
        db.session.rollback()
        form.email.errors.append(str(refused))
        return _page(form), refused.status
    except (invitations.InvitationError, IntegrityError) as error:
        # IntegrityError: another owner invited the same address at the same moment.
        db.session.rollback()
        message = str(error) if isinstance(error, invitations.InvitationError) else None
        form.email.errors.append(message or "That address was just invited. Reload the page.")
        return _page(form), 409
    flash(f"Invitation sent to {invitation.email} as {invitation.role}.")
    return redirect(url_for("team.members"))


@bp.post("/invitations/<int:invitation_id>/revoke")
def revoke_invitation(invitation_id: int) -> Response:
    require_role("owner", message=OWNERS_ONLY)
    if not invitations.revoke(g.tenant.id, invitation_id):
        abort(404)
    db.session.commit()
    flash("Invitation revoked: its link no longer works.")
    return redirect(url_for("team.members"))
