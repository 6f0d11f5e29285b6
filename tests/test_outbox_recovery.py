"""The outbox sweeper against real parts (a Celery worker on Redis, an SMTP
server): work the broker lost is mailed a couple of minutes later
(OUTBOX_RETRY_AFTER), and a row a task still holds, running or waiting for its
retry, is never published a second time, however short that wait.

Waiting minutes is not a test: the rows are dated back instead, as if the
minutes had passed."""

import asyncio
import threading
import time
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select, update

from fixtures.app import platform_browser, post_form
from fixtures.jobs import running_worker
from fixtures.mail import SMTPMailbox
from fixtures.services import free_port
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Outbox
from inkwell.platform.core.types import utcnow


def request_reset(app: Flask, email: str) -> None:
    answer = post_form(platform_browser(app), "/forgot-password", {"email": email})
    assert answer.status_code == 200


def the_row(app: Flask) -> Outbox:
    with app.app_context():
        [row] = db.session.scalars(select(Outbox))
        db.session.expunge(row)
        return row


def published_ago(app: Flask, seconds: float) -> None:
    """Date the row's last publish `seconds` back, as if that time had passed."""
    with app.app_context():
        then = utcnow() - timedelta(seconds=seconds)
        db.session.execute(update(Outbox).values(published_at=then))
        db.session.commit()


def sweep(app: Flask) -> str:
    """`inkwell outbox sweep` with its defaults, as cron or beat runs it."""
    return app.test_cli_runner().invoke(args=["outbox", "sweep"]).output


def settle(mailbox: SMTPMailbox, count: int) -> None:
    """Wait for `count` mails, then a little longer to see that no copy follows."""
    mailbox.wait_for(count)
    time.sleep(0.5)
    assert len(mailbox.messages()) == count


def wait_until(condition, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_a_mail_the_broker_lost_goes_out_two_minutes_later(
    jobs_app, own_redis, smtp_server, make_tenant
) -> None:
    make_tenant("alice")
    app = jobs_app(own_redis.url, smtp_server.port)
    request_reset(app, "alice@example.com")  # relayed to the broker; no worker yet
    assert the_row(app).published_at is not None
    own_redis.stop()  # a broker without persistence restarts empty: the task is lost
    own_redis.start()
    with running_worker(app):
        time.sleep(0.5)
        assert smtp_server.messages() == []
        published_ago(app, 115)
        assert sweep(app) == "Published 0 outbox rows.\n"  # maybe still on its way
        published_ago(app, 125)
        assert sweep(app) == "Published 1 outbox rows.\n"
        settle(smtp_server, 1)
    assert smtp_server.to("alice@example.com")[0]["Subject"] == "Reset your Inkwell password"
    row = the_row(app)
    assert row.done_at is not None and row.attempts == 1


class SlowSMTP(SMTPMailbox):
    """Takes its time to accept a message: until `go_on` is set."""

    def __init__(self, port: int) -> None:
        super().__init__(port)
        self.receiving, self.go_on = threading.Event(), threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.receiving.set()
        while not self.go_on.is_set():
            await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


def test_a_mail_still_being_sent_is_not_swept(broker, jobs_app, make_tenant) -> None:
    make_tenant("alice")
    smtp = SlowSMTP(free_port())
    smtp.start()
    app = jobs_app(broker, smtp.port, MAIL_TIMEOUT=30)
    try:
        with running_worker(app):
            request_reset(app, "alice@example.com")
            assert smtp.receiving.wait(10)  # the task is in the middle of sending
            published_ago(app, 3600)  # however long ago: its task holds the row
            assert sweep(app) == "Published 0 outbox rows.\n"
            smtp.go_on.set()
            settle(smtp, 1)
    finally:
        smtp.stop()
    row = the_row(app)
    assert row.done_at is not None and row.attempts == 1


def test_a_mail_waiting_for_its_retry_is_not_swept(broker, jobs_app, make_tenant) -> None:
    make_tenant("alice")
    smtp = SMTPMailbox(free_port())  # nothing listens yet: the first attempt is refused
    app = jobs_app(broker, smtp.port, MAIL_RETRY_BACKOFF=3.0, MAIL_RETRY_BACKOFF_MAX=3.0)
    with running_worker(app):
        request_reset(app, "alice@example.com")
        wait_until(lambda: the_row(app).last_error, "the first attempt to fail")
        published_ago(app, 3600)
        # Its retry is due in 1.5 to 3 s: a second attempt now would not wait for it.
        assert sweep(app) == "Published 0 outbox rows.\n"
        smtp.start()
        try:
            settle(smtp, 1)
        finally:
            smtp.stop()
    row = the_row(app)
    assert row.done_at is not None and row.attempts == 2
