"""Host -> tenant for the site app. Unknown or unverified hosts fail closed with
a 404 "no such blog": never another tenant's page. A blog an admin suspended or
deleted answers 410 with a neutral page: none of its content, and nothing from
the page cache (the fast path only answers for active blogs).

The fast path looks up the host of every GET first (`served_blog`) and hands what
it found on in the WSGI environ, so a page the view renders costs no second lookup.
"""

from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, abort, g, request
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import host_name
from inkwell.platform.core.models import Domain, Tenant
from inkwell.tenants import content

T = TypeVar("T", bound=tuple[Any, ...])

# The environ key under which the fast path hands its ServedBlog to the site app.
SERVED = "inkwell.served_blog"


@dataclass(frozen=True)
class ServedBlog:
    """An active blog as the fast path found it: its row with the domains loaded
    (for `blog_url`), detached from any session and shared by the requests of
    TENANT_LOOKUP_TTL seconds, so read it and never change it; and whether it has
    snippets (every page's nav)."""

    tenant: Tenant
    has_snippets: bool


def on_host(query: Select[T], host: str) -> Select[T]:
    """`query` (of tenants) narrowed to the blog whose verified domain is `host`,
    whatever its status."""
    return query.join(Domain).where(Domain.host == host_name(host), Domain.verified_at.is_not(None))


def serving(query: Select[T], host: str) -> Select[T]:
    """`query` narrowed to the blog that serves pages on `host`: an active one.
    The one rule, for the site app and its fast path."""
    return on_host(query, host).where(Tenant.status == "active")


def served_blog(host: str) -> ServedBlog | None:
    """The active blog on `host` (a bare host name) with what every page shows of it."""
    query = serving(select(Tenant), host).options(joinedload(Tenant.domains))
    tenant = db.session.scalars(query).unique().first()
    if tenant is None:
        return None
    with tenancy.tenant_scope(tenant.id):
        return ServedBlog(tenant, content.Live().has_snippets())


def tenant_for_host(host: str) -> Tenant | None:
    """The blog on `host` (a raw Host header), active or not, or None."""
    return db.session.scalar(on_host(select(Tenant), host))


def init_app(app: Flask, pinned_to: int | None = None) -> None:
    @app.before_request
    def _resolve_tenant() -> None:
        if pinned_to is None:
            served: ServedBlog | None = request.environ.get(SERVED)
            if served is not None:
                g.has_snippets = served.has_snippets
            tenant = served.tenant if served else tenant_for_host(request.host)
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
