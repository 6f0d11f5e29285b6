"""The publish queue of static mirrors: one row per blog (`Mirror`).

A request is a bump of `requested_seq` in the caller's transaction, so like an
outbox row it commits with the change that wants it and is never lost; a
dispatcher (celery beat or `inkwell scheduler`) starts publishes for rows with
open requests. A publish claims the row's lock with one atomic UPDATE, so only
one runs per blog; requests that arrive meanwhile leave `requested_seq` ahead
of what the running publish saw, which is one follow-up run, however many they
were.

The lock is a lease of MIRROR_LEASE seconds with the claiming publish's token
(`holder`). While the publish runs, a `Lease` thread renews it every third of
that, so the lock ends with its holder: when a worker dies mid-publish (killed,
out of memory, past its hard time limit) its requests stay open and the
dispatcher sends them again once the lease lapsed. Every write of a publish to
the row (manifest, snapshot, release) names its token, and `Lease.check` fails
once the row names another or the lease may have lapsed, so a publish that lost
the lock (a frozen process waking up) stops instead of undoing a newer one's
work. Clocks: leases compare the app servers' clocks, which must agree to well
within MIRROR_LEASE.

Every change readers would see (`content.changes.changed`) is dated on the row
(`changed_at`) in the transaction that makes it; `request_stale` requests a
publish once the blog's content version passed the mirror's and the blog has
been quiet for MIRROR_DEBOUNCE, so a burst of edits is one publish.
"""

import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import ColumnElement, Update, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from inkwell.platform.core import tenancy
from inkwell.platform.core.content import changes
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits import quotas
from inkwell.platform.core.models import Mirror, Tenant
from inkwell.platform.core.types import utcnow

log = logging.getLogger(__name__)


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
    holder: str  # this publish's token on the row
    expires: float  # time.monotonic() at which the lease ends unless renewed


def claim(tenant_id: int) -> Claim | None:
    """Take the blog's publish lock if a request is open and no publish holds it;
    a publish whose lease lapsed (its worker died) holds it no more."""
    seconds = current_app.config["MIRROR_LEASE"]
    expires, now, holder = time.monotonic() + seconds, utcnow(), secrets.token_hex(16)
    taken = db.session.execute(
        _one(tenant_id)
        .where(Mirror.requested_seq > Mirror.done_seq, _unlocked(now))
        # The task the dispatcher sent has started: from here the lease says that
        # someone is on it, and once it lapses the dispatcher may send another.
        .values(holder=holder, locked_until=now + timedelta(seconds=seconds), dispatched_at=None)
    )
    db.session.commit()
    if taken.rowcount != 1:
        return None
    mirror = db.session.get_one(Mirror, tenant_id, populate_existing=True)
    return Claim(
        tenant_id, mirror.requested_seq, mirror.request_full, mirror.request_force, holder, expires
    )


class LeaseLost(RuntimeError):
    """The publish no longer holds its blog's lock: it must change nothing more."""


class Lease:
    """Keeps a claim's lock while its publish runs (a context manager): a thread
    renews the lease every third of MIRROR_LEASE, on a connection of its own and
    only while the row still names this publish. `check` raises LeaseLost once
    another publish took the blog over, or once the lease may have lapsed for
    want of a renewal (the database unreachable), so the publish stops before
    its next change to the mirror."""

    def __init__(self, claim: Claim) -> None:
        self.claim, self.seconds = claim, current_app.config["MIRROR_LEASE"]
        self._engine = db.engine  # the thread runs outside the app context
        self._expires, self._taken_over = claim.expires, False
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._keep, name=f"mirror-lease-{claim.tenant_id}", daemon=True
        )

    def __enter__(self) -> "Lease":
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        # Bounded: a renewal can wait on a row lock this thread's caller still holds
        # (a failed statement not rolled back yet); it ends once that is rolled back.
        self._thread.join(self.seconds)

    def check(self) -> None:
        """Raise LeaseLost unless the lock is surely still this publish's."""
        if self._taken_over:
            raise LeaseLost("another publish took the blog over; this one stopped")
        if time.monotonic() >= self._expires:
            raise LeaseLost(f"the publish lock was not renewed for {self.seconds:g} s; stopped")

    def _keep(self) -> None:
        while not self._taken_over and not self._stop.wait(self.seconds / 3):
            try:
                self._renew()
            except SQLAlchemyError:  # tried again next time; check() says when too late
                log.warning("lease of blog %s not renewed", self.claim.tenant_id, exc_info=True)

    def _renew(self) -> None:
        sent, until = time.monotonic(), utcnow() + timedelta(seconds=self.seconds)
        with self._engine.begin() as connection:
            renewed = connection.execute(_held(self.claim).values(locked_until=until))
        if renewed.rowcount == 1:
            self._expires = sent + self.seconds
        else:
            self._taken_over = True


def record(
    claim: Claim, manifest: dict[str, list[str]], snapshot: dict[str, Any] | None = None
) -> None:
    """Store what the target holds now (and, once a publish succeeded, the
    snapshot its pages were built from), if the claim still holds the lock;
    commits. LeaseLost if another publish took the blog over."""
    values: dict[str, object] = {"manifest": manifest}
    if snapshot is not None:
        values["snapshot"] = snapshot
    written = db.session.execute(_held(claim).values(**values))
    db.session.commit()
    if written.rowcount != 1:
        raise LeaseLost("another publish took the blog over; this one stopped")


def release(claim: Claim, published_version: int | None) -> None:
    """End the claimed publish: its requests are done; `published_version` is
    the content version now on the mirror, or None when the publish failed.
    Nothing changes if another publish took the blog over: its requests are
    that one's now."""
    values: dict[str, object] = {
        "done_seq": claim.seq,
        "locked_until": None,
        "holder": None,
        "dispatched_at": None,
    }
    if claim.full:
        values["request_full"] = False
    if claim.force:
        values["request_force"] = False
    if published_version is None:
        values["failed_at"] = utcnow()
    else:
        values.update(published_version=published_version, failed_at=None)
    db.session.execute(_held(claim).values(**values))
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
        # Each request updates its blog's row: in one order across dispatchers,
        # so two of them never wait on each other's rows (a deadlock).
        .order_by(Tenant.id)
    )
    stale = list(db.session.scalars(query))
    for tenant_id in stale:
        request_publish(tenant_id)
    db.session.commit()
    return len(stale)


def to_dispatch(now: datetime | None = None) -> list[int]:
    """Blogs with an open request and no publish running, marked dispatched (so
    the next round does not send them again while the task waits in the queue;
    its claim clears the mark, and after MIRROR_TIME_LIMIT it is taken as lost).
    A publish whose lease lapsed runs no more: its blog is sent again. A blog
    that used up its publishes of the hour is left out: its request stays open
    and goes out once the hour allows it.

    The rows are locked in one order, and rows another dispatcher holds are
    skipped (PostgreSQL; SQLite has one writer): after a Redis outage beat's
    piled-up dispatches run at once, and two of them updating the same rows in
    different orders deadlocked."""
    config, now = current_app.config, now or utcnow()
    again_after = now - timedelta(seconds=config["MIRROR_TIME_LIMIT"])
    query = (
        select(Mirror.tenant_id)
        .join(Tenant, Tenant.id == Mirror.tenant_id)
        .where(Tenant.status == "active", Mirror.requested_seq > Mirror.done_seq, _unlocked(now))
        .where(or_(Mirror.dispatched_at.is_(None), Mirror.dispatched_at <= again_after))
        .where(quotas.within_publish_limit(Mirror.tenant_id, now))
        .order_by(Mirror.tenant_id)
        .with_for_update(of=Mirror, skip_locked=True)
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


def _held(claim: Claim) -> Update:
    return _one(claim.tenant_id).where(Mirror.holder == claim.holder)


def _unlocked(now: datetime) -> ColumnElement[bool]:
    return or_(Mirror.locked_until.is_(None), Mirror.locked_until < now)
