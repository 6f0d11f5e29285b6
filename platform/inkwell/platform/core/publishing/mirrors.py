"""The publish queue of static mirrors: one row per blog (`Mirror`).

A request is a bump of `requested_seq` in the caller's transaction, so like an
outbox row it commits with the change that wants it and is never lost; a
dispatcher (celery beat or `inkwell scheduler`) starts publishes for rows with
open requests. A publish claims the row's lock with one atomic UPDATE, so only
one runs per blog; requests that arrive meanwhile leave `requested_seq` ahead
of what the running publish saw, which is one follow-up run, however many they
were.

Every change readers would see (`content.changes.changed`) is dated on the row
(`changed_at`) in the transaction that makes it; `request_stale` requests a
publish once the blog's content version passed the mirror's and the blog has
been quiet for MIRROR_DEBOUNCE, so a burst of edits is one publish.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import ColumnElement, Update, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from inkwell.platform.core import tenancy
from inkwell.platform.core.content import changes
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits import quotas
from inkwell.platform.core.models import Mirror, Tenant
from inkwell.platform.core.types import utcnow


def init_app(app: Flask) -> None:
    """Date every change readers would see, for the dispatcher's debounce."""
    changes.changed.connect(_note_change)


def _note_change(tenant_id: int, change: changes.Change) -> None:
    ensure(tenant_id)
    db.session.execute(_one(tenant_id).values(changed_at=utcnow()))


def ensure(tenant_id: int) -> None:
    """Create the blog's mirror row unless it exists (concurrent callers are fine)."""
    dialects = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
    make = dialects.get(db.session.get_bind().dialect.name)
    if make is None:  # another database: plain insert when missing
        if db.session.get(Mirror, tenant_id) is None:
            db.session.execute(insert(Mirror).values(tenant_id=tenant_id))
        return
    statement = make(Mirror).values(tenant_id=tenant_id, manifest={})
    db.session.execute(statement.on_conflict_do_nothing(index_elements=["tenant_id"]))


def request_publish(tenant_id: int, full: bool = False, force: bool = False) -> None:
    """Ask for a publish of the blog's mirror; the caller commits."""
    ensure(tenant_id)
    values: dict[str, object] = {"requested_seq": Mirror.requested_seq + 1}
    if full:
        values["request_full"] = True
    if force:
        values["request_force"] = True
    db.session.execute(_one(tenant_id).values(**values))


@dataclass(frozen=True)
class Claim:
    tenant_id: int
    seq: int
    full: bool
    force: bool


def claim(tenant_id: int) -> Claim | None:
    """Take the blog's publish lock if a request is open and no publish holds it."""
    now = utcnow()
    lease = timedelta(seconds=current_app.config["MIRROR_TIME_LIMIT"])
    taken = db.session.execute(
        _one(tenant_id)
        .where(Mirror.requested_seq > Mirror.done_seq, _unlocked(now))
        .values(locked_until=now + lease)
    )
    db.session.commit()
    if taken.rowcount != 1:
        return None
    mirror = db.session.get_one(Mirror, tenant_id, populate_existing=True)
    return Claim(tenant_id, mirror.requested_seq, mirror.request_full, mirror.request_force)


def release(claim: Claim, published_version: int | None) -> None:
    """End the claimed publish: its requests are done; `published_version` is
    the content version now on the mirror, or None when the publish failed."""
    values: dict[str, object] = {"done_seq": claim.seq, "locked_until": None, "dispatched_at": None}
    if claim.full:
        values["request_full"] = False
    if claim.force:
        values["request_force"] = False
    if published_version is None:
        values["failed_at"] = utcnow()
    else:
        values.update(published_version=published_version, failed_at=None)
    db.session.execute(_one(claim.tenant_id).values(**values))
    db.session.commit()


def request_stale(now: datetime | None = None) -> int:
    """Request publishes of active blogs whose content changed since their mirror
    was built and then stayed quiet for MIRROR_DEBOUNCE; how many. Across blogs."""
    config, now = current_app.config, now or utcnow()
    quiet_since = now - timedelta(seconds=config["MIRROR_DEBOUNCE"])
    retry_since = now - timedelta(seconds=config["MIRROR_RETRY_AFTER"])
    query = (
        select(Tenant.id)
        .outerjoin(Mirror, Mirror.tenant_id == Tenant.id)
        .where(Tenant.status == "active")
        .where(or_(Mirror.changed_at.is_(None), Mirror.changed_at <= quiet_since))
        .where(or_(Mirror.tenant_id.is_(None), Tenant.content_version > Mirror.published_version))
        .where(or_(Mirror.requested_seq.is_(None), Mirror.requested_seq == Mirror.done_seq))
        .where(or_(Mirror.failed_at.is_(None), Mirror.failed_at <= retry_since))
    )
    stale = list(db.session.scalars(query))
    for tenant_id in stale:
        request_publish(tenant_id)
    db.session.commit()
    return len(stale)


def to_dispatch(now: datetime | None = None) -> list[int]:
    """Blogs with an open request and no publish running, marked dispatched (so
    the next round does not send them again before MIRROR_TIME_LIMIT). A blog
    that used up its publishes of the hour is left out: its request stays open
    and goes out once the hour allows it."""
    config, now = current_app.config, now or utcnow()
    again_after = now - timedelta(seconds=config["MIRROR_TIME_LIMIT"])
    query = (
        select(Mirror.tenant_id)
        .join(Tenant, Tenant.id == Mirror.tenant_id)
        .where(Tenant.status == "active", Mirror.requested_seq > Mirror.done_seq, _unlocked(now))
        .where(or_(Mirror.dispatched_at.is_(None), Mirror.dispatched_at <= again_after))
        .where(quotas.within_publish_limit(Mirror.tenant_id, now))
    )
    with tenancy.across_tenants():  # the limit counts each blog's publish_runs
        due = list(db.session.scalars(query))
    if due:
        db.session.execute(
            update(Mirror).where(Mirror.tenant_id.in_(due)).values(dispatched_at=now)
        )
    db.session.commit()
    return due


def undispatch(tenant_id: int) -> None:
    """The publish could not be sent: let the next round try again."""
    db.session.execute(_one(tenant_id).values(dispatched_at=None))
    db.session.commit()


def _one(tenant_id: int) -> Update:
    return update(Mirror).where(Mirror.tenant_id == tenant_id)


def _unlocked(now: datetime) -> ColumnElement[bool]:
    return or_(Mirror.locked_until.is_(None), Mirror.locked_until < now)
