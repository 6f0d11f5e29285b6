"""A post's send to the blog's subscribers, from the moment it goes live to its
last delivery.

`_on_change` hears `content.changes.changed` in the transaction that took a post
live (a save as published, or the scheduler's `publish_due`): for each listed,
public post with "email this post" ticked and no send yet, a `NewsletterSend` row
(unique per post) and an outbox row commit with the change, or neither does.
The worker then `plan`s one `Delivery` per confirmed subscriber (insert-if-absent,
so a repeated plan adds nothing) and works through them in batches:
`claim_batch` takes up to n rows with one UPDATE (PostgreSQL skips rows another
worker holds) for NEWSLETTER_CLAIM_SECONDS, and only rows still queued: one
marked sent is never claimed, so never mailed, again. Each row is written as
sent before its mail goes, in a transaction of its own that is committed the
moment the server answers 250 and rolled back otherwise (`mark_sent`); a worker
starts a message only while its lease has MAIL_TIMEOUT left (`still_ours`), so
a slow worker never mails a row another has claimed since. Rows of a killed
worker come free when its lease ends and the sweeper's new chain sends them.

The one window left: a worker killed between reading the server's 250 and
writing the COMMIT (once written, PostgreSQL commits even if the worker is gone)
has its mail sent again, so at most one duplicate per SMTP connection of a
killed worker (one per worker process), never a loss. SMTP
cannot close it (RFC 5321 §4.5.4, §6.1; RFC 1047): nothing in the protocol asks
a server whether it took a message. A "handing over" mark committed before
DATA's final dot would only say the worker got that far; on resume, such a row
is delivered if the dot went out and the 250 came back, not if the worker died
before, and we cannot tell which, so treating it as sent trades a duplicate for
a loss. A repeat is the same mail: its Message-ID is the delivery's, which mail
systems that drop duplicates recognise.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from uuid import uuid4

from flask import Flask, current_app
from sqlalchemy import exists, func, insert, literal, or_, select, update

from inkwell.platform.core import outbox, tenancy
from inkwell.platform.core.content import changes
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Delivery, NewsletterSend, Post, Subscriber, Tenant
from inkwell.platform.core.types import utcnow

PLAN_TASK = "inkwell.workers.newsletter.plan_send"


def init_app(app: Flask) -> None:
    changes.changed.connect(_on_change)


def mails_for(tenant: Tenant | None) -> bool:
    """Whether the blog may mail its subscribers: active and not quarantined."""
    return tenant is not None and tenant.status == "active" and not tenant.quarantined_at


def _on_change(tenant_id: int, change: changes.Change) -> None:
    if change.what != "posts" or not change.ids:
        return
    if not mails_for(db.session.get(Tenant, tenant_id)):
        return
    with tenancy.tenant_scope(tenant_id):
        sent = select(NewsletterSend.id).where(NewsletterSend.post_id == Post.id)
        # Published, whatever the clock says: the scheduler may run a little early.
        query = select(Post).where(
            Post.id.in_(change.ids),
            Post.status == "published",
            Post.is_page.is_(False),
            Post.email_subscribers.is_(True),
            ~exists(sent),
        )
        for post in db.session.scalars(query):
            send = NewsletterSend(tenant_id=tenant_id, post_id=post.id)
            db.session.add(send)
            db.session.flush()
            key = f"newsletter:{tenant_id}:{post.id}"
            outbox.enqueue(PLAN_TASK, key, tenant_id=tenant_id, send_id=send.id)


def plan(send: NewsletterSend) -> str:
    """Add a delivery for each confirmed subscriber who has none for `send`, and
    start its chain of batches: the ticket the batch tasks carry; the caller commits."""
    if send.planned_at is None:
        has = select(Delivery.id).where(
            Delivery.send_id == send.id, Delivery.subscriber_id == Subscriber.id
        )
        recipients = select(
            Subscriber.tenant_id,
            literal(send.id),
            Subscriber.id,
            literal("queued"),
            literal(0),
            literal(""),
        ).where(Subscriber.tenant_id == send.tenant_id, Subscriber.status == "confirmed")
        recipients = recipients.where(~exists(has))  # fmt: skip
        columns = ["tenant_id", "send_id", "subscriber_id", "status", "attempts", "last_error"]
        db.session.execute(insert(Delivery).from_select(columns, recipients))
        send.planned_at = utcnow()
    return new_ticket(send)


def new_ticket(send: NewsletterSend) -> str:
    """A new chain of batches for `send`: the one before, if any, stops at its next batch."""
    send.ticket = uuid4().hex
    keep_alive(send)
    return send.ticket


def keep_alive(send: NewsletterSend) -> None:
    """The chain is working: the sweeper leaves it alone for NEWSLETTER_STALL_SECONDS."""
    send.active_until = utcnow() + timedelta(seconds=current_app.config["NEWSLETTER_STALL_SECONDS"])


def claim_batch(send: NewsletterSend, size: int) -> str:
    """Take up to `size` deliveries of `send` that are due and nobody holds, for
    NEWSLETTER_CLAIM_SECONDS; the claim's id (read them with `claimed`). Commits."""
    now, claim = utcnow(), uuid4().hex
    free = (
        Delivery.send_id == send.id,
        Delivery.status == "queued",
        or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
        or_(Delivery.next_try_at.is_(None), Delivery.next_try_at <= now),
    )
    ids = select(Delivery.id).where(*free).order_by(Delivery.id).limit(size)
    if db.session.get_bind().dialect.name == "postgresql":
        ids = ids.with_for_update(skip_locked=True)  # another worker's rows: skipped, not awaited
    # The ids first, then an UPDATE that checks them again: a LIMIT inside the
    # UPDATE's IN may be evaluated more than once on PostgreSQL and take too many,
    # and on SQLite a racing worker's claim makes the check fail, not double.
    lease = now + timedelta(seconds=current_app.config["NEWSLETTER_CLAIM_SECONDS"])
    ids = list(db.session.scalars(ids))
    _drop_lost_recipients(ids)
    db.session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), *free)
        .values(claim=claim, claimed_until=lease, next_try_at=None, attempts=Delivery.attempts + 1),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()
    return claim


def cancel(send: NewsletterSend, reason: str) -> None:
    """Send nothing more of `send` (its post is gone or no longer public); the caller commits."""
    db.session.execute(
        update(Delivery)
        .where(Delivery.send_id == send.id, Delivery.status == "queued")
        .values(status="failed", last_error=reason, claim=None, claimed_until=None),
        execution_options={"synchronize_session": False},
    )


def _drop_lost_recipients(ids: list[int]) -> None:
    """Of deliveries `ids`, those to addresses that unsubscribed or bounced since
    the plan: not sent. Only the batch's rows: a scan of the whole send at every
    batch grew with the square of its size."""
    gone = select(Subscriber.id).where(
        Subscriber.id == Delivery.subscriber_id, Subscriber.status != "confirmed"
    )
    db.session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), Delivery.status == "queued", exists(gone))
        .values(status="failed", last_error="unsubscribed before it was sent"),
        execution_options={"synchronize_session": False},
    )


def claimed(send: NewsletterSend, claim: str) -> list[tuple[Delivery, Subscriber]]:
    """The deliveries a claim on `send` took, with their subscribers, in order."""
    # By the send's queued rows (an index), not by the claim alone (none): that
    # probed every delivery of the blog per subscriber, seconds a batch at 10,000.
    query = (
        select(Delivery, Subscriber)
        .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
        .where(Delivery.send_id == send.id, Delivery.status == "queued", Delivery.claim == claim)
        .order_by(Delivery.id)
    )
    return [(row[0], row[1]) for row in db.session.execute(query)]


def still_ours(delivery: Delivery) -> bool:
    """Whether a message may start: its lease has MAIL_TIMEOUT left, so no other
    worker can claim the row while the server is still taking it."""
    margin = timedelta(seconds=current_app.config["MAIL_TIMEOUT"])
    return delivery.claimed_until is not None and utcnow() + margin < delivery.claimed_until


@contextmanager
def kept_loaded() -> Iterator[None]:
    """Commits within leave the session's rows loaded: a batch commits after
    each mail, and reloading its deliveries, subscribers, blog and post after
    every commit cost more than the mail itself. The batch's rows are this
    worker's while it holds their claim."""
    session = db.session()
    before, session.expire_on_commit = session.expire_on_commit, False
    try:
        yield
    finally:
        session.expire_on_commit = before


def mark_sent(delivery: Delivery, subscriber: Subscriber) -> None:
    """Write `delivery` as sent, and its address's bounces cleared ("in a row"),
    before the mail goes and without committing: the caller commits the moment
    the server answers 250 and rolls back on anything else, so between the 250
    and the row's record only the COMMIT's one message is left to write."""
    delivery.status, delivery.sent_at, delivery.claim, delivery.claimed_until = (
        "sent", utcnow(), None, None,
    )  # fmt: skip
    if subscriber.bounces:
        subscriber.bounces = 0
    db.session.flush()


def retry_later(delivery: Delivery, error: str, delay: float, may_fail: bool = True) -> None:
    """A passing refusal: due again after `delay` seconds. A 4xx about this
    message fails it after NEWSLETTER_MAX_ATTEMPTS tries; a server that cannot be
    reached (`may_fail` False) never does: mail waits for it. The caller commits."""
    delivery.claim, delivery.claimed_until, delivery.last_error = None, None, error
    if may_fail and delivery.attempts >= current_app.config["NEWSLETTER_MAX_ATTEMPTS"]:
        delivery.status = "failed"
    else:
        delivery.next_try_at = utcnow() + timedelta(seconds=delay)


def refused(delivery: Delivery, subscriber: Subscriber | None, error: str) -> None:
    """A permanent refusal (5xx): failed, and the address (if it was to blame)
    bounced after NEWSLETTER_BOUNCE_LIMIT in a row. Commits."""
    delivery.status, delivery.claim, delivery.claimed_until = "failed", None, None
    delivery.last_error = error
    if subscriber is None:
        db.session.commit()
        return
    subscriber.bounces += 1
    if subscriber.bounces >= current_app.config["NEWSLETTER_BOUNCE_LIMIT"]:
        subscriber.status = "bounced"
    db.session.commit()


def next_due(send: NewsletterSend) -> datetime | None:
    """When the send's next delivery may be claimed (now or later); None when
    every delivery is sent or failed."""
    # A claimed row waits for its lease, a retried one for its time; a fresh one for nothing.
    when = func.coalesce(Delivery.next_try_at, Delivery.claimed_until)
    query = select(func.count(), func.count(when), func.min(when)).where(
        Delivery.send_id == send.id, Delivery.status == "queued"
    )
    left, waiting, soonest = db.session.execute(query).one()
    if not left:
        return None
    return utcnow() if waiting < left else soonest


def progress(send: NewsletterSend) -> dict[str, int]:
    """Deliveries of `send` per status, for the dashboard."""
    query = (
        select(Delivery.status, func.count())
        .where(Delivery.send_id == send.id)
        .group_by(Delivery.status)
    )
    return {status: count for status, count in db.session.execute(query)}


def stalled_sends() -> list[tuple[int, int]]:
    """(blog, send) of planned, unfinished sends whose batch chain is lost."""
    query = select(NewsletterSend.tenant_id, NewsletterSend.id).where(
        NewsletterSend.planned_at.is_not(None),
        NewsletterSend.finished_at.is_(None),
        NewsletterSend.active_until < utcnow(),
    )
    with tenancy.across_tenants():
        return [(row[0], row[1]) for row in db.session.execute(query)]
