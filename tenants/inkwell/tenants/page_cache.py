"""Whole-page caching and HTTP validators for the site app.

`early_response` answers a conditional GET from the blog's content_version
alone (304, no cache read) and a cache hit from one cache read; `fast_path`
calls it before Flask runs. Misses run the view, and `init_app`'s after_request
stores their page if it is a 200. The site app has no sessions, so nothing
stored can depend on who asked.
"""

from datetime import datetime
from typing import Protocol
from uuid import UUID

from flask import Flask, Response, current_app, g, request
from werkzeug.wrappers import Request

from inkwell.platform.core.caching import cache_get, cache_set, strong_etag, tenant_key

HIT, MISS = "hit", "miss"


class Versioned(Protocol):
    """What keys and validators need of a blog (a Tenant row, or just these columns)."""

    uuid: UUID
    content_version: int
    updated_at: datetime


def init_app(app: Flask) -> None:
    app.after_request(_validate_and_store)


def _key(tenant: Versioned, req: Request) -> tuple[str, str]:
    query = req.query_string.decode("latin-1")
    return tenant_key(tenant, req.path, query), strong_etag(tenant, req.path, query)


def early_response(tenant: Versioned, req: Request) -> Response | None:
    """A 304 or a cached page for `req`, or None when the view must run."""
    key, etag = _key(tenant, req)
    since = req.if_modified_since
    if req.if_none_match.contains(etag) or (
        not req.if_none_match and since and tenant.updated_at.replace(microsecond=0) <= since
    ):
        return _public(Response(status=304), tenant, etag)
    cached = cache_get(key)
    if cached is None:
        return None
    body, content_type, cache_control = cached
    response = Response(body, content_type=content_type)
    if cache_control:
        response.headers["Cache-Control"] = cache_control
    response.headers["X-Cache"] = HIT
    return _public(response, tenant, etag)


def _public(response: Response, tenant: Versioned, etag: str) -> Response:
    response.set_etag(etag)
    response.last_modified = tenant.updated_at
    if "Cache-Control" not in response.headers:  # a view's own policy wins (stylesheets)
        config = current_app.config
        response.cache_control.public = True
        response.cache_control.max_age = config["PUBLIC_MAX_AGE"]
        response.cache_control.s_maxage = config["PUBLIC_S_MAXAGE"]
    return response


def _validate_and_store(response: Response) -> Response:
    if (
        request.method not in ("GET", "HEAD")
        or response.status_code != 200
        or response.direct_passthrough
        or "tenant" not in g
    ):
        return response
    key, etag = _key(g.tenant, request)
    own_policy = response.headers.get("Cache-Control")
    _public(response, g.tenant, etag)
    if request.method == "GET" and "Set-Cookie" not in response.headers:
        cache_set(key, (response.get_data(), response.content_type, own_policy))
        response.headers["X-Cache"] = MISS
    return response
