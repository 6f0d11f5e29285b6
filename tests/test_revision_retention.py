"""How long revisions stay (content.revision_retention): old autosaves thinned,
deleted posts' revisions removed after the grace period, by the periodic job."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from fixtures.app import post_form
from inkwell.platform.core import tenancy
from inkwell.platform.core.content.revision_retention import prune
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, PostRevision
from inkwell.platform.core.types import utcnow

NOW = datetime(2030, 1, 10, 12, 0, tzinfo=UTC)


def add_revisions(app, blog, post_id: int, *rows: tuple[str, str, str, datetime]) -> None:
    """Revisions (body, kind, actor, created_at) of the post, oldest first."""
    with app.app_context(), tenancy.tenant_scope(blog.id):
        post = db.session.get_one(Post, post_id)
        for body, kind, actor, created_at in rows:
            db.session.add(
                PostRevision(
                    tenant_id=blog.id, post_id=post.id, post_uuid=post.uuid, title=post.title,
                    body_md=body, tags=[], excerpt="", status="draft", slug=post.slug,
                    actor=actor, kind=kind, created_at=created_at, size=len(body),
                )
            )  # fmt: skip
        db.session.commit()


def bodies(app, blog) -> set[str]:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        return set(db.session.scalars(select(PostRevision.body_md)))


def test_old_autosaves_thin_to_one_a_day_and_go_once_a_save_follows(
    app, make_tenant, make_post
) -> None:
    blog = make_tenant("alice")
    post_id, other_id = make_post(blog, "Post", "first"), make_post(blog, "Other", "first")
    day = timedelta(days=1)
    add_revisions(
        app, blog, post_id,
        ("month-old", "autosave", "ann", NOW - 40 * day),
        ("day-3 morning", "autosave", "ann", NOW - 3 * day - timedelta(hours=3)),
        ("day-3 bob", "autosave", "bob", NOW - 3 * day - timedelta(hours=2)),
        ("day-3 evening", "autosave", "ann", NOW - 3 * day + timedelta(hours=6)),
        ("day-2", "autosave", "ann", NOW - 2 * day),
        ("saved", "save", "ann", NOW - 2 * day + timedelta(hours=1)),
        ("hour-2", "autosave", "ann", NOW - timedelta(hours=2)),
        ("hour-1", "autosave", "ann", NOW - timedelta(hours=1)),
    )  # fmt: skip
    # No save after it: the last words of that post stay, however old.
    add_revisions(app, blog, other_id, ("lonely", "autosave", "ann", NOW - 40 * day))
    before = bodies(app, blog)

    with app.app_context():
        assert prune(NOW) == 2
    assert before - bodies(app, blog) == {"month-old", "day-3 morning"}
    with app.app_context():
        assert prune(NOW) == 0  # a second round finds nothing more


def test_deleted_posts_revisions_expire_after_the_grace_period(
    app, client, auth, make_tenant, make_post
) -> None:
    blog = make_tenant("alice")
    post_id = make_post(blog, "Doomed", "words")
    auth.login(blog.owner_email)
    post_form(client, f"/blogs/alice/posts/{post_id}/delete", {}, form_url="/blogs/alice/")
    grace = timedelta(days=app.config["TENANT_DELETE_GRACE_DAYS"])
    with app.app_context():
        assert prune(utcnow() + grace - timedelta(hours=1)) == 0
    assert "Doomed" in client.get("/blogs/alice/deleted").text
    with app.app_context():
        assert prune(utcnow() + grace + timedelta(hours=1)) == 2  # the publish and the delete
    assert "Doomed" not in client.get("/blogs/alice/deleted").text
    assert bodies(app, blog) == set()


def test_the_scheduler_prunes_and_beat_runs_it(app, client, auth, make_tenant, make_post) -> None:
    blog = make_tenant("alice")
    post_id = make_post(blog, "Doomed", "words")
    auth.login(blog.owner_email)
    post_form(client, f"/blogs/alice/posts/{post_id}/delete", {}, form_url="/blogs/alice/")
    with app.app_context(), tenancy.tenant_scope(blog.id):
        for revision in db.session.scalars(select(PostRevision)):
            revision.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "2 post revisions pruned" in result.output
    assert bodies(app, blog) == set()
    beat = app.extensions["celery"].conf.beat_schedule
    assert beat["prune-post-revisions"]["task"] == "inkwell.workers.schedule.prune_post_revisions"
