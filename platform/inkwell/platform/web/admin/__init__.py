"""The admin console on the platform host, /admin/: for platform admins only.

Every admin blueprint answers 404 to anyone else (logged out included), so the
console's existence is not revealed; blog hosts have no admin routes at all. With
ADMIN_REQUIRE_2FA (on in production), an admin without two-factor sign-in is sent
to turn it on (the account page's) before any console page answers.

Admin blueprints are exempt from the app-wide CSRF check; each admin view
validates its Flask-WTF form (`forms.py` beside the views; a button alone is
`web.forms.ConfirmForm`, checked by `check_token()`) after the 404, so a
stranger's POST cannot tell the console exists from a "form expired". Every
platform form derives from `web.forms.PlatformForm`, whose validation raises
`CSRFError` for a bad token: the same 400 page as the app-wide check, and a
forged request's fields never come back in a form with a fresh token.

Each feature is a folder (tenants, users, audit, quotas, jobs) with its views,
forms and CLI; they share only this guard and `acting_admin()` for the audit log.
"""

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from inkwell.platform.core.audit import Actor
from inkwell.platform.core.extensions import csrf
from inkwell.platform.web.forms import ConfirmForm


def admin_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    bp = Blueprint(name, import_name, url_prefix=f"/admin{url_prefix}")
    bp.before_request(_admins_only)
    # The app-wide CSRF check runs before this guard, and its 400 would tell a
    # stranger's POST that the console exists. Each admin view validates its
    # form instead (PlatformForm: a bad token is the same 400), after the 404.
    csrf.exempt(bp)
    return bp


def _admins_only() -> Response | None:
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(404)
    if current_app.config["ADMIN_REQUIRE_2FA"] and not current_user.two_factor:
        flash("The admin console needs two-factor sign-in: please turn it on first.", "error")
        return redirect(url_for("two_factor.enrol"))
    return None


def acting_admin() -> Actor:
    """The admin making this request, for the audit log."""
    return Actor(current_user.id, current_user.email, request.remote_addr or "")


def check_token() -> None:
    """The CSRF token of an action that is only a button (a ConfirmForm): a
    missing or wrong one raises CSRFError, 400 "form expired"."""
    ConfirmForm().validate()
