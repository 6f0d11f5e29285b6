"""Host -> tenant for the site app. Unknown, unverified or inactive hosts fail
closed with a 404 "no such blog": never another tenant's page."""

from flask import Flask, abort, g, request
from sqlalchemy import select

from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import host_name
from inkwell.platform.core.models import Domain, Tenant


def tenant_for_host(host: str) -> Tenant | None:
    """The active blog answering on `host` (a raw Host header), or None."""
    query = (
        select(Tenant)
        .join(Domain)
        .where(
            Domain.host == host_name(host),
            Domain.verified_at.is_not(None),
            Tenant.status == "active",
        )
    )
    return db.session.scalar(query)


def init_app(app: Flask) -> None:
    @app.before_request
    def _resolve_tenant() -> None:
        tenant = tenant_for_host(request.host)
        if tenant is None:
            g.no_such_blog = True
            abort(404)
        g.tenant = tenant
        tenancy.enter_for_request(tenant.id)
