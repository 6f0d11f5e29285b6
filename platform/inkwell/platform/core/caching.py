"""Tenant-scoped cache keys, and a cache that a dead or hung Redis cannot break.

Every key names the tenant and its content_version, so bumping the version (in
the same transaction as the change) invalidates one blog in O(1) and no other,
and a restarted Redis can never serve a page older than the database says.
"""

import hashlib
import logging
from importlib.metadata import version
from typing import Any

from flask import Flask, current_app
from redis.exceptions import RedisError

from inkwell.platform.core import clock, metrics
from inkwell.platform.core.extensions import cache
from inkwell.platform.core.models import Tenant

log = logging.getLogger(__name__)

# Part of every key: a new release renders pages differently, so it starts afresh.
GENERATION = version("inkwell")
SAFE_CACHE = "inkwell.safe_cache"


def tenant_key(tenant: Tenant, path: str, query: str = "") -> str:
    """`t:<uuid>:v<version>:<release>:<path>?<sorted query>`: the only shape of a page
    or fragment key (the release, GENERATION, so a new release starts afresh)."""
    ordered = "&".join(sorted(query.split("&"))) if query else ""
    return f"t:{tenant.uuid}:v{tenant.content_version}:{GENERATION}:{path}?{ordered}"


def strong_etag(tenant: Tenant, path: str, query: str = "") -> str:
    """A strong validator for a public response: changes with the blog's content."""
    digest = hashlib.blake2b(tenant_key(tenant, path, query).encode(), digest_size=8)
    return f"{tenant.content_version}-{digest.hexdigest()}"


class SafeCache:
    """One app's cache backend behind a circuit breaker: `get` and `set` never
    raise. After CACHE_BREAKER_FAILURES errors in a row it skips the backend for
    CACHE_BREAKER_COOLDOWN seconds (logged once); a success closes it again. Bound
    to its app, so the site app's fast path can use it outside an app context."""

    def __init__(self, app: Flask) -> None:
        self.backend = app.extensions["cache"][cache]
        self.failures = app.config["CACHE_BREAKER_FAILURES"]
        self.cooldown = app.config["CACHE_BREAKER_COOLDOWN"]
        self.errors = 0
        self.open_until = 0.0

    def get(self, key: str) -> Any | None:
        """The cached value, or None when missing or the cache is unavailable."""
        if clock.monotonic() < self.open_until:
            metrics.CACHE_LOOKUPS.labels("unavailable").inc()
            return None
        try:
            value = self.backend.get(key)
        except (RedisError, OSError) as error:
            self._failed(error)
            metrics.CACHE_LOOKUPS.labels("unavailable").inc()
            return None
        self._succeeded()
        metrics.CACHE_LOOKUPS.labels("miss" if value is None else "hit").inc()
        return value

    def set(self, key: str, value: Any) -> None:
        """Store `value` if the cache is available."""
        if clock.monotonic() < self.open_until:
            return
        try:
            self.backend.set(key, value)
        except (RedisError, OSError) as error:
            self._failed(error)
        else:
            self._succeeded()

    def _failed(self, error: Exception) -> None:
        self.errors += 1
        if self.errors == self.failures:
            log.warning("cache unavailable, pages served uncached for a while: %s", error)
        if self.errors >= self.failures:
            self.open_until = clock.monotonic() + self.cooldown

    def _succeeded(self) -> None:
        if self.errors >= self.failures:
            log.info("cache available again")
        self.errors = 0


def safe_cache(app: Flask | None = None) -> SafeCache:
    """`app`'s SafeCache (default: the current app's); one per app, since each app
    has its own cache backend (see Flask-Caching)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get(SAFE_CACHE)
    if found is None:
        found = app.extensions[SAFE_CACHE] = SafeCache(app)
    return found


def cache_get(key: str) -> Any | None:
    """The current app's cached value, or None when missing or the cache is unavailable."""
    return safe_cache().get(key)


def cache_set(key: str, value: Any) -> None:
    """Store `value` in the current app's cache if it is available; never raise."""
    safe_cache().set(key, value)


def drop_tenant_entries(tenant: Tenant) -> int:
    """Delete every cached entry of the blog from Redis; how many. For a purge
    job, not a request: it scans the keyspace. An in-process cache needs nothing:
    no key of a purged blog can be asked for again, and its entries expire."""
    backend = cache.cache
    client, prefix = getattr(backend, "_write_client", None), getattr(backend, "key_prefix", "")
    if client is None or not isinstance(prefix, str):
        return 0
    dropped, batch = 0, []
    for key in client.scan_iter(match=f"{prefix}*{tenant.uuid}*", count=1000):
        batch.append(key)
        if len(batch) == 1000:
            dropped += client.delete(*batch)
            batch.clear()
    return dropped + (client.delete(*batch) if batch else 0)
