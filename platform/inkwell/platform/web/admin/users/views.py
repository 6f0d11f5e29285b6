"""User accounts in the console: find them, see their blogs and audit trail,
disable or enable them, grant or revoke admin, start a password reset, turn off
the two-factor sign-in of someone who lost the device and the recovery codes.

URL table (under /admin/users):
    GET  /                       the list; ?q= searches email and display name
    GET  /<id>/                  one account, its blogs and its audit entries
    POST /<id>/disable           ?reason in the form; ends every session
    POST /<id>/enable
    POST /<id>/grant-admin
    POST /<id>/revoke-admin
    POST /<id>/reset-password    mails the user the normal reset link
    POST /<id>/reset-two-factor  turns two-factor sign-in off, ends every session, mails
"""

from collections.abc import Callable

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from inkwell.platform.core.administration import user_admin
from inkwell.platform.core.administration.audit_search import AuditFilter, entries
from inkwell.platform.core.audit import Actor
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import AuditEntry, User
from inkwell.platform.core.numbers import query_int
from inkwell.platform.web import account_mail
from inkwell.platform.web.admin import acting_admin, admin_blueprint, check_token
from inkwell.platform.web.admin.users.forms import DisableForm, UserSearchForm
from inkwell.platform.web.forms import ConfirmForm

bp = admin_blueprint("admin_users", __name__, "/users")
PER_PAGE = 50


@bp.get("/")
def index() -> str:
    form = UserSearchForm(request.args)  # nothing in it can be wrong: no validate()
    query = user_admin.search(form.q.data, form.admins.data, form.disabled.data)
    page = db.paginate(query, page=query_int("page", 1), per_page=PER_PAGE, error_out=False)
    blogs = user_admin.blogs_of([user.id for user in page.items])
    args = {name: value for name, value in request.args.items() if name != "page"}
    return render_template("admin/users.html", page=page, blogs=blogs, args=args, form=form)


@bp.get("/<int:user_id>/")
def detail(user_id: int) -> str:
    return _page(db.get_or_404(User, user_id))


def _page(user: User, error: str = "", disable_form: DisableForm | None = None) -> str:
    """The account's page; `disable_form` as sent, when it was refused."""
    trail = db.session.scalars(
        entries(AuditFilter(target_type="user")).where(AuditEntry.target_id == user.id).limit(100)
    )
    return render_template(
        "admin/user.html",
        user=user,
        blogs=user_admin.blogs_of([user.id])[user.id],
        trail=list(trail),
        form=ConfirmForm(),
        disable_form=disable_form or DisableForm(formdata=None),
        error=error,
    )


@bp.post("/<int:user_id>/disable")
def disable(user_id: int) -> Response | tuple[str, int]:
    form = DisableForm()
    if not form.validate_on_submit():
        return _page(db.get_or_404(User, user_id), disable_form=form), 400
    reason = form.reason.data
    return _act(
        user_id,
        lambda user, actor: user_admin.disable(user, actor, reason),
        "{} is disabled and logged out everywhere.",
    )


@bp.post("/<int:user_id>/enable")
def enable(user_id: int) -> Response | tuple[str, int]:
    check_token()
    return _act(user_id, user_admin.enable, "{} can log in again.")


@bp.post("/<int:user_id>/grant-admin")
def grant_admin(user_id: int) -> Response | tuple[str, int]:
    check_token()
    return _act(user_id, user_admin.grant_admin, "{} is an admin now.")


@bp.post("/<int:user_id>/revoke-admin")
def revoke_admin(user_id: int) -> Response | tuple[str, int]:
    check_token()
    response = _act(user_id, user_admin.revoke_admin, "{} is no longer an admin.")
    # Stepping down: the console is 404 to its former admin from now on.
    return redirect(url_for("dashboard.home")) if not current_user.is_admin else response


@bp.post("/<int:user_id>/reset-password")
def reset_password(user_id: int) -> Response | tuple[str, int]:
    check_token()
    return _act(user_id, start_reset, "We mailed {} a link to choose a new password.")


def start_reset(user: User, actor: Actor) -> None:
    """Mail `user` the reset link they would get by asking (console and CLI)."""
    account_mail.send("reset_password", user, user_admin.start_reset(user, actor))


@bp.post("/<int:user_id>/reset-two-factor")
def reset_two_factor(user_id: int) -> Response | tuple[str, int]:
    check_token()
    return _act(user_id, reset_two_factor_and_mail, TWO_FACTOR_RESET)


TWO_FACTOR_RESET = "Two-factor sign-in is off for {}, who was logged out everywhere and mailed."


def reset_two_factor_and_mail(user: User, actor: Actor) -> None:
    """Turn off `user`'s two-factor sign-in and tell them by mail (console and CLI)."""
    user_admin.reset_two_factor(user, actor)
    account_mail.send("two_factor_reset", user)


def _act(
    user_id: int, action: Callable[[User, Actor], None], done: str
) -> Response | tuple[str, int]:
    """Run `action` on the user as the acting admin, commit it with its audit entry,
    and say so; a state that does not allow it shows the user's page again with
    the reason (409)."""
    user = db.get_or_404(User, user_id)  # the view checked the CSRF token first
    try:
        action(user, acting_admin())
        db.session.commit()
    except user_admin.UserAdminError as error:
        db.session.rollback()
        return _page(db.get_or_404(User, user_id), str(error)), 409
    flash(done.format(user.email))
    return redirect(url_for("admin_users.detail", user_id=user.id))
