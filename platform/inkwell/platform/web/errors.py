"""Error pages of the platform app: a clear message and the right status, never a bare 500.

Each handler is `degrading` (core.error_pages): should the page itself fail (its
template reaches for the session, the user, the database), the answer is a
minimal page with the same status and message instead.
"""

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from inkwell.platform.core.error_pages import degrading

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

    @app.errorhandler(HTTPException)
    @degrading
    def _http(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        # A message given to abort() says more than the generic one; a rate limit's
        # description is its rule ("3 per 1 minute"), not words for the user.
        generic = error.description == type(error).description or code == 429
        return _page(code, _MESSAGES.get(code, error.description) if generic else error.description)


def _page(code: int, message: str) -> ResponseReturnValue:
    """The error as a page, or as JSON for the editor's scripts."""
    if request.is_json:
        return jsonify(error=message), code
    return render_template("error.html", code=code, message=message), code
