"""Tenant-scoped cache keys, and a cache that a dead or hung Redis cannot break.

Every key names the tenant and its content_version, so bumping the version (in
the same transaction as the change) invalidates one blog in O(1) and no other,
and a restarted Redis can never serve a page older than the database says.
"""

import hashlib
import logging
import time
from importlib.metadata import version
from typing import Any

from flask import current_app
from redis.exceptions import RedisError

from inkwell.platform.core.extensions import cache
from inkwell.platform.core.models import Tenant

log = logging.getLogger(__name__)

# Part of every key: a new release renders pages differently, so it starts afresh.
GENERATION = version("inkwell")


def tenant_key(tenant: Tenant, path: str, query: str = "") -> str:
    """`t:<uuid>:v<version>:<path>?<sorted query>`, the only shape of a page or fragment key."""
    ordered = "&".join(sorted(query.split("&"))) if query else ""
    return f"t:{tenant.uuid}:v{tenant.content_version}:{GENERATION}:{path}?{ordered}"


def strong_etag(tenant: Tenant, path: str, query: str = "") -> str:
    """A strong validator for a public response: changes with the blog's content."""
    digest = hashlib.blake2b(tenant_key(tenant, path, query).encode(), digest_size=8)
    return f"{tenant.content_version}-{digest.hexdigest()}"


class _Breaker:
    """Open after `failures` errors in a row; closed again by a success after `cooldown`."""

    def __init__(self) -> None:
        self.errors = 0
        self.open_until = 0.0

    def allows(self) -> bool:
        return time.monotonic() >= self.open_until

    def failed(self, error: Exception) -> None:
        config = current_app.config
        self.errors += 1
        if self.errors == config["CACHE_BREAKER_FAILURES"]:
            log.warning("cache unavailable, pages served uncached for a while: %s", error)
        if self.errors >= config["CACHE_BREAKER_FAILURES"]:
            self.open_until = time.monotonic() + config["CACHE_BREAKER_COOLDOWN"]

    def succeeded(self) -> None:
        if self.errors >= current_app.config["CACHE_BREAKER_FAILURES"]:
            log.info("cache available again")
        self.errors = 0


def _breaker() -> _Breaker:
    # One per app: each app has its own cache backend (see Flask-Caching).
    return current_app.extensions.setdefault("inkwell.cache_breaker", _Breaker())


def cache_get(key: str) -> Any | None:
    """The cached value, or None when missing or the cache is unavailable."""
    breaker = _breaker()
    if not breaker.allows():
        return None
    try:
        value = cache.get(key)
    except (RedisError, OSError) as error:
        breaker.failed(error)
        return None
    breaker.succeeded()
    return value


def cache_set(key: str, value: Any) -> None:
    """Store `value` if the cache is available; never raise."""
    breaker = _breaker()
    if not breaker.allows():
        return
    try:
        cache.set(key, value)
    except (RedisError, OSError) as error:
        breaker.failed(error)
    else:
        breaker.succeeded()


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
