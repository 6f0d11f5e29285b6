"""Whole-page caching and HTTP validators for the site app.

`EarlyAnswers` answers a conditional GET from the blog's content_version alone
(304, no cache read) and a cache hit from one cache read; `fast_path` calls it
before Flask runs, with the WSGI environ only: no request or response objects
and no app context, since most reader traffic is these two answers. Misses run
the view, and `init_app`'s after_request stores their page if it is a 200. The
site app has no sessions, so nothing stored can depend on who asked.

Keys come from `caching.tenant_key` alone:

    t:<blog uuid>:v<content_version>:<release>:<path>?<sorted query>

so bumping the blog's version (in the change's transaction) drops its pages and
fragments (the "recent posts" block uses the same keys) at once, and no other
blog's; and since the version lives in the database, a flushed or restarted Redis
never brings back a stale page.

Public 200s carry a strong ETag made from the key, `Last-Modified` and
`Cache-Control: public, max-age, s-maxage` (PUBLIC_MAX_AGE, PUBLIC_S_MAXAGE), unless
the view set a policy of its own (the year-long stylesheets); `X-Cache` says hit or
miss. The cache is the app's `caching.SafeCache`: sub-second Redis socket timeouts
and a circuit breaker, so a dead or frozen Redis means uncached pages, logged once,
never failed ones. Only the site app caches pages; the dashboard never is cached.
"""

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from flask import Config, Flask, Response, current_app, g, request
from werkzeug.http import http_date, parse_date, parse_etags, quote_etag

from inkwell.platform.core.caching import cache_set, safe_cache, strong_etag, tenant_key

HIT, MISS = "hit", "miss"

# (status, headers, body), ready for start_response.
Answer = tuple[str, list[tuple[str, str]], bytes]


class Versioned(Protocol):
    """What keys and validators need of a blog (a Tenant row, or just these columns)."""

    uuid: UUID
    content_version: int
    updated_at: datetime


def init_app(app: Flask) -> None:
    app.after_request(_validate_and_store)


def public_policy(config: Config) -> str:
    """Cache-Control of public pages that set no policy of their own."""
    return f"public, max-age={config['PUBLIC_MAX_AGE']}, s-maxage={config['PUBLIC_S_MAXAGE']}"


def _key(tenant: Versioned, path: str, query: str) -> tuple[str, str]:
    return tenant_key(tenant, path, query), strong_etag(tenant, path, query)


class EarlyAnswers:
    """A 304 or a cached page for a GET or HEAD of one of `app`'s blogs."""

    def __init__(self, app: Flask) -> None:
        self.pages = safe_cache(app)
        self.policy = public_policy(app.config)

    def __call__(self, tenant: Versioned, environ: dict[str, Any]) -> Answer | None:
        """The answer to the request in `environ`, or None when the view must run."""
        # What werkzeug's request.path and query_string would be: the keys the view stored under.
        path = environ.get("PATH_INFO", "").encode("latin-1").decode(errors="replace")
        key, etag = _key(tenant, "/" + path.lstrip("/"), environ.get("QUERY_STRING", ""))
        if _not_modified(tenant, environ, etag):
            headers = [("Cache-Control", self.policy), ("ETag", quote_etag(etag))]
            return "304 NOT MODIFIED", headers, b""
        cached = self.pages.get(key)
        if cached is None:
            return None
        body, content_type, own_policy = cached
        return "200 OK", [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Cache-Control", own_policy or self.policy),  # a view's own policy wins (stylesheets)
            ("ETag", quote_etag(etag)),
            ("Last-Modified", http_date(tenant.updated_at)),
            ("X-Cache", HIT),
        ], body  # fmt: skip


def _not_modified(tenant: Versioned, environ: dict[str, Any], etag: str) -> bool:
    """If-None-Match names `etag` (strong comparison, or `*`); or, without it,
    If-Modified-Since is no older than the blog's last change."""
    if_none_match = parse_etags(environ.get("HTTP_IF_NONE_MATCH"))
    if if_none_match:
        return if_none_match.contains(etag)
    since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    return since is not None and tenant.updated_at.replace(microsecond=0) <= since


def _validate_and_store(response: Response) -> Response:
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.direct_passthrough
        or "tenant" not in g
    ):
        return response
    key, etag = _key(g.tenant, request.path, request.query_string.decode("latin-1"))
    own_policy = response.headers.get("Cache-Control")
    response.set_etag(etag)
    response.last_modified = g.tenant.updated_at
    if own_policy is None:
        response.headers["Cache-Control"] = public_policy(current_app.config)
    if request.method == "GET" and "Set-Cookie" not in response.headers:
        cache_set(key, (response.get_data(), response.content_type, own_policy))
        response.headers["X-Cache"] = MISS
    return response
