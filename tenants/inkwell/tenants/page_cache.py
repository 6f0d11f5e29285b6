"""Whole-page caching and HTTP validators for the site app.

A hit costs the host lookup and one cache read: it is answered in the first
before_request, before any view or template runs. Conditional GETs are answered
from the blog's content_version alone (304, no cache read at all).
Only 200 responses are stored; the site app has no sessions, so nothing stored
can depend on who asked.
"""

from flask import Flask, Response, current_app, g, request

from inkwell.platform.core.caching import cache_get, cache_set, strong_etag, tenant_key

HIT, MISS = "hit", "miss"


def init_app(app: Flask) -> None:
    # Registered after hosts.init_app, so g.tenant is set when these run.
    app.before_request(_answer_early)
    app.after_request(_validate_and_store)


def _request_key() -> tuple[str, str]:
    query = request.query_string.decode("latin-1")
    return tenant_key(g.tenant, request.path, query), strong_etag(g.tenant, request.path, query)


def _answer_early() -> Response | None:
    if request.method not in ("GET", "HEAD"):
        return None
    key, etag = _request_key()
    if request.if_none_match.contains(etag) or (
        not request.if_none_match and _not_modified_since()
    ):
        return _public(Response(status=304), etag)
    cached = cache_get(key)
    if cached is None:
        g.page_key = key  # a miss: the view runs, and after_request stores its page
        return None
    body, content_type, cache_control = cached
    response = Response(body, content_type=content_type)
    if cache_control:
        response.headers["Cache-Control"] = cache_control
    response = _public(response, etag)
    response.headers["X-Cache"] = HIT
    return response


def _not_modified_since() -> bool:
    since = request.if_modified_since
    return since is not None and g.tenant.updated_at.replace(microsecond=0) <= since


def _public(response: Response, etag: str) -> Response:
    response.set_etag(etag)
    response.last_modified = g.tenant.updated_at
    if "Cache-Control" not in response.headers:  # a view's own policy wins (stylesheets)
        config = current_app.config
        response.cache_control.public = True
        response.cache_control.max_age = config["PUBLIC_MAX_AGE"]
        response.cache_control.s_maxage = config["PUBLIC_S_MAXAGE"]
    return response


def _validate_and_store(response: Response) -> Response:
    key = g.get("page_key")
    if key is None or response.status_code != 200 or response.direct_passthrough:
        return response
    own_policy = response.headers.get("Cache-Control")
    _public(response, _request_key()[1])
    if request.method == "GET" and "Set-Cookie" not in response.headers:
        cache_set(key, (response.get_data(), response.content_type, own_policy))
        response.headers["X-Cache"] = MISS
    return response
