"""Unverified domain claims expire: a claim nobody proves within
DOMAIN_CLAIM_DAYS days of adding it is removed by the periodic job (celery beat
every TENANT_PURGE_INTERVAL, or `inkwell scheduler`), each removal audited, so
forgotten claims do not pile up on blogs nor keep a DNS token waiting forever.
A verified domain never expires; re-adding an expired name starts a new claim."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from inkwell.platform.core import audit
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Domain
from inkwell.platform.core.types import utcnow

SCHEDULER = audit.Actor(None, "system:domain-claims", "scheduler")


def lifetime() -> timedelta:
    return timedelta(days=current_app.config["DOMAIN_CLAIM_DAYS"])


def expires_at(domain: Domain) -> datetime | None:
    """When the unverified claim `domain` goes, or None for a verified one."""
    if domain.verified_at is not None:
        return None
    return domain.created_at + lifetime()


def remove_expired(now: datetime | None = None, actor: audit.Actor = SCHEDULER) -> int:
    """Remove every blog's unverified claims older than the lifetime, and commit;
    how many went. A claim verified meanwhile is never one of them."""
    cutoff = (now or utcnow()) - lifetime()
    query = select(Domain).where(Domain.verified_at.is_(None), Domain.created_at < cutoff)
    query = query.order_by(Domain.id)  # the audit log tells them in the order they were added
    removed = 0
    for domain in db.session.scalars(query.options(selectinload(Domain.tenant))).all():
        # Still unverified at the delete itself: an owner may verify it meanwhile.
        gone = delete(Domain).where(Domain.id == domain.id, Domain.verified_at.is_(None))
        if db.session.execute(gone, execution_options={"synchronize_session": False}).rowcount:
            audit.record(actor, "domain.expire", domain.tenant, host=domain.host)
            removed += 1
    db.session.commit()
    return removed
