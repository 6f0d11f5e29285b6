"""Purging deleted blogs for good: their mirror objects, cached pages, rows,
and a hold on their subdomains (`core.lifecycle.purge_rows`). Outside the
grace period the scheduler does it (`purge_due`); an admin can do it at once.

Objects and cache entries go first: if that fails the rows stay, and the blog
is still listed as deleted, so the next round (or the admin) tries again.
"""

import logging

from botocore.exceptions import BotoCoreError, ClientError
from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import select

from inkwell.platform.core import lifecycle
from inkwell.platform.core.audit import Actor
from inkwell.platform.core.caching import drop_tenant_entries
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Tenant
from inkwell.platform.core.types import utcnow
from inkwell.workers.mirror_targets import open_target

log = logging.getLogger(__name__)

# Who purges blogs whose grace period ended, in the audit log.
SCHEDULER = Actor(None, "system:purge-due", "scheduler")


class PurgeError(RuntimeError):
    """The mirror or the cache could not be emptied; the blog's rows stay."""


def purge(tenant: Tenant, actor: Actor) -> list[str]:
    """Remove a deleted blog everywhere and commit; the subdomains now held."""
    lifecycle.check_purgeable(tenant)
    name = tenant.subdomain
    try:
        objects = open_target(dict(current_app.config), tenant.uuid).clear()
        entries = drop_tenant_entries(tenant)
    except (OSError, RedisError, BotoCoreError, ClientError) as error:
        raise PurgeError(f"{name} not purged, try again: {error}") from error
    held = lifecycle.purge_rows(tenant, actor)
    db.session.commit()
    log.info("purged %s: %d mirror objects, %d cache entries", name, objects, entries)
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
