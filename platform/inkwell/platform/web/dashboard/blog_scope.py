"""Blueprints whose URLs live inside one blog: /blogs/<subdomain>/...

Every request checks that the user is a member of that blog and makes it the
current tenant, so an id of another blog is simply not found (404) and nothing
of it can change. Views read `g.tenant` and `g.role`. While an admin has the
blog suspended or deleted, its members can read and export, but every unsafe
request answers 403 with the reason.

A blueprint made with `answers_json=True` (the media upload, which scripts send as
multipart, not JSON) answers every error as `{"error": ...}`, as the editor's
JSON requests are answered: logged out, not a member, a bad CSRF token, too large.
"""

from typing import Any

from flask import Blueprint, abort, g, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from inkwell.platform.core import tenancy
from inkwell.platform.core.error_pages import degrading, log_csrf_refusal
from inkwell.platform.core.extensions import db, login_manager
from inkwell.platform.core.models import Membership, Tenant

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CSRF_MESSAGE = "Your form expired or came from another site. Reload the page and try again."
_JSON_BLUEPRINTS: set[str] = set()


def blog_blueprint(
    name: str, import_name: str, url_prefix: str = "", answers_json: bool = False
) -> Blueprint:
    bp = Blueprint(name, import_name, url_prefix=f"/blogs/<subdomain>{url_prefix}")
    bp.url_value_preprocessor(_take_subdomain)
    bp.before_request(_check_membership)
    bp.url_defaults(_keep_subdomain)
    if answers_json:
        _JSON_BLUEPRINTS.add(name)
        bp.register_error_handler(CSRFError, degrading(_csrf_as_json))
        bp.register_error_handler(HTTPException, degrading(_http_error_as_json))
    return bp


def _answers_json() -> bool:
    return request.is_json or request.blueprint in _JSON_BLUEPRINTS


def _http_error_as_json(error: HTTPException) -> Response:
    code = error.code or 500
    generic = error.description == type(error).description
    message = "There is nothing here." if code == 404 and generic else str(error.description)
    return json_error(message, code)


def json_error(message: str, status: int) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    return response


def require_role(*roles: str, message: str) -> None:
    """403 unless the current member has one of `roles`."""
    if g.role not in roles:
        abort(403, message)


def _take_subdomain(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.subdomain = (values or {}).pop("subdomain", "")


def _check_membership() -> Response | None:
    if not current_user.is_authenticated:
        # Scripts (preview, autosave) get a status they can explain; pages go to login.
        if _answers_json():
            return json_error("You are logged out. Log in again in another tab.", 401)
        return login_manager.unauthorized()
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
    if g.tenant.status != "active" and request.method not in SAFE_METHODS:
        return _refuse_changes(g.tenant)
    return None


def _refuse_changes(tenant: Tenant) -> Response:
    """A suspended or deleted blog can be read and exported, not changed: 403 saying why
    (the base template shows the same reason as a banner on every page of the blog)."""
    message = (
        f"This blog is {tenant.status} by the platform's administrators: "
        f"{tenant.status_reason} Nothing can be changed or published until they restore it."
    )
    if _answers_json():
        return json_error(message, 403)
    abort(403, message)


def _keep_subdomain(_endpoint: str, values: dict[str, Any]) -> None:
    values.setdefault("subdomain", g.get("subdomain"))


def _csrf_as_json(error: CSRFError) -> Response:
    log_csrf_refusal(error)
    return json_error(CSRF_MESSAGE, 400)
