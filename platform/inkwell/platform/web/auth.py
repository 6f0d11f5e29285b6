"""Signup, login and logout on the platform host."""

from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from inkwell.platform.core.accounts import AccountError, new_blog, new_user
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import blog_url
from inkwell.platform.core.models import User
from inkwell.platform.core.passwords import check_password
from inkwell.platform.core.validation import normalize_email
from inkwell.platform.web.forms import ConfirmForm, LoginForm, SignupForm

bp = Blueprint("auth", __name__)


def init_app(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."

    @login_manager.user_loader
    def _load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id)) if user_id.isdigit() else None

    @app.context_processor
    def _logout_form() -> dict[str, ConfirmForm]:
        return {"logout_form": ConfirmForm()}


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> Response | tuple[str, int] | str:
    form = SignupForm()
    if not form.validate_on_submit():
        return render_template("auth/signup.html", form=form), 400 if form.is_submitted() else 200
    try:
        user = new_user(form.email.data, form.password.data)
        tenant = new_blog(
            user, form.subdomain.data, form.title.data, current_app.config["BLOG_DOMAIN"]
        )
        db.session.commit()
    except (AccountError, IntegrityError) as error:
        # IntegrityError: a concurrent signup took the address or email after our check.
        db.session.rollback()
        _form_error(form, error)
        return render_template("auth/signup.html", form=form), 409
    login_user(user)
    flash(f"Welcome! Your blog is live at {blog_url(tenant)}")
    return redirect(url_for("dashboard.home"))


def _form_error(form: SignupForm, error: Exception) -> None:
    if isinstance(error, AccountError) and error.field:
        getattr(form, error.field).errors.append(str(error))
    else:
        form.form_errors.append("That address or email was just taken. Please choose another.")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.is_submitted() else 200
    user = db.session.scalar(select(User).where(User.email == normalize_email(form.email.data)))
    if not check_password(user.password_hash if user else None, form.password.data):
        form.form_errors.append("Wrong email or password.")
        return render_template("auth/login.html", form=form), 401
    login_user(user, remember=form.remember.data)
    return redirect(safe_next(request.args.get("next")) or url_for("dashboard.home"))


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    flash("You are logged out.")
    return redirect(url_for("dashboard.landing"))


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None
