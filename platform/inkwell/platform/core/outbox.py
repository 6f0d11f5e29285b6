"""The transactional outbox: work for the task queue is a row written in the
same transaction as the change that needs it.

`enqueue` only adds the row to the session. When that transaction commits, the
row's id is remembered on the app context, and the relay (`inkwell.workers.relay`)
publishes it to the broker once the request or command is over. Rows the relay
could not publish, or whose task never finished, are published again by the
sweeper. A task claims its row before working and marks it done in its own
transaction, so a second delivery of the same row does nothing.

The claim is a lease (`locked_until`): a running task holds its row for at least
its hard time limit, and a task that failed and scheduled a retry holds it until
that retry is due (`release(held_for=...)`). The sweeper takes only rows nobody
holds, so however soon it retries (OUTBOX_RETRY_AFTER), it publishes work that
was lost, never work still running or waiting for its retry.
"""

from datetime import datetime, timedelta
from typing import Any

from flask import g, has_app_context
from flask_sqlalchemy.session import Session
from sqlalchemy import event, func, or_, select, update
from sqlalchemy.orm import UOWTransaction

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Outbox
from inkwell.platform.core.types import utcnow

_FLUSHED = "inkwell_outbox_flushed"
COMMITTED = "inkwell_outbox_committed"


def enqueue(task: str, key: str, **args: Any) -> Outbox:
    """Add a row asking for `task(**args)` to the current transaction; `key` names
    the effect, so the same effect cannot be enqueued twice."""
    row = Outbox(task=task, key=key, args=args)
    db.session.add(row)
    return row


def in_transaction(task: str) -> list[Outbox]:
    """Rows of `task` the current transaction added, flushed or not (no query)."""
    rows = [row for row in db.session.new if isinstance(row, Outbox)]
    rows += [db.session.get_one(Outbox, id_) for id_ in db.session.info.get(_FLUSHED, [])]
    return [row for row in rows if row.task == task]


def committed_ids() -> list[int]:
    """Ids of outbox rows committed in this app context and not yet relayed."""
    return g.pop(COMMITTED, []) if has_app_context() else []


@event.listens_for(Session, "after_flush")
def _remember_new_rows(session: Session, _flush_context: UOWTransaction) -> None:
    new = [row.id for row in session.new if isinstance(row, Outbox)]
    if new:
        session.info.setdefault(_FLUSHED, []).extend(new)


@event.listens_for(Session, "after_commit")
def _hand_to_relay(session: Session) -> None:
    rows = session.info.pop(_FLUSHED, [])
    if rows and has_app_context():
        g.setdefault(COMMITTED, []).extend(rows)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_FLUSHED, None)


def pending(ids: list[int] | None = None, older_than: datetime | None = None) -> list[Outbox]:
    """Rows not done: those in `ids`, or those last published before `older_than`."""
    query = select(Outbox).where(Outbox.done_at.is_(None))
    if ids is not None:
        query = query.where(Outbox.id.in_(ids))
    if older_than is not None:
        last_try = func.coalesce(Outbox.published_at, Outbox.created_at)
        query = query.where(last_try < older_than, _unlocked(utcnow()))
    return list(db.session.scalars(query.order_by(Outbox.id)))


def mark_published(ids: list[int]) -> None:
    if ids:
        db.session.execute(update(Outbox).where(Outbox.id.in_(ids)).values(published_at=utcnow()))
        db.session.commit()


def _unlocked(now: datetime) -> Any:
    return or_(Outbox.locked_until.is_(None), Outbox.locked_until < now)


def claim(outbox_id: int, lease_seconds: float) -> Outbox | None:
    """Take the row for one attempt, or None if it is done or another attempt holds it.

    One atomic UPDATE, so of two deliveries racing for a row exactly one wins.
    """
    now = utcnow()
    result = db.session.execute(
        update(Outbox)
        .where(Outbox.id == outbox_id, Outbox.done_at.is_(None), _unlocked(now))
        .values(locked_until=now + timedelta(seconds=lease_seconds), attempts=Outbox.attempts + 1)
    )
    db.session.commit()
    return db.session.get(Outbox, outbox_id) if result.rowcount == 1 else None


def finish(row: Outbox, error: str = "") -> None:
    """The effect happened (or never can, `error` says why): never run it again."""
    row.done_at, row.locked_until, row.last_error = utcnow(), None, error
    db.session.commit()


def release(row: Outbox, error: str, held_for: float = 0.0) -> None:
    """This attempt failed but a later one may succeed; `held_for` seconds: the
    retry the task scheduled holds the row until it is due, so the sweeper does
    not start a second attempt beside it (0: free now)."""
    row.last_error = error
    row.locked_until = utcnow() + timedelta(seconds=held_for) if held_for else None
    db.session.commit()
