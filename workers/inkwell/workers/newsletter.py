"""Newsletter tasks: confirmation mails (queue `mail`), and a post's send to a
blog's subscribers (queue `newsletter`), planned then delivered in batches.

`plan_send` claims its outbox row, adds one delivery per confirmed subscriber
(`core.newsletter.sends.plan`), and starts a chain of `send_batch` tasks: each
claims up to NEWSLETTER_BATCH_SIZE deliveries (fewer if the blog's mail quota
has less room), sends them over one SMTP connection, each row written as sent
before its mail and committed on the server's 250 (`sends.mark_sent`), then
queues the next batch at the end of the queue, so the batches of several blogs'
sends take turns and no blog waits for another's whole list. A chain carries its
send's ticket; `resume_sends` (beat) gives a send whose chain was lost (a worker
killed, a broker restarted) a new ticket and chain, and the old one, if it was
only late, stops at its next batch.

Per message: 250 → sent; 4xx → that delivery waits (MAIL_RETRY_BACKOFF delays)
and the batch goes on; 5xx → failed, the address bounced after
NEWSLETTER_BOUNCE_LIMIT in a row; a refused, dropped or silent connection → the
rest of the batch waits and the chain retries later.
"""

import logging
import smtplib
from datetime import timedelta

from celery import Task, shared_task
from flask import current_app
from flask_mail import BadHeaderError, Connection, Message

from inkwell.platform.core import outbox, tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits import quotas
from inkwell.platform.core.mail import connection, send
from inkwell.platform.core.models import Delivery, NewsletterSend, Post, Subscriber, Tenant
from inkwell.platform.core.newsletter import sends
from inkwell.platform.core.types import utcnow
from inkwell.workers.mail import _send, backoff, is_transient
from inkwell.workers.newsletter_letter import Letter, confirm_message, letter_for, post_message

log = logging.getLogger(__name__)

# Without room in the blog's mail quota a send waits this long before looking again.
QUOTA_WAIT_SECONDS = 600


@shared_task(bind=True, name=f"{__name__}.send_confirmation")
def send_confirmation(self: Task, outbox_id: int, tenant_id: int, subscriber_id: int) -> None:
    _send(self, outbox_id, lambda: _confirmation(outbox_id, tenant_id, subscriber_id))


def _confirmation(outbox_id: int, tenant_id: int, subscriber_id: int) -> Message | None:
    tenant = db.session.get(Tenant, tenant_id)
    with tenancy.tenant_scope(tenant_id):
        subscriber = db.session.get(Subscriber, subscriber_id)
        if tenant is None or subscriber is None or subscriber.status != "pending":
            return None  # removed, or confirmed meanwhile: nothing to ask
        return confirm_message(tenant, subscriber, outbox_id)


@shared_task(name=f"{__name__}.plan_send")
def plan_send(outbox_id: int, tenant_id: int, send_id: int) -> None:
    row = outbox.claim(outbox_id, lease_seconds=current_app.config["CELERY_TASK_TIME_LIMIT"])
    if row is None:
        return  # done already, or another delivery holds it
    with tenancy.tenant_scope(tenant_id):
        send_row = db.session.get(NewsletterSend, send_id)
        ticket = sends.plan(send_row) if send_row is not None else None
        db.session.commit()
    outbox.finish(row, error="" if ticket else "the post was deleted")
    if ticket:
        queue_batch(tenant_id, send_id, ticket)


def queue_batch(tenant_id: int, send_id: int, ticket: str, countdown: float = 0) -> None:
    # Through this app's Celery (not the process's default one, which may be another app's).
    task = current_app.extensions["celery"].tasks[send_batch.name]
    task.apply_async((tenant_id, send_id, ticket), countdown=countdown, queue="newsletter")


@shared_task(name=f"{__name__}.send_batch")
def send_batch(tenant_id: int, send_id: int, ticket: str) -> None:
    """One batch of the send, then the next one queued at the end of the queue.
    Without a broker (tasks inline) the batches run one after the other here, and
    a send that must wait is left to the sweeper (`inkwell scheduler`)."""
    inline = current_app.extensions["celery"].conf.task_always_eager
    while (wait := _batch_round(tenant_id, send_id, ticket)) is not None:
        if inline and wait == 0:
            continue
        if inline:
            _resume_after(tenant_id, send_id, wait)
        else:
            queue_batch(tenant_id, send_id, ticket, countdown=wait)
        return


def _batch_round(tenant_id: int, send_id: int, ticket: str) -> float | None:
    """Seconds until the chain's next batch, or None when it ends here."""
    with tenancy.tenant_scope(tenant_id):
        send_row = db.session.get(NewsletterSend, send_id)
        tenant = db.session.get(Tenant, tenant_id)
        if send_row is None or send_row.ticket != ticket or send_row.finished_at:
            return None  # deleted with its post, superseded by a new chain, or done
        if not sends.mails_for(tenant):
            return None  # suspended: the sweeper resumes the send once it is active again
        wait = _run_batch(tenant, send_row)
        if wait is None:
            send_row.finished_at = utcnow()
        else:
            sends.keep_alive(send_row)
        db.session.commit()
        return wait


def _resume_after(tenant_id: int, send_id: int, wait: float) -> None:
    """Inline mode: let the sweeper start a new chain once `wait` seconds passed."""
    with tenancy.tenant_scope(tenant_id):
        send_row = db.session.get_one(NewsletterSend, send_id)
        send_row.active_until = utcnow() + timedelta(seconds=wait)
        db.session.commit()


def _run_batch(tenant: Tenant, send_row: NewsletterSend) -> float | None:
    """Send one batch; seconds until the next may run, or None when all are done."""
    post = db.session.get(Post, send_row.post_id)
    if post is None or post.status != "published":
        sends.cancel(send_row, "the post was deleted or withdrawn before it was sent")
        return None
    room = quotas.limits(tenant.id).mails_per_day - quotas.mails_last_day(tenant.id)
    if room <= 0:
        return QUOTA_WAIT_SECONDS
    size = min(current_app.config["NEWSLETTER_BATCH_SIZE"], room)
    batch = sends.claimed(send_row, sends.claim_batch(send_row, size))
    if batch:
        _deliver(letter_for(tenant, post), batch)
    due = sends.next_due(send_row)
    return None if due is None else max(0.0, (due - utcnow()).total_seconds())


def _deliver(letter: Letter, batch: list[tuple[Delivery, Subscriber]]) -> None:
    """Send each delivery of `batch` over one connection, recording each outcome."""
    position = 0
    try:
        with connection() as smtp, sends.kept_loaded():
            for position, (delivery, subscriber) in enumerate(batch):  # noqa: B007
                if not sends.still_ours(delivery):
                    break  # the rest waits for its lease to end, then goes to the next claim
                _deliver_one(smtp, letter, delivery, subscriber)
    except Exception as error:  # the connection failed: the rest of the batch waits
        if not is_transient(error):
            raise
        log.warning("newsletter: SMTP unavailable (%r), batch postponed", error)
        for delivery, _subscriber in batch[position:]:
            if delivery.status == "queued":
                delay = backoff(delivery.attempts - 1)
                sends.retry_later(delivery, repr(error), delay, may_fail=False)
        db.session.commit()


def _deliver_one(
    smtp: Connection | None, letter: Letter, delivery: Delivery, subscriber: Subscriber
) -> None:
    try:
        mail = post_message(letter, delivery, subscriber)
    except BadHeaderError as error:  # never sendable: not the address's fault
        sends.refused(delivery, None, repr(error))
        return
    sends.mark_sent(delivery, subscriber)
    try:
        send(smtp, mail)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
        db.session.rollback()  # not taken: the mark undone
        # A reply about this message: the connection goes on with the next one.
        if is_transient(error):
            sends.retry_later(delivery, repr(error), backoff(delivery.attempts - 1))
            db.session.commit()
        else:
            sends.refused(delivery, subscriber, repr(error))
        return
    except BaseException:
        db.session.rollback()  # the connection failed (or the task stops): not sent
        raise
    db.session.commit()  # the 250 came: the one message left to write


@shared_task(name=f"{__name__}.resume_sends")
def resume_sends_task() -> int:
    """Beat's entry (NEWSLETTER_SWEEP_INTERVAL), in the worker's app."""
    return resume_sends()


def resume_sends() -> int:
    """Start a new chain for each send whose chain stopped; how many. A plain
    function, so `inkwell scheduler` runs it in its own app, not in whichever app
    Celery last made current."""
    resumed = 0
    for tenant_id, send_id in sends.stalled_sends():
        with tenancy.tenant_scope(tenant_id):
            send_row = db.session.get_one(NewsletterSend, send_id)
            ticket = sends.new_ticket(send_row)
            db.session.commit()
        queue_batch(tenant_id, send_id, ticket)
        resumed += 1
    return resumed
