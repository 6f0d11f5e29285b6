"""WebSub: a reader subscribed through the blog's hub hears of a new post at once.
A real hub on a loopback port records the pings; tasks run inline (the relay
after each commit) or on a real Celery worker."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from fixtures.app import post_form
from fixtures.jobs import running_worker
from fixtures.mirrors import edit_post
from fixtures.services import free_port
from inkwell.platform.core import tenancy
from inkwell.platform.core.administration import job_health, lifecycle
from inkwell.platform.core.audit import cli_actor
from inkwell.platform.core.content.changes import content_changed
from inkwell.platform.core.content.posts import PostInput, publish_due, save_post
from inkwell.platform.core.content.revisions import Actor
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import AuditEntry, Outbox, Post, Tenant
from inkwell.platform.core.types import utcnow
from inkwell.workers import relay

BLOG_FEEDS = [
    "http://alice.blogs.test/latest.atom",
    "http://alice.blogs.test/rss.xml",
    "http://alice.blogs.test/feed.json",
]
PYTHON_FEEDS = [url.replace(".test/", ".test/tags/python/") for url in BLOG_FEEDS]


@pytest.fixture
def alice(app, make_tenant, hub, use_hub):
    """Alice's blog, on an app whose WebSub hub is `hub` (fast retries)."""
    use_hub(app, hub.url)
    return make_tenant("alice")


def pings(app) -> list[Outbox]:
    with app.app_context():
        query = select(Outbox).where(Outbox.task == "inkwell.workers.websub.ping_hub")
        return list(db.session.scalars(query.order_by(Outbox.id)))


def test_a_publish_pings_the_hub_with_every_feed(app, alice, make_post, hub):
    make_post(alice, "Hello", "Words", tags=["Python"])
    assert hub.published() == [BLOG_FEEDS + PYTHON_FEEDS]  # on the primary host, absolute
    [ping] = hub.pings
    assert ping["hub.mode"] == ["publish"]
    assert ping["content-type"] == ["application/x-www-form-urlencoded"]
    [row] = pings(app)
    assert row.done_at is not None and row.last_error == ""


def test_pings_name_the_primary_host(app, make_tenant, make_post, add_domain, hub, use_hub):
    alice = make_tenant("alice")
    add_domain(alice, "blog.example.org", verified=True, primary=True)
    use_hub(app, hub.url)
    make_post(alice, "Hello")
    assert hub.published() == [[url.replace("alice.blogs.test", "blog.example.org")
                                for url in BLOG_FEEDS]]  # fmt: skip


def test_no_ping_without_a_hub_for_drafts_or_snippets(app, make_tenant, make_post, hub, use_hub):
    alice = make_tenant("alice")
    make_post(alice, "Before the hub")
    use_hub(app, hub.url)
    make_post(alice, "Not yet", status="draft")
    with app.app_context(), tenancy.tenant_scope(alice.id):
        content_changed(alice.id, "snippets")  # snippets are in no feed
        db.session.commit()
    assert hub.published() == [] and pings(app) == []


def test_a_scheduled_post_pings_when_it_goes_live(app, alice, make_post, hub):
    soon = utcnow() + timedelta(minutes=5)
    make_post(alice, "Soon", status="scheduled", published_at=soon)
    assert hub.published() == []  # readers see nothing yet
    with app.app_context():
        assert publish_due(now=soon + timedelta(seconds=1)) == 1
    assert hub.published() == [BLOG_FEEDS]


def test_pages_ping_only_when_they_join_or_leave_the_feeds(app, alice, make_post, hub) -> None:
    page = make_post(alice, "Now", "What I do now", is_page=True)
    edit_post(app, alice.id, page, body_md="What I do today")
    assert hub.published() == []  # pages are in no feed
    post = make_post(alice, "Hello")
    edit_post(app, alice.id, post, is_page=True)  # leaves the feeds
    edit_post(app, alice.id, page, is_page=False)  # joins them
    assert hub.published() == [BLOG_FEEDS] * 3


def test_one_transaction_is_one_ping(app, alice, hub) -> None:
    with app.app_context():
        tenant = db.session.get_one(Tenant, alice.id)
        content_changed(tenant, "settings")
        db.session.flush()  # the first row is flushed, the second event still sees it
        content_changed(tenant, "posts", (1,))
        db.session.commit()
    assert hub.published() == [BLOG_FEEDS]


def test_suspended_and_quarantined_blogs_send_no_pings(
    app, make_tenant, make_post, hub, use_hub
) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    use_hub(app, hub.url)
    with app.app_context():
        lifecycle.suspend(db.session.get_one(Tenant, alice.id), "Spam.", cli_actor())
        lifecycle.quarantine(db.session.get_one(Tenant, bob.id), cli_actor())
        db.session.commit()
    make_post(alice, "Posted while suspended")
    make_post(bob, "Posted in quarantine")
    assert hub.published() == [] and pings(app) == []
    with app.app_context():
        lifecycle.lift_quarantine(db.session.get_one(Tenant, bob.id), cli_actor())
        db.session.commit()
    assert hub.published() == [[url.replace("alice", "bob") for url in BLOG_FEEDS]]


def test_a_blog_suspended_before_its_ping_ran_sends_none(app, make_tenant, hub, use_hub) -> None:
    alice = make_tenant("alice")
    use_hub(app, hub.url, CELERY_BROKER_URL="memory://")
    with app.app_context():
        content_changed(db.session.get_one(Tenant, alice.id), "settings")
        db.session.commit()
        db.session.get_one(Tenant, alice.id).status = "suspended"
        db.session.commit()
        relay.publish(relay.outbox.pending())
    [row] = pings(app)
    assert hub.published() == [] and row.done_at is not None and "not public" in row.last_error


def retry_until_done(app, timeout: float = 5.0) -> None:
    """Sweep the outbox, as beat does, until the ping is done. Inline, a task's own
    retry may find its row still held until the retry is due: the sweep sends it."""
    deadline = time.monotonic() + timeout
    while pings(app)[0].done_at is None and time.monotonic() < deadline:
        time.sleep(0.1)
        with app.app_context():
            relay.sweep(older_than=0)
    assert pings(app)[0].done_at is not None


def test_a_failing_hub_is_retried(app, alice, make_post, hub) -> None:
    hub.failures = 2  # answers 500 twice
    make_post(alice, "Hello")
    retry_until_done(app)
    assert hub.published() == [BLOG_FEEDS] * 3
    [row] = pings(app)
    assert row.attempts == 3 and row.last_error == ""
    with app.app_context():
        assert relay.sweep(older_than=0) == 0  # done: never sent again


def test_an_unreachable_hub_never_breaks_a_save(
    app, client, auth, make_tenant, make_post, hub, use_hub
) -> None:
    alice = make_tenant("alice")
    use_hub(app, f"http://127.0.0.1:{free_port()}/hub")
    post_id = make_post(alice, "Soon", "Words", status="draft")
    auth.login(alice.owner_email)
    form = {"title": "Soon", "body_md": "Words", "status": "published", "slug": "soon"}
    answer = post_form(client, f"/blogs/alice/posts/{post_id}/edit", form)
    assert answer.status_code in (302, 303)
    with app.app_context(), tenancy.tenant_scope(alice.id):
        assert db.session.get_one(Post, post_id).status == "published"
    [row] = pings(app)
    assert row.done_at is None and "refused" in row.last_error.lower()
    use_hub(app, hub.url)  # the hub is back
    retry_until_done(app)
    assert hub.published() == [BLOG_FEEDS]


def test_a_refused_ping_is_not_retried_but_an_admin_can_send_it_again(
    app, alice, make_post, hub
) -> None:
    hub.failures, hub.failure_status = 1, 403  # a hub that refuses: retrying changes nothing
    make_post(alice, "Hello")
    [row] = pings(app)
    assert row.done_at is not None and "403" in row.last_error and row.attempts == 1
    with app.app_context():
        assert relay.sweep(older_than=0) == 0
        reopened = job_health.reopen_outbox(row.id, cli_actor())  # the hub was fixed
        db.session.commit()
        relay.publish([reopened])
        [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "job.retry"))
        assert entry.target_label == "alice"
    assert hub.published() == [BLOG_FEEDS] * 2 and pings(app)[0].last_error == ""


def test_pings_through_the_celery_worker(jobs_app, broker, make_tenant, hub) -> None:
    alice = make_tenant("alice")
    app = jobs_app(broker, free_port(), WEBSUB_HUB_URL=hub.url, WEBSUB_RETRY_BACKOFF=0.1)
    hub.failures = 1
    with running_worker(app) as worker:
        with app.app_context(), tenancy.tenant_scope(alice.id):
            post = Post()
            data = PostInput(title="Hello", body_md="Words", status="published", tags=["Python"])
            save_post(post, db.session.get_one(Tenant, alice.id), data, actor=Actor("editor"))
            db.session.commit()
        assert hub.wait_for(2) == [BLOG_FEEDS + PYTHON_FEEDS] * 2  # a 500, then the retry
        worker.wait_idle()
    [row] = pings(app)
    assert row.done_at is not None and row.attempts == 2 and row.created_at <= utcnow()
