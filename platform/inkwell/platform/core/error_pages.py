"""Error pages that cannot fail.

An error handler renders a template, and a template reaches for the session, the
current user, the database and the request: whatever broke the request can break
its error page too (a body too large to read, a database that is down). Flask then
has no answer left and the server sends a bare 500. Every error handler of both
apps is wrapped in `degrading`: if it raises, the client gets `minimal_page` with
the error's own status and message, built from nothing but the error itself;
unless the database is down, which the app answers with a 503 (`outages`).
"""

import json
import logging
from collections.abc import Callable
from functools import wraps
from html import escape

from flask import request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Response

from inkwell.platform.core import outages, request_ids

log = logging.getLogger(__name__)

Handler = Callable[[Exception], ResponseReturnValue]

# Set on every handler `degrading` wrapped; a test checks each registered one has it.
MARK = "degrades_to_minimal_page"


def minimal_page(code: int, message: str, as_json: bool = False) -> Response:
    """`message` with status `code`, from no template, session or database: JSON
    (`{"error": message}`, as the editor's scripts read errors) or a bare HTML page.
    Never stored by caches: it stands in for a page that failed, maybe for a moment."""
    headers = {"Cache-Control": "no-store"}
    request_id = request_ids.current_request_id() or "-"
    if as_json:
        body = json.dumps({"error": message})
        return Response(body, code, headers, mimetype="application/json")
    title = f"{code} {HTTP_STATUS_CODES.get(code, 'Error')}"
    page = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head>\n"
        '<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto;'
        ' padding: 0 1rem">\n'
        f"<h1>{title}</h1>\n<p>{escape(message)}</p>\n"
        f"<p><small>Request id: <code>{escape(request_id)}</code></small></p>\n</body></html>\n"
    )
    return Response(page, code, headers, mimetype="text/html")


def log_csrf_refusal(error: HTTPException) -> None:
    """Say why a form was refused (Flask-WTF's reason: token missing, expired, or
    the referrer not this host, as when a proxy drops the port): the person only
    sees "form expired", and the operator needs the cause."""
    log.warning("CSRF check failed for %s %s: %s", request.method, request.path, error.description)


def degrading(handler: Handler) -> Handler:
    """`handler`, answering `minimal_page` instead of raising."""

    @wraps(handler)
    def safe(error: Exception) -> ResponseReturnValue:
        try:
            return handler(error)
        except Exception as failure:
            if outages.is_unavailable(failure):
                raise  # the database is down: a 503 says more than this error's page
            log.exception("the error page for %r failed; answered a minimal page", error)
            code = (error.code if isinstance(error, HTTPException) else None) or 500
            message = error.description if isinstance(error, HTTPException) else None
            return minimal_page(
                code,
                message or "Something went wrong on our side. Please try again later.",
                as_json=request.is_json,
            )

    setattr(safe, MARK, True)
    return safe
