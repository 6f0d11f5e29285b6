"""Scheduled posts go live on time, once, and invalidate their blog's pages."""

import threading
from datetime import timedelta

from sqlalchemy import select

from fixtures.blogs import content_version
from inkwell.platform.core import tenancy
from inkwell.platform.core.content.posts import publish_due
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post
from inkwell.platform.core.types import utcnow


def status_of(app, blog, slug: str) -> str:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        return db.session.scalar(select(Post.status).where(Post.slug == slug))


def time_passes(app, hours: float = 1) -> None:
    """Move every post's date `hours` into the past, as the clock would."""
    with app.app_context(), tenancy.across_tenants():
        for post in db.session.scalars(select(Post)):
            post.published_at -= timedelta(hours=hours)
        db.session.commit()


def test_due_posts_go_live_once(app, make_tenant, make_post, site_client) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    soon = utcnow() + timedelta(minutes=5)
    make_post(alice, "Soon", status="scheduled", published_at=soon)
    make_post(alice, "Much later", status="scheduled", published_at=soon + timedelta(days=9))
    before = content_version(app, alice), content_version(app, bob)
    with app.app_context():
        assert publish_due() == 0  # nothing due yet
        assert publish_due(now=soon + timedelta(seconds=1)) == 1
        assert publish_due(now=soon + timedelta(seconds=2)) == 0  # a repeated tick
    assert status_of(app, alice, "soon") == "published"
    assert status_of(app, alice, "much-later") == "scheduled"
    assert (content_version(app, alice), content_version(app, bob)) == (before[0] + 1, before[1])


def test_a_late_tick_publishes_and_pages_show_it(app, make_tenant, make_post, site_client) -> None:
    blog = make_tenant("alice")
    make_post(blog, "Overdue", status="scheduled", published_at=utcnow() + timedelta(minutes=1))
    reader = site_client(blog)
    assert reader.get("/overdue/").status_code == 404
    time_passes(app, hours=3)  # and no tick came meanwhile
    assert reader.get("/overdue/").status_code == 404  # still scheduled: readers wait for it
    with app.app_context():
        assert publish_due() == 1
    assert reader.get("/overdue/").status_code == 200
    assert "Overdue" in reader.get("/").text


def test_racing_ticks_publish_once(app, make_tenant, make_post) -> None:
    blog = make_tenant("alice")
    due = utcnow() + timedelta(seconds=1)
    for n in range(5):
        make_post(blog, f"Post {n}", status="scheduled", published_at=due)
    before, counts = content_version(app, blog), []
    start = threading.Barrier(3)

    def tick() -> None:
        with app.app_context():
            start.wait()
            counts.append(publish_due(now=due + timedelta(seconds=1)))

    threads = [threading.Thread(target=tick) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 5
    assert content_version(app, blog) == before + 1


def test_scheduler_command_and_beat_schedule(app, make_tenant, make_post) -> None:
    blog = make_tenant("alice")
    make_post(blog, "Due", status="scheduled", published_at=utcnow() + timedelta(minutes=1))
    time_passes(app)
    result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 scheduled posts went live" in result.output
    assert status_of(app, blog, "due") == "published"
    beat = app.extensions["celery"].conf.beat_schedule
    assert beat["publish-due-posts"]["task"] == "inkwell.workers.schedule.publish_due_posts"
