"""Password reset by mail.

The request answers the same page, status and (at least ACCOUNT_MAIL_MIN_SECONDS)
time whether or not the address has an account. The mailed link moves its token
into the session and redirects to a URL without it, so the token never sits in
history, logs or a Referer. A new password uses the token up (of two racing
redemptions exactly one wins), ends every session of the user, remember-me
included, mails a "your password was changed" note, and forgets the account's wrong
passwords, so a login throttled by someone else's guesses works at once.
"""

import time

from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for
from flask_login import logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from inkwell.platform.core.accounts import tokens
from inkwell.platform.core.accounts.passwords import hash_password
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import User
from inkwell.platform.core.types import utcnow
from inkwell.platform.core.validation import normalize_email
from inkwell.platform.web import account_mail, login_throttle
from inkwell.platform.web.forms import ForgotPasswordForm, NewPasswordForm
from inkwell.platform.web.rate_limits import limited

bp = Blueprint("password_reset", __name__)
PATH = tokens.LINK_PATHS["reset_password"]
SESSION_KEY = "reset_token"
EXPIRED = "This reset link has expired or was already used. Please ask for a new one."


@bp.route(tokens.LINK_PATHS["forgot_password"], methods=["GET", "POST"])
@limited("RATE_LIMIT_RESET_REQUEST")
def forgot() -> tuple[str, int] | str:
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/forgot_password.html", form=form), status
    started = time.monotonic()
    email = normalize_email(form.email.data)
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None:
        hours = current_app.config["PASSWORD_RESET_HOURS"]
        account_mail.send("reset_password", user, tokens.issue(user, "reset_password", hours))
        db.session.commit()
    time.sleep(
        max(0.0, current_app.config["ACCOUNT_MAIL_MIN_SECONDS"] - time.monotonic() + started)
    )
    return render_template("auth/forgot_password.html", form=None, sent_to=email)


@bp.get(f"{PATH}<token>")
def take_token(token: str) -> Response:
    session[SESSION_KEY] = token
    return redirect(url_for("password_reset.reset"))


@bp.route(PATH.rstrip("/"), methods=["GET", "POST"])
@limited("RATE_LIMIT_RESET_REDEEM")
def reset() -> Response | tuple[str, int] | str:
    token = session.get(SESSION_KEY, "")
    if tokens.valid(token, "reset_password") is None:
        abort(400, EXPIRED)
    form = NewPasswordForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/reset_password.html", form=form), status
    redeemed = tokens.redeem(token, "reset_password")
    if redeemed is None:  # another request used it since the check above
        abort(400, EXPIRED)
    _set_password(redeemed.user, form.password.data)
    db.session.commit()
    session.pop(SESSION_KEY, None)
    logout_user()
    flash("Your password is changed, and every other session is logged out. Please log in.")
    return redirect(url_for("auth.login"))


def _set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    # The mailbox's owner took the way back the login throttle offers: they may log in now.
    login_throttle.forget(user.email)
    user.session_epoch += 1  # ends every session and remember-me cookie
    # The mail reached them, so the address is theirs; older reset links die.
    user.email_verified_at = user.email_verified_at or utcnow()
    tokens.use_up_all(user, "reset_password")
    account_mail.send("password_changed", user)
