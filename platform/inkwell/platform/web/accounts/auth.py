"""Signup, login and logout on the platform host.

Signup answers alike whether or not the email has an account, so it cannot be
used to find out: a new address gets its account and blog and a verification
mail, a known one gets a note to its owner ("someone tried to sign up"); both
land on the login page with "check your inbox". The verification link logs in.

Login is throttled per account as well as per client address: an address that had
too many wrong passwords in a row waits before its password is checked again, and
gets a 429 page saying how long, with links back to the form and to a password
reset (see `web.login_throttle`).
"""

import math
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user, logout_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from inkwell.platform.core.accounts import login_sessions, tokens
from inkwell.platform.core.accounts.passwords import check_password, hash_password
from inkwell.platform.core.accounts.registration import (
    AccountError,
    check_subdomain,
    new_blog,
    new_user,
)
from inkwell.platform.core.administration.risk import network_of
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import User
from inkwell.platform.core.validation import normalize_email
from inkwell.platform.web import account_mail, login_throttle
from inkwell.platform.web.accounts import logins
from inkwell.platform.web.errors import wait_text
from inkwell.platform.web.forms import ConfirmForm, LoginForm, SignupForm
from inkwell.platform.web.rate_limits import limited

bp = Blueprint("auth", __name__)
DISABLED = "This account is disabled. Please contact the platform's administrators."


def init_app(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."

    login_manager.user_loader(logins.load)

    @app.context_processor
    def _logout_form() -> dict[str, ConfirmForm]:
        return {"logout_form": ConfirmForm()}


@bp.route("/signup", methods=["GET", "POST"])
@limited("RATE_LIMIT_SIGNUP")
def signup() -> Response | tuple[str, int] | str:
    form = SignupForm()
    if not form.validate_on_submit():
        return render_template("auth/signup.html", form=form), 400 if form.is_submitted() else 200
    email = normalize_email(form.email.data)
    try:
        # The blog address first: its answer must not depend on the email.
        check_subdomain(form.subdomain.data)
        if _existing_user(email) is None:
            _create_account(form)
            db.session.commit()
        else:
            _note_to_owner(email, form.password.data)
    except (AccountError, IntegrityError) as error:
        # IntegrityError: a concurrent signup took the address or email after our check.
        db.session.rollback()
        if isinstance(error, IntegrityError) and _existing_user(email) is not None:
            _note_to_owner(email, form.password.data)
        else:
            _form_error(form, error)
            return render_template("auth/signup.html", form=form), 409
    flash(f"Check your inbox: we sent a mail to {email}. Open its link to confirm your address.")
    return redirect(url_for("auth.login"))


def _existing_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _create_account(form: SignupForm) -> None:
    user = new_user(form.email.data, form.password.data)
    config = current_app.config
    new_blog(
        user,
        form.subdomain.data,
        form.title.data,
        config["BLOG_DOMAIN"],
        signup_network=network_of(request.remote_addr),
        quarantined=config["QUARANTINE_NEW_BLOGS"],
        time_zone=form.time_zone.data,
    )
    hours = config["EMAIL_VERIFY_HOURS"]
    account_mail.send("verify_email", user, tokens.issue(user, "verify_email", hours))


def _note_to_owner(email: str, password: str) -> None:
    """Tell the owner of `email` someone tried to sign up with it, after as much
    work as a new account costs (the password hash), so timing tells nothing."""
    hash_password(password)
    user = _existing_user(email)
    if user is not None:
        account_mail.send("signup_existing", user)
        db.session.commit()


def _form_error(form: SignupForm, error: Exception) -> None:
    if isinstance(error, AccountError) and error.field:
        getattr(form, error.field).errors.append(str(error))
    else:
        form.form_errors.append("That address was just taken. Please choose another.")


@bp.route("/login", methods=["GET", "POST"])
@limited("RATE_LIMIT_LOGIN")
def login() -> Response | tuple[str, int] | str:
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.is_submitted() else 200
    email = normalize_email(form.email.data)
    # Before the account is looked up or the password hashed: the same answer, as
    # fast, for an address with no account, and for the right password too.
    if wait := login_throttle.seconds_to_wait(email):
        return _throttled(wait)
    user = db.session.scalar(select(User).where(User.email == email))
    if not check_password(user.password_hash if user else None, form.password.data):
        login_throttle.login_failed(email)
        form.form_errors.append("Wrong email or password.")
        return render_template("auth/login.html", form=form), 401
    login_throttle.forget(email)
    if not user.is_active:
        # Only someone who knows the password learns that the account exists.
        form.form_errors.append(DISABLED)
        return render_template("auth/login.html", form=form), 403
    next_path = safe_next(request.args.get("next"))
    if user.two_factor:
        logins.begin_second_step(user, form.remember.data, next_path)
        return redirect(url_for("two_factor.login_code"))
    logins.log_in(user, remember=form.remember.data)
    return redirect(next_path or url_for("dashboard.home"))


def _throttled(wait: float) -> tuple[str, int, dict[str, str]]:
    return throttled(wait, url_for("auth.login", next=safe_next(request.args.get("next"))))


def throttled(wait: float, back_url: str, codes: bool = False) -> tuple[str, int, dict[str, str]]:
    """429 for an account that must wait (after wrong passwords, or wrong `codes`):
    when to try again, and the way back."""
    seconds = math.ceil(wait)
    page = render_template(
        "auth/login_throttled.html", wait=wait_text(seconds), login_url=back_url, codes=codes
    )
    return page, 429, {"Retry-After": str(seconds)}


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        login_sessions.end_key(current_user, current_user.session_key)
        db.session.commit()
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("dashboard.landing"))


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None
