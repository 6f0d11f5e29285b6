"""Email verification: the link mailed at signup, and sending it again.

Until their address is verified, bloggers can write drafts but not publish
(see `editor`). The link is single-use and expiring, and it logs the user in:
whoever opens it has the mailbox the account belongs to.
"""

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from inkwell.platform.core.accounts import tokens
from inkwell.platform.core.extensions import db
from inkwell.platform.core.types import utcnow
from inkwell.platform.web import account_mail
from inkwell.platform.web.accounts import logins
from inkwell.platform.web.accounts.auth import DISABLED
from inkwell.platform.web.forms import ConfirmForm
from inkwell.platform.web.rate_limits import limited

bp = Blueprint("verification", __name__)
PATH = tokens.LINK_PATHS["verify_email"]


@bp.get(f"{PATH}<token>")
def verify(token: str) -> Response:
    redeemed = tokens.redeem(token, "verify_email")
    if redeemed is None:
        abort(400, "This link has expired or was already used. Log in to get a new one.")
    user = redeemed.user
    user.email_verified_at = user.email_verified_at or utcnow()
    db.session.commit()
    if not user.is_active:
        abort(403, DISABLED)
    if not (current_user.is_authenticated and current_user.id == user.id):
        if user.two_factor:
            # The mailbox is one factor of two: the password and a code log in.
            flash("Thank you: your address is confirmed. Log in to publish.")
            return redirect(url_for("auth.login"))
        logins.log_in(user)
    flash("Thank you: your address is confirmed, and you can publish.")
    return redirect(url_for("dashboard.home"))


@bp.post(f"{PATH}resend")
@limited("RATE_LIMIT_RESEND")
@login_required
def resend() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if current_user.email_verified_at is None:
        hours = current_app.config["EMAIL_VERIFY_HOURS"]
        token = tokens.issue(current_user, "verify_email", hours)
        account_mail.send("verify_email", current_user, token)
        db.session.commit()
    flash(f"We sent a new link to {current_user.email}.")
    return redirect(url_for("dashboard.home"))
