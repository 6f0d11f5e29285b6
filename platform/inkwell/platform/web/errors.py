"""Error pages of the platform app: a clear message and the right status, never a bare 500.

Each page says what happened in words (a heading, not a bare code), offers a way
back (the form that was sent, the blog, the console, the dashboard or the home
page: `way_back`), and a 429 says how long to wait, from its Retry-After.
Each handler is `degrading` (core.error_pages): should the page itself fail (its
template reaches for the session, the user, the database), the answer is a
minimal page with the same status and message instead.
"""

import math
import time
from typing import Any

from flask import Flask, g, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_limiter import RateLimitExceeded
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from inkwell.platform.core.error_pages import degrading, log_csrf_refusal
from inkwell.platform.core.extensions import limiter
from inkwell.platform.core.template_filters import plural

_MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have permission to do that.",
    404: "There is nothing here.",
    405: "That action is not available here.",
    413: "That was too large to accept. Please send something smaller.",
    429: "Too many attempts from your address.",
}
# What a person reads as the page's heading; the code stays in small print.
_HEADINGS = {
    400: "This request could not be read",
    403: "Not allowed",
    404: "Page not found",
    405: "Not available here",
    409: "Not possible as things are",
    413: "Too large to accept",
    429: "Too many attempts",
    500: "Something went wrong",
}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    @degrading
    def _csrf(error: CSRFError) -> ResponseReturnValue:
        log_csrf_refusal(error)
        message = "Your form expired or came from another site. Reload the page and try again."
        return _page(400, message)

    @app.errorhandler(RateLimitExceeded)
    @degrading
    def _rate_limited(error: RateLimitExceeded) -> ResponseReturnValue:
        # Set here, on the 429 alone: Flask-Limiter's own headers would also put a
        # Retry-After on every answer of a limited form, stretched to the window's
        # end, and overwrite the login throttle's.
        limit = limiter.current_limit
        seconds = max(math.ceil(limit.reset_at - time.time()) if limit else 60, 1)
        body, code = _page(429, _MESSAGES[429], retry_after=seconds)
        return body, code, {"Retry-After": str(seconds)}

    @app.errorhandler(HTTPException)
    @degrading
    def _http(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        # A message given to abort() says more than the generic one.
        generic = error.description == type(error).description
        return _page(code, _MESSAGES.get(code, error.description) if generic else error.description)


def _page(code: int, message: str, retry_after: int | None = None) -> tuple[Any, int]:
    """The error as a page, or as JSON for the editor's scripts."""
    if request.is_json:
        return jsonify(error=message), code
    page = render_template(
        "error.html",
        code=code,
        heading=_HEADINGS.get(code) or HTTP_STATUS_CODES.get(code, "Error"),
        message=message,
        wait=wait_text(retry_after) if retry_after else None,
        back=way_back(),
    )
    return page, code


def wait_text(seconds: int) -> str:
    """How long a Retry-After of `seconds` is, in words: "40 seconds", "15 minutes"."""
    if seconds < 90:
        return plural(seconds, "second")
    return plural(math.ceil(seconds / 60), "minute")


def way_back() -> tuple[str, str]:
    """Where an error page's main link leads, and its words: the form that was
    sent (when its address shows one), else the nearest page the person can use."""
    if request.method != "GET" and _shows_a_page(request.path):
        return request.full_path.rstrip("?"), "Back to the form"
    if g.get("tenant") is not None and g.get("role"):
        return url_for("editor.posts"), f"Back to {g.tenant.title}"
    if current_user.is_authenticated:
        if (request.blueprint or "").startswith("admin") and current_user.is_admin:
            return url_for("admin.home"), "Back to the admin console"
        return url_for("dashboard.home"), "Back to your dashboard"
    return url_for("dashboard.landing"), "Go to Inkwell's home page"


def _shows_a_page(path: str) -> bool:
    adapter = request.url_rule and request.url_rule.map.bind_to_environ(request.environ)
    return bool(adapter) and adapter.test(path, method="GET")
