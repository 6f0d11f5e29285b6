"""The account page, /account/: a logged-in user's own password, address, logins,
two-factor sign-in (`two_factor`) and the deletion of the account.

- A new password takes the current one. It ends every other login, remember-me
  included (the session epoch moves on and the other logins' rows go); this
  browser stays logged in, under the new epoch. The old address gets the
  "password changed" mail.
- A new address takes the password, and changes nothing until the link mailed to
  it is opened; then the old address is told. An address another account has
  gets the same answer and no mail, so the form tells nobody who has an account.
- Logins: each browser logged in, with its device, network, and when it logged in
  and was last seen; any one, or every other, can be signed out.
- Deleting the account takes the password (and a code with two-factor sign-in);
  the page names the blogs deleted with it and those that stay with their other
  owners (`core.administration.account_deletion`).
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import config as login_config
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from inkwell.platform.core.accounts import login_sessions, tokens, two_factor
from inkwell.platform.core.accounts.passwords import hash_password
from inkwell.platform.core.administration import account_deletion
from inkwell.platform.core.administration.user_admin import UserAdminError
from inkwell.platform.core.audit import Actor
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import AccountToken, User
from inkwell.platform.core.numbers import parse_int
from inkwell.platform.core.types import utcnow
from inkwell.platform.core.validation import normalize_email
from inkwell.platform.web import account_mail
from inkwell.platform.web.accounts.two_factor import check_identity
from inkwell.platform.web.forms import (
    ConfirmForm,
    CredentialsForm,
    DeleteAccountForm,
    EmailChangeForm,
    PasswordChangeForm,
)
from inkwell.platform.web.rate_limits import limited

bp = Blueprint("account", __name__, url_prefix="/account")
EMAIL_PATH = tokens.LINK_PATHS["change_email"]


@bp.get("/")
@login_required
def index() -> str:
    return _page()


def _page(
    password_form: PasswordChangeForm | None = None, email_form: EmailChangeForm | None = None
) -> str:
    user = current_user._get_current_object()
    return render_template(
        "auth/account.html",
        password_form=password_form or PasswordChangeForm(formdata=None),
        email_form=email_form or EmailChangeForm(formdata=None),
        credentials_form=CredentialsForm(formdata=None),
        button_form=ConfirmForm(),
        logins=login_sessions.of_user(user),
        current_key_login=login_sessions.find(user, user.session_key),
        device=login_sessions.device,
        pending_email=_pending_email(user),
        codes_left=two_factor.recovery_codes_left(user) if user.two_factor else 0,
    )


@bp.post("/password")
@limited("RATE_LIMIT_LOGIN")
@login_required
def change_password() -> Response | tuple[str, int]:
    form = PasswordChangeForm()
    back = url_for("account.index")
    if not (form.validate_on_submit() and check_identity(form, back, with_code=False)):
        return _page(password_form=form), 400
    user = current_user._get_current_object()
    user.password_hash = hash_password(form.password.data)
    user.session_epoch += 1  # every other browser's login id, remember-me too, stops loading
    login_sessions.end_others(user, keep=user.session_key)
    tokens.use_up_all(user, "reset_password")
    account_mail.send("password_changed", user)
    db.session.commit()
    # This browser carries on under the new epoch (and keeps its remember-me, if it had one).
    cookie = current_app.config.get("REMEMBER_COOKIE_NAME", login_config.COOKIE_NAME)
    remember = cookie in request.cookies
    login_user(user, remember=remember)
    flash("Your password is changed, and every other session is logged out.")
    return redirect(back)


@bp.post("/email")
@limited("RATE_LIMIT_RESET_REQUEST")
@login_required
def change_email() -> Response | tuple[str, int]:
    form = EmailChangeForm()
    if not (
        form.validate_on_submit()
        and check_identity(form, url_for("account.index"), with_code=False)
    ):
        return _page(email_form=form), 400
    user = current_user._get_current_object()
    email = normalize_email(form.email.data)
    if email == user.email:
        form.email.errors.append("That is your address already.")
        return _page(email_form=form), 400
    tokens.use_up_all(user, "change_email")  # one change waits at a time: the newest
    if db.session.scalar(select(User.id).where(User.email == email)) is None:
        hours = current_app.config["EMAIL_CHANGE_HOURS"]
        token = tokens.issue(user, "change_email", hours, email=email)
        account_mail.send("change_email", user, token)
    db.session.commit()
    flash(
        f"We sent a link to {email}: open it to make that your address. "
        f"Until then, your address stays {user.email}."
    )
    return redirect(url_for("account.index"))


@bp.get(f"{EMAIL_PATH.removeprefix('/account')}<token>")
def confirm_email(token: str) -> Response:
    redeemed = tokens.redeem(token, "change_email")
    if redeemed is None:
        abort(
            400,
            "This link has expired or was already used. Ask for a new one on your account page.",
        )
    user, old = redeemed.user, redeemed.user.email
    if not user.is_active:
        abort(403, "This account is disabled.")
    user.email, user.email_verified_at = redeemed.email, utcnow()
    account_mail.send("email_changed", user, to=old)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        abort(409, f"{redeemed.email} belongs to another account now, so it cannot be yours.")
    flash(f"Your address is {user.email} now. We told {old} about the change.")
    return redirect(url_for("account.index"))


@bp.post("/sessions/end")
@login_required
def end_session() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    # A form field rather than a path part: one URL for every session's button.
    login_id = parse_int(request.form.get("session", ""))
    if login_id is None:
        abort(400, "Which session? This form was damaged: reload the page.")
    user = current_user._get_current_object()
    current = login_sessions.find(user, user.session_key)
    if not login_sessions.end(user, login_id):
        abort(404, "There is no such session: it may have ended already.")
    db.session.commit()
    if current is not None and current.id == login_id:
        logout_user()
        flash("You are logged out.")
        return redirect(url_for("auth.login"))
    flash("That session is signed out.")
    return redirect(url_for("account.index") + "#sessions")


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ended = login_sessions.end_others(current_user, keep=current_user.session_key)
    db.session.commit()
    flash(f"Signed out {_sessions(ended)}." if ended else "There were no other sessions.")
    return redirect(url_for("account.index") + "#sessions")


@bp.route("/delete", methods=["GET", "POST"])
@limited("RATE_LIMIT_LOGIN")
@login_required
def delete() -> Response | tuple[str, int] | str:
    user = current_user._get_current_object()
    form = DeleteAccountForm()
    blogs = account_deletion.blogs_of(user)
    back = url_for("account.delete")
    if not (form.validate_on_submit() and check_identity(form, back)):
        page = render_template("auth/account_delete.html", form=form, blogs=blogs)
        return page, 400 if form.is_submitted() else 200
    actor = Actor(user.id, user.email, request.remote_addr or "")
    try:
        deleted = account_deletion.delete_account(user, actor)
    except UserAdminError as error:
        db.session.rollback()
        abort(409, str(error))
    db.session.commit()
    logout_user()
    flash(f"Your account is deleted.{_blogs_gone(deleted)}")
    return redirect(url_for("dashboard.landing"))


def _pending_email(user: User) -> str:
    """The new address waiting for its link to be opened, if any."""
    link = db.session.scalar(
        select(AccountToken)
        .where(*tokens.open_of(user, "change_email"))
        .order_by(AccountToken.id.desc())
        .limit(1)
    )
    return link.email if link else ""


def _sessions(count: int) -> str:
    return f"{count} other session{'' if count == 1 else 's'}"


def _blogs_gone(subdomains: list[str]) -> str:
    if not subdomains:
        return ""
    names = ", ".join(subdomains)
    blogs = "blog" if len(subdomains) == 1 else "blogs"
    return f" With it, the {blogs} {names}: an administrator can restore them for a while."
