"""Host -> tenant for the site app. Unknown, unverified or inactive hosts fail
closed with a 404 "no such blog": never another tenant's page."""

from typing import Any, TypeVar

from flask import Flask, abort, g, request
from sqlalchemy import Select, select

from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import host_name
from inkwell.platform.core.models import Domain, Tenant
from inkwell.tenants import content

T = TypeVar("T", bound=tuple[Any, ...])


def serving(query: Select[T], host: str) -> Select[T]:
    """`query` (of tenants) narrowed to the blog that answers on `host`: a verified
    domain of an active blog. The one rule, for the site app and its fast path."""
    return (
        query.join(Domain)
        .where(Domain.host == host_name(host))
        .where(Domain.verified_at.is_not(None), Tenant.status == "active")
    )


def tenant_for_host(host: str) -> Tenant | None:
    """The active blog answering on `host` (a raw Host header), or None."""
    return db.session.scalar(serving(select(Tenant), host))


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
        g.tenant = tenant
        tenancy.enter_for_request(tenant.id)
