"""Host -> tenant for the site app. Unknown or unverified hosts fail closed with
a 404 "no such blog": never another tenant's page. A blog an admin suspended or
deleted answers 410 with a neutral page: none of its content, and nothing from
the page cache (the fast path only answers for active blogs).

`HostCache` looks each host up (`look_up`: one query, a second for an active blog's
snippets) and remembers the answer for TENANT_LOOKUP_TTL seconds per process, misses
included, so a flood of requests for a host that is not ours costs one query per
TTL, not one each. It holds at most MAX_REMEMBERED_HOSTS hosts, the least recently
asked going first, so made-up hosts cannot grow memory without bound. A blog or
domain made meanwhile is found once its host's entry is older than the TTL.

The fast path asks the cache for every request and hands what it found on in the
WSGI environ (`SERVED`), so the view costs no second lookup.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar
from uuid import UUID

from flask import Flask, abort, g, request
from sqlalchemy import Select, exists, select
from sqlalchemy.orm import joinedload

from inkwell.platform.core import clock, tenancy
from inkwell.platform.core.content.navigation import about_page_of_each
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import blog_url, host_name
from inkwell.platform.core.models import Domain, Snippet, Tenant
from inkwell.platform.core.types import utcnow
from inkwell.tenants import content

T = TypeVar("T", bound=tuple[Any, ...])

# The environ key under which the fast path hands what a host serves to the site app.
SERVED = "inkwell.served_blog"

# Bounds the memory a flood of made-up Host headers can take.
MAX_REMEMBERED_HOSTS = 10_000

# In a pinned app's extensions: the id of the one blog it serves now (None: none).
PINNED = "inkwell.pinned_to"


@dataclass(frozen=True)
class ServedBlog:
    """An active blog as the fast path found it: its row with the domains loaded
    (for `blog_url`), detached from any session and shared by the requests of
    TENANT_LOOKUP_TTL seconds, so read it and never change it; whether it has
    snippets and its About page's uuid (every page's nav); when it was read
    (wall clock, a moment before the query): what the row cannot have seen,
    `page_cache.last_modified` must not vouch for; and its primary host with the
    URL every other host redirects to."""

    tenant: Tenant
    has_snippets: bool
    about_page: UUID | None
    read_at: datetime
    primary: str
    primary_url: str


class Gone(Enum):
    """A host whose blog an admin suspended or deleted: 410, and nothing of the blog."""

    BLOG = "gone"


GONE = Gone.BLOG

# What a host serves: an active blog, a gone one, or nothing (None: no such blog).
Lookup = ServedBlog | Gone | None


def on_host(query: Select[T], host: str) -> Select[T]:
    """`query` (of tenants) narrowed to the blog whose verified domain is `host`,
    whatever its status."""
    return query.join(Domain).where(Domain.host == host_name(host), Domain.verified_at.is_not(None))


def look_up(host: str) -> Lookup:
    """What `host` (a bare host name) serves, with what every page shows of an active
    blog: one query, so a cold page pays for its blog once."""
    read_at = utcnow()
    has_snippets = exists().where(Snippet.tenant_id == Tenant.id)
    query = on_host(select(Tenant, has_snippets, about_page_of_each()), host)
    # Across tenants only to read the found blog's own snippets and About page,
    # each correlated to its row (tenant_id = tenants.id) above.
    with tenancy.across_tenants():
        row = db.session.execute(query.options(joinedload(Tenant.domains))).unique().first()
    if row is None:
        return None
    tenant, snippets, about = row
    if tenant.status != "active":
        return GONE
    primary = next(d.host for d in tenant.domains if d.is_primary)
    return ServedBlog(tenant, bool(snippets), about, read_at, primary, blog_url(tenant, ""))


class HostCache:
    """`look_up`, remembered per host for `ttl` seconds (misses too), at most `size`
    hosts. Time is the app's `core.clock`, which the tests move."""

    def __init__(self, app: Flask, ttl: float, size: int = MAX_REMEMBERED_HOSTS) -> None:
        self.app, self.ttl, self.size = app, ttl, size
        self.remembered: OrderedDict[str, tuple[float, Lookup]] = OrderedDict()
        self.lock = threading.Lock()  # gunicorn's threads share it

    def __call__(self, host: str) -> Lookup:
        now = clock.monotonic()
        with self.lock:
            entry = self.remembered.get(host)
            if entry is not None and now - entry[0] < self.ttl:
                self.remembered.move_to_end(host)
                return entry[1]
        with self.app.app_context():  # its teardown closes the session: the row is detached
            found = look_up(host)
        with self.lock:
            self.remembered[host] = (now, found)
            self.remembered.move_to_end(host)
            while len(self.remembered) > self.size:
                self.remembered.popitem(last=False)
        return found


def pin(app: Flask, tenant_id: int | None) -> None:
    """Make the pinned `app` serve blog `tenant_id` alone from now on (None: no blog,
    every page a 404), forgetting any blog it read into memory for the last one."""
    app.extensions.pop(content.EXTENSION, None)
    app.extensions[PINNED] = tenant_id


def init_app(app: Flask, pinned: bool = False) -> None:
    def _served() -> Tenant | Gone | None:
        found: Lookup = request.environ.get(SERVED)  # absent only without the fast path
        if not isinstance(found, ServedBlog):
            return found
        g.has_snippets, g.read_at = found.has_snippets, found.read_at
        g.about_page = found.about_page
        return found.tenant

    def _pinned() -> Tenant | None:  # a freeze: the blog it read into memory, or the row
        preloaded = app.extensions.get(content.EXTENSION)
        if preloaded:
            return preloaded.tenant
        tenant_id = app.extensions.get(PINNED)
        return None if tenant_id is None else db.session.get(Tenant, tenant_id)

    @app.before_request
    def _resolve_tenant() -> None:
        tenant = _pinned() if pinned else _served()
        if tenant is None:
            g.no_such_blog = True
            abort(404)
        if tenant is GONE or tenant.status != "active":
            abort(410)  # before g.tenant is set: no view runs, nothing is cached
        g.tenant = tenant
        tenancy.enter_for_request(tenant.id)
        if "\x00" in request.path:  # names no slug, and PostgreSQL refuses it in a query
            abort(404)
