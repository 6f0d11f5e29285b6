"""Whole-page caching and HTTP validators for the site app.

`EarlyAnswers` answers a conditional GET from the blog's content_version alone
(304, no cache read) and a cache hit from one cache read; `fast_path` calls it
before Flask runs, with the WSGI environ only: no request or response objects
and no app context, since most reader traffic is these two answers. Misses run
the view, and `init_app`'s after_request stores their page if it is a 200. The
site app has no sessions, so nothing stored can depend on who asked.

Keys come from `caching.tenant_key` alone:

    t:<blog uuid>:v<content_version>:<release>:<path>?<declared query, sorted>

so bumping the blog's version (in the change's transaction) drops its pages
(and search's counts, which use the same keys) at once, and no other
blog's; and since the version lives in the database, a flushed or restarted Redis
never brings back a stale page.

Nobody outside may choose how many copies of a page the cache holds, or the first
`/?junk=<random>` flood would evict every blog's pages. So a page is stored once,
under its canonical URL: the path the app builds for its view and arguments
(`/page/2/`, never `/page/02/`), and only the query parameters its view declares
with `reads_query` (only search: other URLs are paths), and a view with many
values may keep a page out (`not_stored`). Any other query string is
answered from, and stored under, that same key; a view sees only what it
declared (`SiteRequest.args`), so a parameter it reads cannot be left out of the
key. Paths and queries longer than MAX_KEYED_LENGTH are not stored at all. The
fast path keys its lookups by the same rule (`page_query`, `keyable`).

Public 200s carry a strong ETag made from the key, `Last-Modified` and
`Cache-Control: public, max-age, s-maxage` (PUBLIC_MAX_AGE, PUBLIC_S_MAXAGE), unless
the view set a policy of its own (the year-long stylesheets); `X-Cache` says hit or
miss. The ETag changes with every change (it carries content_version); an HTTP
date has whole seconds, so two changes within one second would share one. Hence
`last_modified`: the end of the second of the blog's last change, and only once
that second was over when the blog's row was read; If-Modified-Since answers 304
only if the last change is older than the date. If-None-Match, when sent, decides
alone. The cache is the app's `caching.SafeCache`: sub-second Redis socket timeouts
and a circuit breaker, so a dead or frozen Redis means uncached pages, logged once,
never failed ones. Only the site app caches pages; the dashboard never is cached.
In front of Redis, each process keeps its hot pages in memory under the same keys
(`hot_pages`): a hit there costs no round trip, and still answers with Redis down.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qsl, unquote, urlencode
from uuid import UUID

from flask import Config, Flask, Request, Response, current_app, g, request, url_for
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.http import http_date, parse_date, parse_etags, quote_etag
from werkzeug.routing import MapAdapter

from inkwell.platform.core.caching import cache_set, safe_cache, strong_etag, tenant_key
from inkwell.tenants.hot_pages import hot_pages
from inkwell.tenants.hot_pages import init_app as init_hot_pages

HIT, MISS = "hit", "miss"

# (status, headers, body), ready for start_response.
Answer = tuple[str, list[tuple[str, str]], bytes]

# The longest path plus query string a page is stored under. The longest real
# page URL (a 200-character slug under /snippets/) is well under it; what is
# longer is made up, and must not cost a cache entry (nor a cache read).
MAX_KEYED_LENGTH = 512

# The attribute `reads_query` puts on a view function.
QUERY_PARAMETERS = "inkwell_query_parameters"
# In `g`: the view asked for its page not to be stored (`not_stored`).
NOT_STORED = "inkwell_page_not_stored"

View = TypeVar("View", bound=Callable[..., Any])


class Versioned(Protocol):
    """What keys and validators need of a blog (a Tenant row, or just these columns)."""

    uuid: UUID
    content_version: int
    updated_at: datetime


def init_app(app: Flask) -> None:
    init_hot_pages(app)
    app.after_request(_validate_and_store)


def reads_query(*names: str) -> Callable[[View], View]:
    """Declare the query parameters a site view reads. Its pages are cached per
    value of these and under the same key whatever else the query holds. Declare
    only parameters with few values (a sort order, say): each value is a page of
    its own in the cache."""

    def declare(view: View) -> View:
        setattr(view, QUERY_PARAMETERS, frozenset(names))
        return view

    return declare


def not_stored() -> None:
    """Keep this request's page out of the cache: a view whose query parameters have
    many values (search) stores only the pages it chose to."""
    setattr(g, NOT_STORED, True)


def kept_query(view: Callable[..., Any] | None, query_string: bytes) -> list[tuple[str, str]]:
    """What `view` may read of `query_string`: the first value of each parameter
    it declared, by name. One value each, so that this list, sorted, is the key."""
    names: frozenset[str] = getattr(view, QUERY_PARAMETERS, frozenset())
    if not names or not query_string:
        return []
    kept: dict[str, str] = {}
    for name, value in parse_qsl(query_string.decode(errors="replace"), keep_blank_values=True):
        if name in names:
            kept.setdefault(name, value)
    return sorted(kept.items())


def page_query(view: Callable[..., Any] | None, query_string: bytes) -> str:
    """The query string a page of `view` is keyed by: what the view may read, encoded."""
    return urlencode(kept_query(view, query_string))


def keyable(path: str, query: str) -> bool:
    """Whether a page at `path` and `query` (as `page_query` made it) may be stored."""
    return len(path) + len(query) <= MAX_KEYED_LENGTH


class SiteRequest(Request):
    """The site app's request: `args` holds only what the view declared with
    `reads_query` (`kept_query`), so a page cannot depend on a parameter its key
    leaves out. Views read the query through `args` alone."""

    @cached_property
    def args(self) -> ImmutableMultiDict[str, str]:  # type: ignore[override]
        view = current_app.view_functions.get(self.endpoint or "")
        return ImmutableMultiDict(kept_query(view, self.query_string))


def public_policy(config: Config) -> str:
    """Cache-Control of public pages that set no policy of their own."""
    return f"public, max-age={config['PUBLIC_MAX_AGE']}, s-maxage={config['PUBLIC_S_MAXAGE']}"


def _key(tenant: Versioned, path: str, query: str) -> tuple[str, str]:
    return tenant_key(tenant, path, query), strong_etag(tenant, path, query)


class EarlyAnswers:
    """A 304 or a cached page for a GET or HEAD of one of `app`'s blogs."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.pages = safe_cache(app)
        self.hot = hot_pages(app)
        self.policy = public_policy(app.config)

    @cached_property
    def routes(self) -> MapAdapter:
        # Bound at the first request: the app's routes are all registered by then.
        return self.app.url_map.bind("localhost")

    def __call__(
        self, tenant: Versioned, read_at: datetime, environ: dict[str, Any]
    ) -> Answer | None:
        """The answer to the request in `environ` for `tenant` (its row as read at
        `read_at`), or None when the view must run."""
        # What werkzeug's request.path and query_string would be: the keys the view stored under.
        path = environ.get("PATH_INFO", "").encode("latin-1").decode(errors="replace")
        path = "/" + path.lstrip("/")
        query = self._query(path, environ.get("QUERY_STRING", "").encode("latin-1"))
        if query is None or not keyable(path, query):
            return None
        key, etag = _key(tenant, path, query)
        if _not_modified(tenant, environ, etag):
            headers = [("Cache-Control", self.policy), ("ETag", quote_etag(etag))]
            return "304 NOT MODIFIED", headers, b""
        cached = self.hot.get(key)
        if cached is None:
            cached = self.pages.get(key)
            if cached is None:
                return None
            self.hot.put(key, cached)
        body, content_type, own_policy = cached
        headers = [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Cache-Control", own_policy or self.policy),  # a view's own policy wins (stylesheets)
            ("ETag", quote_etag(etag)),
            ("X-Cache", HIT),
        ]
        if (modified := last_modified(tenant, read_at)) is not None:
            headers.append(("Last-Modified", http_date(modified)))
        return "200 OK", headers, body

    def _query(self, path: str, query_string: bytes) -> str | None:
        """`page_query` for the view that answers `path`; None when none does."""
        if not query_string:  # most requests: no need to know the view
            return ""
        try:
            endpoint, _args = self.routes.match(path, method="GET")
        except HTTPException:  # a 404, 405 or redirect: Flask answers it
            return None
        return page_query(self.app.view_functions.get(endpoint), query_string)


def last_modified(tenant: Versioned, read_at: datetime | None) -> datetime | None:
    """The Last-Modified of `tenant`'s pages, its row read at `read_at`: the end of
    the second of its last change, so later than the change itself. None (no
    header; the ETag still tells versions apart) while that second was not over
    when the row was read: another change could still come within it, and a client
    holding the date would be told its older copy is current."""
    end = tenant.updated_at.replace(microsecond=0) + timedelta(seconds=1)
    return end if read_at is not None and end <= read_at else None


def _not_modified(tenant: Versioned, environ: dict[str, Any], etag: str) -> bool:
    """If-None-Match names `etag` (strong comparison, or `*`); or, without it,
    the blog's last change is older than If-Modified-Since (strictly: a change
    within the date's second came after it)."""
    if_none_match = parse_etags(environ.get("HTTP_IF_NONE_MATCH"))
    if if_none_match:
        return if_none_match.contains(etag)
    since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
    return since is not None and tenant.updated_at < since


def _validate_and_store(response: Response) -> Response:
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.direct_passthrough
        or "tenant" not in g
    ):
        return response
    query = page_query(current_app.view_functions.get(request.endpoint or ""), request.query_string)
    key, etag = _key(g.tenant, request.path, query)
    own_policy = response.headers.get("Cache-Control")
    response.set_etag(etag)
    if (modified := last_modified(g.tenant, g.get("read_at"))) is not None:
        response.last_modified = modified  # (set to None, werkzeug would write the time now)
    if own_policy is None:
        response.headers["Cache-Control"] = public_policy(current_app.config)
    if (
        request.method == "GET"
        and "Set-Cookie" not in response.headers
        and keyable(request.path, query)
        and _canonical_path()
        and not g.get(NOT_STORED)
    ):
        page = (response.get_data(), response.content_type, own_policy)
        cache_set(key, page)
        hot_pages(current_app).put(key, page)
        response.headers["X-Cache"] = MISS
    return response


def _canonical_path() -> bool:
    """Whether the request's path is the one the app builds for its view and
    arguments: `/page/02/` and `/page/٢/` reach the view of `/page/2/` (werkzeug's
    int converter takes any digits), and each must not be a page of its own."""
    built = url_for(request.endpoint or "", **(request.view_args or {}))
    return unquote(built) == request.script_root + request.path
