"""Newsletter delivery on real parts: a Celery worker on Redis and an SMTP server
(aiosmtpd) that accepts, answers 4xx or 5xx, or is gone. Every address gets each
post exactly once, counted from what the server received."""

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import g
from sqlalchemy import select

from fixtures.app import platform_browser, post_form
from fixtures.jobs import running_worker
from fixtures.mail import SMTPMailbox
from inkwell.platform.core import tenancy
from inkwell.platform.core.content.posts import PostInput, save_post
from inkwell.platform.core.content.revisions import Actor
from inkwell.platform.core.extensions import db
from inkwell.platform.core.mail import connection
from inkwell.platform.core.models import Delivery, NewsletterSend, Post, Subscriber, Tenant
from inkwell.platform.core.newsletter import sends, subscribers
from inkwell.workers import newsletter


def add_subscribers(app, blog, count: int, prefix: str = "reader") -> list[str]:
    emails = [f"{prefix}{n}@example.com" for n in range(count)]
    with app.app_context(), tenancy.tenant_scope(blog.id):
        for email in emails:
            db.session.add(Subscriber(tenant_id=blog.id, email=email, status="confirmed",
                                      token=subscribers.new_token()))  # fmt: skip
        db.session.commit()
    return emails


def publish(app, blog, title: str) -> None:
    """Save a published post through `app`, whose relay hands the send to the broker."""
    with app.app_context(), tenancy.tenant_scope(blog.id):
        tenant = db.session.get(Tenant, blog.id)
        save_post(Post(), tenant, PostInput(title=title, body_md="Words.", status="published"),
                  actor=Actor(blog.owner_email))  # fmt: skip
        db.session.commit()


def received(server: SMTPMailbox, subject: str) -> Counter[str]:
    return Counter(m["To"] for m in server.messages() if m["Subject"] == subject)


def deliveries(app, blog) -> list[Delivery]:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        return list(db.session.scalars(select(Delivery).order_by(Delivery.id)))


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def wait_until_finished(app, blog, worker, timeout: float = 20.0) -> None:
    worker.wait_idle(timeout)
    with app.app_context(), tenancy.tenant_scope(blog.id):
        assert all(s.finished_at for s in db.session.scalars(select(NewsletterSend)))


def test_every_subscriber_gets_the_post_once_in_batches(
    jobs_app, broker, smtp_server, make_tenant
) -> None:
    app = jobs_app(broker, smtp_server.port, NEWSLETTER_BATCH_SIZE=5)
    alice = make_tenant("alice")
    emails = add_subscribers(app, alice, 23)
    with running_worker(app) as worker:
        publish(app, alice, "Hello")
        smtp_server.wait_for(23)
        wait_until_finished(app, alice, worker)
    assert received(smtp_server, "Hello") == Counter(emails)  # all, once each
    assert {d.status for d in deliveries(app, alice)} == {"sent"}


def test_a_4xx_is_retried_until_the_server_takes_it(
    jobs_app, broker, smtp_server, make_tenant
) -> None:
    app = jobs_app(broker, smtp_server.port)
    alice = make_tenant("alice")
    emails = add_subscribers(app, alice, 3)
    smtp_server.reply = "451 4.3.0 Try again later"
    with running_worker(app) as worker:
        publish(app, alice, "Hello")
        wait_for(lambda: any(d.attempts > 1 for d in deliveries(app, alice)), "no retry")
        smtp_server.reply = "250 OK"
        smtp_server.wait_for(3)
        wait_until_finished(app, alice, worker)
    assert received(smtp_server, "Hello") == Counter(emails)


def test_5xx_refusals_mark_the_address_bounced(jobs_app, broker, smtp_server, make_tenant) -> None:
    app = jobs_app(broker, smtp_server.port, NEWSLETTER_BOUNCE_LIMIT=2)
    alice = make_tenant("alice")
    add_subscribers(app, alice, 2)
    smtp_server.reply = "550 5.1.1 No such user"
    with running_worker(app) as worker:
        publish(app, alice, "One")
        wait_until_finished(app, alice, worker)
        assert {d.status for d in deliveries(app, alice)} == {"failed"}
        publish(app, alice, "Two")
        wait_until_finished(app, alice, worker)
    with app.app_context(), tenancy.tenant_scope(alice.id):
        assert {s.status for s in db.session.scalars(select(Subscriber))} == {"bounced"}
    smtp_server.reply = "250 OK"
    with running_worker(app) as worker:
        publish(app, alice, "Three")  # bounced addresses are not mailed any more
        wait_until_finished(app, alice, worker)
    assert smtp_server.messages() == [] and len(deliveries(app, alice)) == 4


def test_a_server_that_is_down_delays_the_send_without_losing_it(
    jobs_app, broker, smtp_server, make_tenant
) -> None:
    # One try per 4xx message, but an unreachable server fails no mail, however long.
    app = jobs_app(broker, smtp_server.port, NEWSLETTER_MAX_ATTEMPTS=1)
    alice = make_tenant("alice")
    emails = add_subscribers(app, alice, 4)
    smtp_server.stop()
    with running_worker(app) as worker:
        publish(app, alice, "Hello")
        wait_for(lambda: any(d.attempts > 2 for d in deliveries(app, alice)), "no retries")
        assert {d.status for d in deliveries(app, alice)} == {"queued"}
        smtp_server.start()
        smtp_server.wait_for(4)
        wait_until_finished(app, alice, worker)
    assert received(smtp_server, "Hello") == Counter(emails)


def test_a_send_whose_worker_died_resumes_without_loss_or_repeat(
    jobs_app, broker, smtp_server, make_tenant
) -> None:
    """A worker killed mid-batch leaves claimed rows (some sent and marked, some
    not) and no task: the sweeper starts a new chain once the claims lapse."""
    # Leases longer than MAIL_TIMEOUT (0.5 s here): a message starts only with that much left.
    app = jobs_app(broker, smtp_server.port, NEWSLETTER_BATCH_SIZE=4,
                   NEWSLETTER_CLAIM_SECONDS=1.5, NEWSLETTER_STALL_SECONDS=0)  # fmt: skip
    alice = make_tenant("alice")
    emails = add_subscribers(app, alice, 6)
    publish_without_broker(app, alice, "Hello")
    # The dead worker's batch: four claimed, the first two mailed and marked.
    with claimed_batch(app, alice, 4) as (batch, letter), connection() as smtp:
        for delivery, subscriber in batch[:2]:
            newsletter._deliver_one(smtp, letter, delivery, subscriber)
    resumed(app, alice, smtp_server, 6, after=1.6)  # once the claims lapsed
    assert received(smtp_server, "Hello") == Counter(emails)


def test_a_worker_past_its_lease_leaves_the_rest_of_its_batch_to_the_next_claim(
    jobs_app, broker, smtp_server, make_tenant
) -> None:
    """A worker slower than its lease: once the rows may be claimed by another,
    it mails none of them, so the send goes on without a duplicate."""
    app = jobs_app(broker, smtp_server.port, NEWSLETTER_CLAIM_SECONDS=1,
                   NEWSLETTER_STALL_SECONDS=0)  # fmt: skip
    alice = make_tenant("alice")
    emails = add_subscribers(app, alice, 3)
    publish_without_broker(app, alice, "Hello")
    with claimed_batch(app, alice, 3) as (batch, letter):
        time.sleep(1.1)  # the lease is over: another worker may hold these rows now
        newsletter._deliver(letter, batch)
    assert smtp_server.messages() == []
    resumed(app, alice, smtp_server, 3)
    assert received(smtp_server, "Hello") == Counter(emails)


def test_an_address_unsubscribed_after_the_plan_is_not_mailed(
    jobs_app, broker, smtp_server, make_tenant
) -> None:
    app = jobs_app(broker, smtp_server.port, NEWSLETTER_BATCH_SIZE=2, NEWSLETTER_STALL_SECONDS=0)
    alice = make_tenant("alice")
    emails = add_subscribers(app, alice, 5)
    publish_without_broker(app, alice, "Hello")
    with app.app_context(), tenancy.tenant_scope(alice.id):
        planned_send()
        leaving = select(Subscriber).where(Subscriber.email.in_(emails[1::2]))
        for subscriber in db.session.scalars(leaving):
            subscribers.unsubscribe(subscriber)
        db.session.commit()
    resumed(app, alice, smtp_server, 3)
    assert received(smtp_server, "Hello") == Counter(emails[::2])
    outcomes = Counter((d.status, d.last_error) for d in deliveries(app, alice))
    assert outcomes == {("sent", ""): 3, ("failed", "unsubscribed before it was sent"): 2}


def planned_send() -> tuple[NewsletterSend, str]:
    """The blog's one send, planned (in its scope), and its chain's ticket."""
    send = db.session.scalars(select(NewsletterSend)).one()
    ticket = sends.plan(send)
    db.session.commit()
    return send, ticket


@contextmanager
def claimed_batch(app, blog, size: int) -> Iterator[tuple[list, newsletter.Letter]]:
    """In the blog's scope: `size` deliveries of its one send, claimed as a
    worker claims them, and the post's letter."""
    with app.app_context(), tenancy.tenant_scope(blog.id):
        send, _ticket = planned_send()
        batch = sends.claimed(send, sends.claim_batch(send, size))
        post = db.session.get(Post, send.post_id)
        yield batch, newsletter.letter_for(db.session.get(Tenant, blog.id), post)


def resumed(app, blog, smtp_server: SMTPMailbox, count: int, after: float = 0) -> None:
    """A new worker; `after` seconds later the sweeper restarts the stalled send,
    which ends once the server has `count` mails."""
    with running_worker(app) as worker:
        time.sleep(after)
        with app.app_context():
            assert newsletter.resume_sends() == 1
        smtp_server.wait_for(count)
        wait_until_finished(app, blog, worker)


def publish_without_broker(app, blog, title: str) -> None:
    """The post's send and outbox row, its task never run (the worker died first)."""
    with app.app_context(), tenancy.tenant_scope(blog.id):
        tenant = db.session.get(Tenant, blog.id)
        save_post(Post(), tenant, PostInput(title=title, status="published"),
                  actor=Actor(blog.owner_email))  # fmt: skip
        db.session.commit()
        g.pop("inkwell_outbox_committed", None)  # the relay never ran


def test_blogs_take_turns_and_account_mail_does_not_wait(
    jobs_app, broker, smtp_server, make_tenant
) -> None:
    app = jobs_app(broker, smtp_server.port, NEWSLETTER_BATCH_SIZE=3)
    alice, bob = make_tenant("alice"), make_tenant("bob")
    add_subscribers(app, alice, 30, "a")
    add_subscribers(app, bob, 3, "b")
    with running_worker(app) as worker:
        publish(app, alice, "Big")
        publish(app, bob, "Small")
        answer = post_form(platform_browser(app), "/forgot-password", {"email": "bob@example.com"})
        assert answer.status_code == 200
        smtp_server.wait_for(34)
        worker.wait_idle(20)
    subjects = [m["Subject"] for m in smtp_server.messages()]
    last_big = max(i for i, s in enumerate(subjects) if s == "Big")
    assert max(i for i, s in enumerate(subjects) if s == "Small") < last_big
    assert subjects.index("Reset your Inkwell password") < last_big
    assert Counter(subjects) == {"Big": 30, "Small": 3, "Reset your Inkwell password": 1}


@pytest.fixture(autouse=True)
def _fast(monkeypatch) -> None:
    monkeypatch.setattr(newsletter, "QUOTA_WAIT_SECONDS", 1)


def test_a_post_withdrawn_mid_send_stops_its_send(jobs_app, broker, smtp_server, make_tenant):
    app = jobs_app(broker, smtp_server.port)
    alice = make_tenant("alice")
    add_subscribers(app, alice, 3)
    publish_without_broker(app, alice, "Oops")
    with app.app_context(), tenancy.tenant_scope(alice.id):
        send = db.session.scalars(select(NewsletterSend)).one()
        ticket, send_id = sends.plan(send), send.id
        db.session.get(Post, send.post_id).status = "draft"  # withdrawn before the batches ran
        db.session.commit()
    with running_worker(app) as worker:
        with app.app_context():
            newsletter.queue_batch(alice.id, send_id, ticket)
        wait_until_finished(app, alice, worker)
    assert smtp_server.messages() == []
    assert {d.status for d in deliveries(app, alice)} == {"failed"}
