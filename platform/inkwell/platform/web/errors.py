"""Error pages of the platform app: a clear message and the right status, never a bare 500."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

_MESSAGES = {
    400: "The request could not be understood.",
    404: "There is nothing here.",
    405: "That action is not available here.",
    413: "That was too large to accept. Please send something smaller.",
}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str, int]:
        message = "Your form expired or came from another site. Reload the page and try again."
        return render_template("error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        message = _MESSAGES.get(code, error.description)
        return render_template("error.html", code=code, message=message), code
