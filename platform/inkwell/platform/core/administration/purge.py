"""Purging deleted blogs for good: their files in every storage area, cached
pages, rows, and a hold on their subdomains (`lifecycle.purge_rows`). Once the
grace period is over the scheduler does it (`purge_due`); an admin can do it at
once, from the console or the CLI.

Files and cache entries go first: if that fails the rows stay, and the blog is
still listed as deleted, so the next round (or the admin) tries again.
"""

import logging

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select

from inkwell.platform.core.administration import lifecycle
from inkwell.platform.core.audit import Actor
from inkwell.platform.core.caching import drop_tenant_entries
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Tenant
from inkwell.platform.core.storage import StorageError, clear_tenant
from inkwell.platform.core.types import utcnow

log = logging.getLogger(__name__)

# Who purges blogs whose grace period ended, in the audit log.
SCHEDULER = Actor(None, "system:purge-due", "scheduler")


class PurgeError(RuntimeError):
    """The blog's files or cache entries could not be removed; its rows stay."""


def purge(tenant: Tenant, actor: Actor) -> list[str]:
    """Remove a deleted blog everywhere and commit; the subdomains now held."""
    lifecycle.check_purgeable(tenant)
    name = tenant.subdomain
    try:
        files = clear_tenant(dict(current_app.config), tenant.uuid)
        entries = drop_tenant_entries(tenant)
    except (OSError, StorageError, RedisError) as error:
        raise PurgeError(f"{name} not purged, try again: {error}") from error
    held = lifecycle.purge_rows(tenant, actor)
    db.session.commit()
    log.info("purged %s: %d files, %d cache entries", name, files, entries)
    return held


def purge_due(actor: Actor = SCHEDULER) -> int:
    """Purge the deleted blogs whose grace period is over; how many."""
    query = select(Tenant).where(Tenant.status == "deleted", Tenant.purge_after <= utcnow())
    purged = 0
    for tenant in db.session.scalars(query).all():
        tenant_id = tenant.id
        try:
            purge(tenant, actor)
            purged += 1
        except PurgeError as error:  # the others still go; the next round retries this one
            db.session.rollback()
            log.warning("purge of blog %s failed: %s", tenant_id, error)
    return purged
