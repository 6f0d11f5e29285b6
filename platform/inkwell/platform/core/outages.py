"""A database that cannot answer for a moment: 503 with Retry-After, never a 500.

A PostgreSQL restart (about 3 s) or failover drops every pooled connection and
refuses new ones meanwhile; under load a statement may also time out or lose a
deadlock. Each is passing, and the request that meets one says so: `503 Service
Unavailable`, `Retry-After: RETRY_AFTER_SECONDS`, `Cache-Control: no-store` (no
browser or CDN keeps the outage) and a small page that needs nothing from the
database (no template, no current user), or JSON for the editor's scripts, which
show its message and keep the text. Behind nginx a blog's 503 is answered from
its static mirror (infra/nginx); the platform app's reaches the browser.

Both apps are `core.app.InkwellApp`, whose `handle_exception` answers this for an
error raised anywhere in a request: a view, an error handler (a blog's 404 page
reads its nav), an after_request hook. Flask sends errors from those last two to
`handle_exception` only, never to a handler registered for the error's class. The
site app's fast path, which looks a blog up before Flask runs, answers it itself.

A connection can also drop after a request's last statement: the rollback that
closes its session then fails, after the answer is made, where Flask would let
the error escape and the server answer 500 instead of the page. `init_app`
closes the session tolerating that: there is nothing left to undo, since the
server ends the transaction of a connection it dropped.

The same holds while the database's schema is behind the code (an upgrade
deployed before `inkwell db upgrade` finished): a statement that fails then is
a 503, not a 500, and the log line says which migrations are pending.

A process logs the outage at most once every LOG_EVERY_SECONDS, not per request.
"""

import logging
import time

from flask import Flask, Response, jsonify, request
from sqlalchemy import exc

from inkwell.platform.core import database, request_ids
from inkwell.platform.core.extensions import db

log = logging.getLogger(__name__)

# PostgreSQL restarts in about 3 s: ask to come back a little after that.
RETRY_AFTER_SECONDS = 5
LOG_EVERY_SECONDS = 10.0

MESSAGE = "Inkwell cannot reach its database for a moment. Please try again in a few seconds."
PAGE = b"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Back in a moment</title>
<meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem;
             margin: 4rem auto; padding: 0 1rem">
  <h1>Back in a moment</h1>
  <p>This page cannot be shown right now. Please try again in a few seconds.</p>
  <p><small>Request id: <code>%(request_id)s</code></small></p>
</body>
</html>
"""
HEADERS = [("Retry-After", str(RETRY_AFTER_SECONDS)), ("Cache-Control", "no-store")]

_last_logged = float("-inf")


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database could not answer for now, rather than
    refused what it was asked: a lost or refused connection, a statement timeout
    or deadlock (the driver's OperationalError, or any error that invalidated
    the connection), or no pooled connection within the pool's timeout."""
    if isinstance(error, exc.TimeoutError):
        return True
    if not isinstance(error, exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    # SQLite reports a mistake in a statement or the schema ("no such table") as
    # an OperationalError too, with this generic code: that is a bug, not an outage.
    sqlite_code = getattr(error.orig, "sqlite_errorname", None)
    if isinstance(error, exc.OperationalError) and sqlite_code != "SQLITE_ERROR":
        return True
    return _schema_pending(error) is not None


def _schema_pending(error: BaseException) -> str | None:
    """Which migrations are pending, when `error` is a database error met while
    the schema is behind the code (a missing column or table, say)."""
    # What a missing column or table raises: PostgreSQL's UndefinedColumn is a
    # ProgrammingError, SQLite's "no such column" an OperationalError.
    if not isinstance(error, exc.ProgrammingError | exc.OperationalError):
        return None
    try:
        return database.schema_pending()
    except Exception:  # the check itself failing says nothing about `error`
        return None


def init_app(app: Flask) -> None:
    """Close each request's session even when its connection was dropped. Call it
    after `db.init_app`: teardowns run last registered first, so this closes the
    session before Flask-SQLAlchemy's teardown would, and raise."""
    app.teardown_appcontext(_close_session)


def _close_session(_error: BaseException | None) -> None:
    try:
        db.session.remove()
    except exc.SQLAlchemyError as error:
        if not is_unavailable(error):
            raise
        noted(error)
        # The first close stopped at the failed rollback, which invalidated the
        # connection; this one gives it back to the pool, to be replaced.
        db.session.remove()


def noted(error: BaseException) -> None:
    """Log that the database is unavailable (`error`), unless this process did lately."""
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= LOG_EVERY_SECONDS:
        _last_logged = now
        if pending := _schema_pending(error):
            log.warning("%s (run `inkwell db upgrade`), requests meeting it answer 503", pending)
            return
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        log.warning("database unavailable, requests meeting it answer 503: %s", reason)


def page() -> bytes:
    """The page, with the request's id to quote (hex digits and dots at most: no escaping)."""
    return PAGE % {b"request_id": (request_ids.current_request_id() or "-").encode()}


def answer() -> tuple[str, list[tuple[str, str]], bytes]:
    """The 503 as (status, headers, body), for WSGI code that runs before Flask."""
    body = page()
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
    return "503 SERVICE UNAVAILABLE", headers + HEADERS, body


def response() -> Response:
    """The 503 for the current request: JSON when it sent JSON (the editor's scripts)."""
    found = jsonify(error=MESSAGE) if request.is_json else Response(page(), mimetype="text/html")
    found.status_code = 503
    found.headers.extend(HEADERS)
    return found
