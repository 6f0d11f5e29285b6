"""Error pages of the platform app: a clear message and the right status, never a bare 500.

Each handler is `degrading` (core.error_pages): should the page itself fail (its
template reaches for the session, the user, the database), the answer is a
minimal page with the same status and message instead.
"""

import math
import time
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from inkwell.platform.core.error_pages import degrading
from inkwell.platform.core.extensions import limiter

_MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have permission to do that.",
    404: "There is nothing here.",
    405: "That action is not available here.",
    413: "That was too large to accept. Please send something smaller.",
    429: "Too many attempts from your address. Please wait a little and try again.",
}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    @degrading
    def _csrf(error: CSRFError) -> ResponseReturnValue:
        message = "Your form expired or came from another site. Reload the page and try again."
        return _page(400, message)

    @app.errorhandler(RateLimitExceeded)
    @degrading
    def _rate_limited(error: RateLimitExceeded) -> ResponseReturnValue:
        # Set here, on the 429 alone: Flask-Limiter's own headers would also put a
        # Retry-After on every answer of a limited form, stretched to the window's
        # end, and overwrite the login throttle's.
        limit = limiter.current_limit
        seconds = math.ceil(limit.reset_at - time.time()) if limit else 60
        body, code = _page(429, _MESSAGES[429])
        return body, code, {"Retry-After": str(max(seconds, 1))}

    @app.errorhandler(HTTPException)
    @degrading
    def _http(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        # A message given to abort() says more than the generic one.
        generic = error.description == type(error).description
        return _page(code, _MESSAGES.get(code, error.description) if generic else error.description)


def _page(code: int, message: str) -> tuple[Any, int]:
    """The error as a page, or as JSON for the editor's scripts."""
    if request.is_json:
        return jsonify(error=message), code
    return render_template("error.html", code=code, message=message), code
