"""Jobs against real parts: a Celery worker on Redis and an SMTP server (aiosmtpd).

Every test ends with exactly one mail per request: faults delay mail, they
neither lose nor duplicate it.
"""

import socket
import time

from flask import Flask
from sqlalchemy import select

from fixtures.accounts import AuthActions
from fixtures.app import platform_browser, post_form
from fixtures.jobs import WorkerActivity, running_worker
from fixtures.mail import Mailbox, SMTPMailbox, mail_link
from fixtures.services import free_port
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Outbox, User
from inkwell.workers import mail as mail_tasks
from inkwell.workers import relay

NEW_PASSWORD = "a brand new password"


def outbox_rows(app: Flask) -> list[Outbox]:
    with app.app_context():
        return list(db.session.scalars(select(Outbox).order_by(Outbox.id)))


def settle(mailbox: Mailbox, count: int, worker: WorkerActivity) -> None:
    """Wait for `count` mails, then until the worker has no task left that could
    send a copy (queued, running or waiting for a retry), and count again."""
    mailbox.wait_for(count)
    worker.wait_idle()
    assert len(mailbox.messages()) == count


def request_reset(app: Flask, email: str) -> None:
    answer = post_form(platform_browser(app), "/forgot-password", {"email": email})
    assert answer.status_code == 200


def test_signup_and_reset_through_the_worker(jobs_app, broker, smtp_server) -> None:
    app = jobs_app(broker, smtp_server.port)
    with running_worker(app) as worker:
        browser = AuthActions(platform_browser(app))
        browser.signup(email="fay@example.com", subdomain="fay")
        [verify] = smtp_server.wait_for(1)
        assert browser.client.get(mail_link(verify, "/verify-email/")).status_code == 302
        assert "Please confirm" not in browser.client.get("/dashboard/").text

        request_reset(app, "fay@example.com")
        reset = smtp_server.wait_for(2)[1]
        other = platform_browser(app)
        other.get(mail_link(reset, "/reset-password/"))
        data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        assert post_form(other, "/reset-password", data).status_code == 302
        settle(smtp_server, 3, worker)  # verification, reset, "password changed"
    assert browser.client.get("/dashboard/").status_code == 302  # the old session is gone
    assert (
        AuthActions(platform_browser(app)).login("fay@example.com", NEW_PASSWORD).status_code == 302
    )
    assert all(row.done_at for row in outbox_rows(app))


def test_invitation_accepted_through_the_worker(jobs_app, broker, smtp_server, make_tenant) -> None:
    make_tenant("alice")
    make_tenant("bob")
    app = jobs_app(broker, smtp_server.port)
    with running_worker(app) as worker:
        owner = AuthActions(platform_browser(app))
        owner.login("alice@example.com")
        invite = {"email": "gus@example.com", "role": "editor"}
        sent = post_form(
            owner.client, "/blogs/alice/team/invitations", invite, "/blogs/alice/team/"
        )
        assert sent.status_code == 302
        [mail] = smtp_server.wait_for(1)
        assert mail["To"] == "gus@example.com" and mail["Subject"] == "Join Alice on Inkwell"
        invitee = platform_browser(app)
        invitee.get(mail_link(mail, "/invitations/"))
        data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        joined = post_form(invitee, "/invitations", data)
        assert joined.status_code == 302 and joined.headers["Location"] == "/blogs/alice/"
        settle(smtp_server, 1, worker)  # no verification mail: the invitation proved the address
    assert invitee.get("/blogs/alice/").status_code == 200
    assert invitee.get("/blogs/bob/").status_code == 404
    assert "Please confirm" not in invitee.get("/dashboard/").text
    assert all(row.done_at and not row.last_error for row in outbox_rows(app))


def test_broker_down_delays_the_mail_and_loses_nothing(
    jobs_app, own_redis, smtp_server, make_tenant
) -> None:
    make_tenant("alice")
    app = jobs_app(own_redis.url, smtp_server.port)
    own_redis.stop()
    request_reset(app, "alice@example.com")  # succeeds with the broker down
    [row] = outbox_rows(app)
    assert row.published_at is None and row.done_at is None

    own_redis.start()
    with running_worker(app) as worker:
        with app.app_context():
            assert relay.sweep(older_than=0) == 1
        settle(smtp_server, 1, worker)
    assert smtp_server.to("alice@example.com")[0]["Subject"] == "Reset your Inkwell password"
    assert outbox_rows(app)[0].done_at is not None


def test_smtp_refusing_connections_retries_with_growing_delays(
    jobs_app, broker, make_tenant, monkeypatch
) -> None:
    make_tenant("alice")
    delays: list[float] = []
    real_backoff = mail_tasks.backoff
    monkeypatch.setattr(
        mail_tasks, "backoff", lambda n: delays.append(real_backoff(n)) or delays[-1]
    )
    smtp = SMTPMailbox(free_port())  # nothing listens yet: connections are refused
    app = jobs_app(broker, smtp.port)
    with running_worker(app) as worker:
        request_reset(app, "alice@example.com")
        deadline = time.monotonic() + 10
        while len(delays) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert delays[:3] == sorted(delays[:3]) and len(delays) >= 3
        smtp.start()
        try:
            settle(smtp, 1, worker)
        finally:
            smtp.stop()
    [row] = outbox_rows(app)
    assert row.done_at is not None and row.attempts >= 4


def test_smtp_that_never_answers_times_out_and_the_worker_goes_on(
    jobs_app, broker, make_tenant
) -> None:
    make_tenant("alice")
    port = free_port()
    silent = socket.create_server(("127.0.0.1", port))  # accepts (backlog), never greets
    app = jobs_app(broker, port)
    with running_worker(app) as worker:
        request_reset(app, "alice@example.com")
        deadline = time.monotonic() + 10
        while "timed out" not in outbox_rows(app)[0].last_error and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "timed out" in outbox_rows(app)[0].last_error
        silent.close()
        smtp = SMTPMailbox(port)
        smtp.start()
        try:
            settle(smtp, 1, worker)
        finally:
            smtp.stop()
    assert outbox_rows(app)[0].done_at is not None


def test_permanent_smtp_refusal_is_not_retried(jobs_app, broker, smtp_server, make_tenant) -> None:
    make_tenant("alice")
    smtp_server.reply = "550 No such mailbox"
    app = jobs_app(broker, smtp_server.port)
    with running_worker(app):
        request_reset(app, "alice@example.com")
        deadline = time.monotonic() + 10
        while outbox_rows(app)[0].done_at is None and time.monotonic() < deadline:
            time.sleep(0.05)
    [row] = outbox_rows(app)
    assert row.done_at is not None and row.attempts == 1
    assert "550" in row.last_error


def test_a_second_delivery_of_a_done_row_sends_nothing(app, make_tenant, mailbox) -> None:
    make_tenant("alice")
    request_reset(app, "alice@example.com")
    [row] = outbox_rows(app)
    with app.app_context():
        user = db.session.scalar(select(User))
        mail_tasks.send_account_mail.apply(
            kwargs={"outbox_id": row.id, **row.args, "user_id": user.id}
        )
    sweep = app.test_cli_runner().invoke(args=["outbox", "sweep", "--older-than", "0"])
    assert sweep.output == "Published 0 outbox rows.\n"
    assert len(mailbox.to("alice@example.com")) == 1
