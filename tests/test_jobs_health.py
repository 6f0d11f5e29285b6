"""Job health: the console and `inkwell jobs` show queues, outbox rows waiting and
failed, failed publishes and publishes per blog; retries work and are audited."""

from datetime import timedelta
from uuid import uuid4

import pytest
from sqlalchemy import insert, select

from fixtures.app import post_form
from fixtures.services import free_port
from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import AuditEntry, Mirror, Outbox, PublishRun, User
from inkwell.platform.core.types import utcnow
from inkwell.workers import mail as mail_tasks
from inkwell.workers.queues import queue_lengths


def add_outbox(app, email: str, **fields) -> int:
    """An account mail to the user `email` in the outbox, in the state `fields` say
    (inserted without the ORM, so the relay does not run it at once)."""
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
        args = {"kind": "password_changed", "user_id": user_id}
        task, key = mail_tasks.send_account_mail.name, f"test:{uuid4()}"
        values = {"task": task, "key": key, "args": args, "created_at": utcnow(), **fields}
        row_id = db.session.execute(insert(Outbox).values(**values)).inserted_primary_key[0]
        db.session.commit()
        return row_id


def add_run(app, blog, seconds: float, **fields) -> None:
    started = utcnow() - timedelta(minutes=30)
    end = started + timedelta(seconds=seconds)
    with app.app_context(), tenancy.tenant_scope(blog.id):
        db.session.add(PublishRun(tenant_id=blog.id, started_at=started, finished_at=end, **fields))
        db.session.commit()


@pytest.fixture
def jobs(app, make_tenant):
    """bob's blog with outbox rows waiting, failed and retrying, and publishes."""
    blog = make_tenant("bob")
    ids = {
        "waiting": add_outbox(app, blog.owner_email),
        "failed": add_outbox(
            app, blog.owner_email, done_at=utcnow(), attempts=1, last_error="550 no such user"
        ),
        "retrying": add_outbox(app, blog.owner_email, attempts=3, last_error="timed out"),
    }
    add_run(app, blog, 2.0, status="succeeded")
    add_run(app, blog, 4.0, status="failed", phase="uploading", error="S3 said no")
    return blog, ids


def audit(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_the_page_shows_queues_outbox_and_publishes(app, jobs, admin) -> None:
    page = admin.get("/admin/jobs/")
    assert page.status_code == 200
    assert "no broker: tasks run inline" in page.text
    assert "2 rows waiting (not done)." in page.text
    assert "550 no such user" in page.text and "timed out" in page.text
    assert "S3 said no" in page.text
    assert "<td>bob</td><td>2</td><td>3.0 s</td><td>4.0 s</td>" in page.text


def test_one_outbox_row_waiting_is_one_row(app, make_tenant, admin) -> None:
    add_outbox(app, make_tenant("bob").owner_email)
    assert "1 row waiting (not done)." in admin.get("/admin/jobs/").text


def failed_rows(page: str) -> str:
    return page[page.index("<h2>Failed publishes</h2>") : page.index("<h2>Publishes in")]


def test_failed_publishes_are_the_blogs_whose_newest_publish_failed(
    app, jobs, make_tenant, admin
) -> None:
    fixed, twice, gone = make_tenant("carol"), make_tenant("dave"), make_tenant("erin")
    add_run(app, fixed, 1.0, status="failed", phase="building", error="carol broke")
    add_run(app, fixed, 1.0, status="succeeded")  # the retry worked: nothing to do
    add_run(app, twice, 1.0, status="failed", phase="building", error="dave broke once")
    add_run(app, twice, 1.0, status="failed", phase="uploading", error="dave broke again")
    add_run(app, gone, 1.0, status="failed", phase="uploading", error="erin broke")
    assert cli(app, "tenants", "suspend", "erin", "--reason", "Spam").exit_code == 0
    listed = failed_rows(admin.get("/admin/jobs/").text)
    assert "carol" not in listed
    assert "S3 said no" in listed  # bob's newest run
    assert "dave broke again" in listed and "dave broke once" not in listed
    assert "erin" not in listed  # suspended: nothing to retry until it is restored
    assert listed.count("Retry") == 2
    shown = cli(app, "jobs").output
    assert "publish of carol" not in shown and "dave broke once" not in shown
    assert "publish of dave at " in shown and " failed while uploading: dave broke again" in shown


def test_a_failed_publish_shows_the_phase_it_failed_in_until_one_succeeds(
    app, make_tenant, make_post, admin, tmp_path, monkeypatch
) -> None:
    from fixtures.mirrors import publish
    from inkwell.workers import publish as worker

    monkeypatch.setitem(app.config, "MIRROR_URL", str(tmp_path / "mirror"))
    blog = make_tenant("bob")
    make_post(blog, "Hello", "Hello there")

    def no_target(*_args):
        raise OSError("disk full")

    with monkeypatch.context() as patched:
        patched.setattr(worker, "open_area", no_target)
        [failed] = publish(app, blog.id)
    assert (failed.status, failed.phase) == ("failed", "uploading")
    listed = failed_rows(admin.get("/admin/jobs/").text)
    assert "<td>uploading</td><td>OSError: disk full</td>" in listed
    [retried] = publish(app, blog.id)
    assert (retried.status, retried.phase) == ("succeeded", "done")
    assert "No failed publishes." in failed_rows(admin.get("/admin/jobs/").text)


def test_retrying_an_outbox_row_sends_it_again_and_is_audited(
    app,
    jobs,
    admin,
    mailbox,
) -> None:
    blog, ids = jobs
    answer = post_form(admin, f"/admin/jobs/outbox/{ids['failed']}/retry", {}, "/admin/jobs/")
    assert answer.status_code == 303
    with app.app_context():
        row = db.session.get(Outbox, ids["failed"])
        assert row.done_at is not None and row.last_error == ""  # the inline task sent it
    assert [m["To"] for m in mailbox.messages()] == [blog.owner_email]
    [entry] = audit(app, "job.retry")
    assert entry.actor == "root@example.com" and entry.target_label == blog.owner_email
    assert entry.detail["last_error"] == "550 no such user"
    missing = post_form(admin, "/admin/jobs/outbox/9999/retry", {}, "/admin/jobs/")
    assert missing.status_code == 404 and "no outbox row 9999" in missing.text


def test_retrying_a_failed_publish_requests_it_and_is_audited(app, jobs, admin) -> None:
    blog, _ = jobs
    answer = post_form(admin, f"/admin/jobs/publishes/{blog.id}/retry", {}, "/admin/jobs/")
    assert answer.status_code == 303
    with app.app_context():
        mirror = db.session.get(Mirror, blog.id)
        assert mirror.requested_seq == mirror.done_seq + 1
    [entry] = audit(app, "publish.retry")
    assert entry.target_label == "bob"


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_the_cli_shows_the_same_figures_and_retries(app, jobs, mailbox) -> None:
    _, ids = jobs
    shown = cli(app, "jobs")
    assert shown.exit_code == 0, shown.output
    assert "queues: no broker: tasks run inline" in shown.output
    assert "outbox: 2 waiting" in shown.output and "550 no such user" in shown.output
    assert "publish of bob" in shown.output and "failed while uploading: S3 said no" in shown.output
    assert "bob: 2, median 3.0 s, longest 4.0 s" in shown.output
    retried = cli(app, "jobs", "retry", str(ids["retrying"]))
    assert retried.exit_code == 0 and len(mailbox.messages()) == 1
    assert cli(app, "jobs", "retry-publish", "bob").exit_code == 0
    assert [e.actor[:4] for e in audit(app, "job.retry") + audit(app, "publish.retry")] == [
        "cli:",
        "cli:",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["retry", "9999"], "Error: no outbox row 9999"),
        (["retry", "abc"], "Error: an outbox id is a number, not 'abc'"),
        (["retry-publish", "nosuch"], "Error: no blog 'nosuch'"),
    ],
)
def test_the_cli_answers_wrong_ids_in_one_line(app, make_tenant, args, message) -> None:
    make_tenant("alice")
    result = cli(app, "jobs", *args)
    assert result.exit_code == 1 and result.output.strip() == message


def test_queue_lengths_are_read_from_a_redis_broker(app_factory, app, own_redis) -> None:
    import redis

    broker = redis.Redis.from_url(own_redis.url)
    broker.lpush("mail", "a", "b")
    broker.lpush("publish\x06\x163", "c")  # a task sent with priority 3
    with app_factory(CELERY_BROKER_URL=own_redis.url).app_context():
        assert queue_lengths() == {
            "mail": 2,
            "publish": 1,
            "media": 0,
            "newsletter": 0,
            "imports": 0,
        }
    down = f"redis://127.0.0.1:{free_port()}/0"
    with app_factory(CELERY_BROKER_URL=down, CELERY_BROKER_TIMEOUT=0.5).app_context():
        assert queue_lengths().startswith("broker unreachable")
