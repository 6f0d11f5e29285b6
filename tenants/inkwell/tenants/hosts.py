"""Host -> tenant for the site app. Unknown or unverified hosts fail closed with
a 404 "no such blog": never another tenant's page. A blog an admin suspended or
deleted answers 410 with a neutral page: none of its content, and nothing from
the page cache (the fast path only answers for active blogs)."""

from typing import Any, TypeVar

from flask import Flask, abort, g, request
from sqlalchemy import Select, select

from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import host_name
from inkwell.platform.core.models import Domain, Tenant
from inkwell.tenants import content

T = TypeVar("T", bound=tuple[Any, ...])


def on_host(query: Select[T], host: str) -> Select[T]:
    """`query` (of tenants) narrowed to the blog whose verified domain is `host`,
    whatever its status."""
    return query.join(Domain).where(Domain.host == host_name(host), Domain.verified_at.is_not(None))


def serving(query: Select[T], host: str) -> Select[T]:
    """`query` narrowed to the blog that serves pages on `host`: an active one.
    The one rule, for the site app and its fast path."""
    return on_host(query, host).where(Tenant.status == "active")


def tenant_for_host(host: str) -> Tenant | None:
    """The blog on `host` (a raw Host header), active or not, or None."""
    return db.session.scalar(on_host(select(Tenant), host))


def init_app(app: Flask, pinned_to: int | None = None) -> None:
    @app.before_request
    def _resolve_tenant() -> None:
        if pinned_to is None:
            tenant = tenant_for_host(request.host)
        else:  # a freeze: the blog it read into memory, or the row
            preloaded = app.extensions.get(content.EXTENSION)
            tenant = preloaded.tenant if preloaded else db.session.get(Tenant, pinned_to)
        if tenant is None:
            g.no_such_blog = True
            abort(404)
        if tenant.status != "active":
            abort(410)  # before g.tenant is set: no view runs, nothing is cached
        g.tenant = tenant
        tenancy.enter_for_request(tenant.id)
