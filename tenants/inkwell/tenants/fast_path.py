"""Answer cache hits and conditional GETs of blog pages before Flask runs.

Most reader traffic is hits. Here one costs a cache read and a few header
tuples: no werkzeug request or response, no app context, no database. The blog
behind a host (its row, domains and whether it has snippets: `hosts.served_blog`)
is looked up at most once per TENANT_LOOKUP_TTL seconds per host and process; the
version still comes from the database, so a publish reaches readers within that
TTL and a restarted Redis cannot bring back a stale page. Anything else (misses,
POSTs, unknown or suspended blogs) goes to the site app. The blog found here goes
into the environ (`hosts.SERVED`), so a miss's view does not look it up again and
`security` sets the blog's headers on every answer, hits included.
"""

import time
from typing import Any

from flask import Flask

from inkwell.platform.core.hosts import host_name
from inkwell.tenants.hosts import SERVED, ServedBlog, served_blog
from inkwell.tenants.page_cache import EarlyAnswers

# Bounds the memory a flood of made-up Host headers can take.
MAX_REMEMBERED_HOSTS = 10_000


class FastPath:
    def __init__(self, app: Flask, wsgi_app: Any) -> None:
        self.app, self.wsgi_app = app, wsgi_app
        self.ttl = app.config["TENANT_LOOKUP_TTL"]
        self.remembered: dict[str, tuple[float, ServedBlog]] = {}
        self.answers = EarlyAnswers(app)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        blog = self._blog(host_name(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")))
        environ[SERVED] = blog  # for the view on a miss, and the security headers always
        answer = self.answers(blog.tenant, environ) if blog else None
        if answer is None:
            return self.wsgi_app(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [] if method == "HEAD" else [body]

    def _blog(self, host: str) -> ServedBlog | None:
        now = time.monotonic()
        remembered = self.remembered.get(host)
        if remembered and now - remembered[0] < self.ttl:
            return remembered[1]
        with self.app.app_context():  # its teardown closes the session: the row is detached
            blog = served_blog(host)
        if blog is None:
            return None
        if len(self.remembered) >= MAX_REMEMBERED_HOSTS:
            self.remembered.clear()
        self.remembered[host] = (now, blog)
        return blog
