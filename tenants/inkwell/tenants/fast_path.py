"""Answer cache hits and conditional GETs of blog pages before Flask runs.

Most reader traffic is hits. Here one costs a lookup in the process's hot
pages (`hot_pages`), else a Redis read, and a few header tuples: no werkzeug
request or response, no app context, no database. What a host serves (an active
blog's row, domains, whether it has snippets and its About page, a gone blog, or
nothing) comes from `hosts.HostCache`, looked up at most once per
TENANT_LOOKUP_TTL seconds per host and process, unknown hosts included; so a
publish reaches readers within that TTL, and a restarted Redis cannot bring back
a stale page (the version is in the row). Anything else (misses, POSTs, unknown
or suspended blogs) goes to the site app. A host of the blog other than its
primary answers a 301 to the same path and query on the primary, here too. What
was found goes into the environ (`hosts.SERVED`), so a miss's view does not look
the host up again and `security` sets the blog's headers on every answer, hits
included. A database that cannot answer the lookup is a 503 here (`core.outages`),
as in the site app.
"""

from typing import Any

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from inkwell.platform.core import outages
from inkwell.platform.core.hosts import host_name
from inkwell.platform.core.request_ids import TENANT_KEY
from inkwell.tenants.hosts import SERVED, HostCache, ServedBlog
from inkwell.tenants.page_cache import Answer, EarlyAnswers
from inkwell.tenants.primary_host import to_primary

# Where the site app keeps its HostCache (tests move its clock).
EXTENSION = "inkwell.host_cache"


class FastPath:
    def __init__(self, app: Flask, wsgi_app: Any) -> None:
        self.app, self.wsgi_app = app, wsgi_app
        self.hosts = app.extensions[EXTENSION] = HostCache(app, app.config["TENANT_LOOKUP_TTL"])
        self.answers = EarlyAnswers(app)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        method = environ.get("REQUEST_METHOD")
        host = host_name(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""))
        try:
            found = self.hosts(host)
        except SQLAlchemyError as error:
            with self.app.app_context():  # a schema behind the code is read from the database
                unavailable = outages.is_unavailable(error)
            if not unavailable:
                raise
            outages.noted(error)
            return _send(method, outages.answer(), start_response)
        environ[SERVED] = found  # for the view on a miss, and the security headers always
        if isinstance(found, ServedBlog):
            environ[TENANT_KEY] = found.tenant.id  # for the access log (core.request_ids)
        if isinstance(found, ServedBlog) and host != found.primary:
            return _send(method, to_primary(found, environ), start_response)
        answer = None
        if isinstance(found, ServedBlog) and method in ("GET", "HEAD"):
            answer = self.answers(found.tenant, found.read_at, environ)
        if answer is None:
            return self.wsgi_app(environ, start_response)
        return _send(method, answer, start_response)


def _send(method: str, answer: Answer, start_response: Any) -> list[bytes]:
    status, headers, body = answer
    start_response(status, headers)
    return [] if method == "HEAD" else [body]
