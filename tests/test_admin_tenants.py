"""Administering blogs: suspend, restore, delete, purge, republish, re-render, from
the console and the CLI, each in the audit log; what readers, owners, mirrors,
caches and signup see of a blog in each state."""

import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from fixtures.app import HostClient, post_form
from fixtures.blogs import Blog, blog_id
from fixtures.mirrors import publish

TENANT = "/admin/tenants/{id}/"


def audit_actions(app: Flask, blog_id: int) -> list[tuple[str, str]]:
    """(action, actor) of the blog's audit entries, oldest first."""
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import AuditEntry

    with app.app_context():
        query = select(AuditEntry.action, AuditEntry.actor).where(
            AuditEntry.target_type == "tenant", AuditEntry.target_id == blog_id
        )
        return [tuple(row) for row in db.session.execute(query.order_by(AuditEntry.id))]


def status_of(app: Flask, blog_id: int) -> tuple[str, str] | None:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant

    with app.app_context():
        tenant = db.session.get(Tenant, blog_id)
        return (tenant.status, tenant.status_reason) if tenant else None


def act(admin, blog_id: int, action: str, **data: str):
    url = TENANT.format(id=blog_id)
    return post_form(admin, f"{url}{action}", data, form_url=url)


def cli(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=["tenants", *args])


@pytest.fixture
def alice(app, admin, make_post):
    """The admin fixture's blog alice, with a post."""
    blog = Blog(blog_id(app, "alice"), "alice", "alice@example.com")
    make_post(blog, "Hello", "Hello *world*", tags=["greeting"])
    return blog


def test_console_actions_are_audited(app, admin, alice) -> None:
    steps = [
        ("suspend", {"reason": "Spam reports"}, ("suspended", "Spam reports")),
        ("restore", {}, ("active", "")),
        ("rerender", {}, ("active", "")),
        ("republish", {}, ("active", "")),
        ("delete", {"reason": "Owner asked"}, ("deleted", "Owner asked")),
    ]
    for action, data, state in steps:
        answer = act(admin, alice.id, action, **data)
        assert answer.status_code == 303, (action, answer.text)
        assert status_of(app, alice.id) == state
        assert admin.get(answer.location).status_code == 200
    answer = act(admin, alice.id, "purge")
    assert answer.status_code == 303 and status_of(app, alice.id) is None
    assert "Purged alice" in admin.get(answer.location).text
    actions = [action for action, actor in audit_actions(app, alice.id)]
    assert actions == [f"tenant.{a}" for a, _, _ in steps] + ["tenant.purge"]
    assert {actor for _, actor in audit_actions(app, alice.id)} == {"root@example.com"}


def test_console_refuses_bad_input_with_a_message(app, admin, alice) -> None:
    no_reason = act(admin, alice.id, "suspend", reason="  ")
    assert no_reason.status_code == 400 and "Give a reason" in no_reason.text
    not_suspended = act(admin, alice.id, "restore")
    assert not_suspended.status_code == 409 and "nothing to restore" in not_suspended.text
    not_deleted = act(admin, alice.id, "purge")
    assert not_deleted.status_code == 409 and "delete it before purging" in not_deleted.text
    assert admin.get("/admin/tenants/999999/").status_code == 404
    assert admin.get("/admin/tenants/?status=gone").status_code == 400
    assert status_of(app, alice.id) == ("active", "") and audit_actions(app, alice.id) == []


def test_list_searches_and_pages(app, admin, alice, make_tenant, monkeypatch) -> None:
    from inkwell.platform.web.admin.tenants import views as tenants

    make_tenant("bobsblog", "carol@example.org")
    page = admin.get("/admin/tenants/")
    assert "alice" in page.text and "bobsblog" in page.text and "carol@example.org" in page.text
    assert "bobsblog" not in admin.get("/admin/tenants/?q=ALI").text  # subdomain or title
    assert "alice" not in admin.get("/admin/tenants/?q=carol@").text  # owner email
    assert "No blogs match" in admin.get("/admin/tenants/?q=nobody&status=active").text
    monkeypatch.setattr(tenants, "PER_PAGE", 1)
    first, second = admin.get("/admin/tenants/"), admin.get("/admin/tenants/?page=2")
    assert "Page 1 of 2" in first.text and "bobsblog" in first.text and "alice" in second.text


def test_cli_actions_are_audited(app, alice, mirror_root) -> None:
    for args, state in [
        (["suspend", "alice", "--reason", "Phishing"], ("suspended", "Phishing")),
        (["restore", "alice"], ("active", "")),
        (["rerender", "alice"], ("active", "")),
        (["republish", "alice"], ("active", "")),
        (["delete", "alice", "--reason", "Closed"], ("deleted", "Closed")),
    ]:
        result = cli(app, *args)
        assert result.exit_code == 0, result.output
        assert status_of(app, alice.id) == state
    assert "status: deleted (Closed)" in cli(app, "show", "alice").output
    assert "alice\tdeleted" in cli(app, "list", "--status", "deleted").output
    assert cli(app, "purge", "alice").exit_code == 0 and status_of(app, alice.id) is None
    entries = audit_actions(app, alice.id)
    assert [a for a, _ in entries] == [
        "tenant.suspend",
        "tenant.restore",
        "tenant.rerender",
        "tenant.republish",
        "tenant.delete",
        "tenant.purge",
    ]
    assert all(actor.startswith("cli:") for _, actor in entries)


@pytest.mark.parametrize(
    "args",
    [
        ["show", "nope"],
        ["suspend", "nope", "--reason", "x"],
        ["restore", "nope"],
        ["delete", "nope", "--reason", "x"],
        ["purge", "nope"],
        ["republish", "nope"],
        ["rerender", "nope"],
        ["restore", "alice"],  # active: nothing to restore
        ["purge", "alice"],  # not deleted
        ["suspend", "alice", "--reason", " "],
    ],
)
def test_cli_refusals_are_one_line(app, alice, args) -> None:
    result = cli(app, *args)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert status_of(app, alice.id) == ("active", "")


def test_suspended_blog_answers_410_and_comes_back(app, admin, alice, site_client) -> None:
    reader = site_client("alice")
    before = {path: reader.get(path).data for path in ("/", "/hello/", "/latest.atom")}
    act(admin, alice.id, "suspend", reason="Under review")
    for path in before:
        gone = reader.get(path)
        assert gone.status_code == 410 and "This blog is not available" in gone.text
        assert "Hello" not in gone.text and "Under review" not in gone.text
        assert gone.headers["Cache-Control"] == "no-store"
    assert site_client("nosuchblog").get("/").status_code == 404
    # Both pages name their icon, or the browser asks the host for /favicon.ico.
    assert 'rel="icon"' in gone.text and 'rel="icon"' in site_client("nosuchblog").get("/").text
    act(admin, alice.id, "restore")
    assert {path: reader.get(path).data for path in before} == before


def test_suspended_blog_is_never_served_from_cache(app, app_factory, own_redis, alice, admin):
    cached = app_factory(REDIS_URL=own_redis.url)
    reader = HostClient(cached, "alice.blogs.test")
    reader.get("/")
    assert reader.get("/").headers["X-Cache"] == "hit"
    act(admin, alice.id, "suspend", reason="Under review")
    gone = reader.get("/")
    assert gone.status_code == 410 and "X-Cache" not in gone.headers
    act(admin, alice.id, "restore")
    back = reader.get("/")
    assert back.status_code == 200 and "Hello" in back.text


def test_suspended_blog_stops_publishing(app, admin, alice, client, auth, mirror_root) -> None:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.publishing import mirrors
    from inkwell.workers.publish import run_requested

    act(admin, alice.id, "suspend", reason="Under review")
    refused = app.test_cli_runner().invoke(args=["publish", "alice"])
    assert refused.exit_code == 1 and "alice is suspended" in refused.output
    auth.login("alice@example.com")
    button = post_form(client, "/blogs/alice/mirror/publish", {}, form_url="/blogs/alice/mirror/")
    assert button.status_code == 403 and "Under review" in button.text
    assert "Republish mirror" not in admin.get(TENANT.format(id=alice.id)).text
    assert act(admin, alice.id, "republish").status_code == 409
    with app.app_context():  # a request made before the suspension waits for the restore
        mirrors.request_publish(alice.id)
        db.session.commit()
        assert run_requested(alice.id) == [] and mirrors.to_dispatch() == []
    act(admin, alice.id, "restore")
    assert [run.status for run in publish(app, alice.id)] == ["succeeded"]


def test_owners_see_why_and_cannot_write(app, admin, alice, client, auth) -> None:
    act(admin, alice.id, "suspend", reason="Copyright complaint")
    auth.login("alice@example.com")
    for page in ("/blogs/alice/", "/blogs/alice/mirror/", "/blogs/alice/settings"):
        answer = client.get(page)
        assert answer.status_code == 200 and "Copyright complaint" in answer.text, page
    assert client.get("/blogs/alice/export/").status_code == 200  # they can take their posts
    assert "suspended" in client.get("/dashboard/").text
    new = post_form(client, "/blogs/alice/posts/new", {"title": "More", "status": "draft"})
    assert new.status_code == 403 and "Copyright complaint" in new.text
    act(admin, alice.id, "restore")
    assert "Copyright complaint" not in client.get("/blogs/alice/").text
    again = post_form(client, "/blogs/alice/posts/new", {"title": "More", "status": "draft"})
    assert again.status_code in (302, 303)


def test_deleted_blog_is_restorable_within_grace(app, admin, alice, site_client) -> None:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant
    from inkwell.platform.core.types import utcnow

    act(admin, alice.id, "delete", reason="Owner asked")
    assert site_client("alice").get("/hello/").status_code == 410
    with app.app_context():
        left = db.session.get_one(Tenant, alice.id).purge_after - utcnow()
        assert timedelta(days=29, hours=23) < left <= timedelta(days=30)
    page = admin.get(TENANT.format(id=alice.id)).text
    assert "Purge now" in page
    assert re.search(r"reason: Owner asked; purge after: \d{4}-\d\d-\d\d \d\d:\d\d UTC<", page)
    for link in ("/admin/quotas/?blog=alice", "/admin/users/"):  # its limits, its members
        assert f'href="{link}' in page
    act(admin, alice.id, "restore")
    assert site_client("alice").get("/hello/").status_code == 200
    with app.app_context():
        assert db.session.get_one(Tenant, alice.id).purge_after is None


def test_undoing_the_delete_of_a_suspended_blog_keeps_it_suspended(
    app, admin, alice, site_client
) -> None:
    act(admin, alice.id, "suspend", reason="Phishing")
    act(admin, alice.id, "delete", reason="Closed")
    page = admin.get(TENANT.format(id=alice.id)).text
    assert "It was suspended before it was deleted" in page
    assert "a restore makes it: suspended (Phishing)" in cli(app, "show", "alice").output
    assert act(admin, alice.id, "restore").status_code == 303
    assert status_of(app, alice.id) == ("suspended", "Phishing")  # not back online
    assert site_client("alice").get("/hello/").status_code == 410
    act(admin, alice.id, "restore")
    assert status_of(app, alice.id) == ("active", "")
    assert site_client("alice").get("/hello/").status_code == 200


def row_counts(app: Flask, blog_id: int) -> dict[str, int]:
    from inkwell.platform.core import tenancy
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import (
        Domain,
        Membership,
        Mirror,
        Post,
        PostTag,
        PublishRun,
        Snippet,
        Tag,
        Tenant,
    )

    models = (Tenant, Domain, Membership, Post, Tag, PostTag, Snippet, Mirror, PublishRun)
    with app.app_context(), tenancy.across_tenants():
        return {
            model.__name__: db.session.scalar(
                select(func.count())
                .select_from(model)
                .where((model.id if model is Tenant else model.tenant_id) == blog_id)
            )
            for model in models
        }


def test_purge_removes_rows_mirror_and_holds_the_subdomain(
    app, admin, alice, make_tenant, make_snippet, mirror_root
) -> None:
    bob = make_tenant("bob")
    make_snippet(alice, "Snip", "print(1)", language="python")
    for blog in (alice, bob):
        assert [run.status for run in publish(app, blog.id)] == ["succeeded"]
    with app.app_context():
        from inkwell.platform.core.extensions import db
        from inkwell.platform.core.models import Tenant

        folder = mirror_root / str(db.session.get_one(Tenant, alice.id).uuid)
        bobs = mirror_root / str(db.session.get_one(Tenant, bob.id).uuid)
    assert (folder / "index.html").exists() and all(row_counts(app, alice.id).values())
    bob_rows = row_counts(app, bob.id)
    act(admin, alice.id, "delete", reason="Spam")
    assert act(admin, alice.id, "purge").status_code == 303
    assert not any(row_counts(app, alice.id).values()) and not folder.exists()
    assert row_counts(app, bob.id) == bob_rows and (bobs / "index.html").exists()
    assert [a for a, _ in audit_actions(app, alice.id)] == ["tenant.delete", "tenant.purge"]


def test_purge_drops_cached_pages(app, app_factory, own_redis, admin, alice, make_tenant):
    import redis

    from inkwell.platform.core.administration.purge import purge
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant

    bob = make_tenant("bob")
    cached = app_factory(REDIS_URL=own_redis.url)
    for sub in ("alice", "bob"):
        for path in ("/", "/hello/", "/latest.atom"):
            HostClient(cached, f"{sub}.blogs.test").get(path)
    with app.app_context():
        uuids = {b.id: str(db.session.get_one(Tenant, b.id).uuid) for b in (alice, bob)}
    store = redis.Redis.from_url(own_redis.url)
    keys = [key.decode() for key in store.scan_iter()]
    assert sum(uuids[alice.id] in key for key in keys) >= 2
    act(admin, alice.id, "delete", reason="Spam")
    # While deleted its keys stay (unreachable: the version moved); the purge drops them.
    with cached.app_context():
        purge(db.session.get_one(Tenant, alice.id), _actor())
    keys = [key.decode() for key in store.scan_iter()]
    assert not any(uuids[alice.id] in key for key in keys)
    assert sum(uuids[bob.id] in key for key in keys) >= 2


def _actor():
    from inkwell.platform.core.audit import cli_actor

    return cli_actor()


def test_purged_subdomain_is_held(app, admin, alice, client, auth, mirror_root) -> None:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import SubdomainHold
    from inkwell.platform.core.types import utcnow

    act(admin, alice.id, "delete", reason="Spam")
    act(admin, alice.id, "purge")
    assert HostClient(app, "alice.blogs.test").get("/").status_code == 404
    client.post("/logout")
    signup = auth.signup(email="new@example.com", subdomain="alice")
    assert signup.status_code in (400, 409) and "reserved until" in signup.text
    runner = app.test_cli_runner()
    created = runner.invoke(args=["blogs", "create", "alice", "--owner", "root@example.com"])
    assert created.exit_code == 1 and "reserved until" in created.output
    with app.app_context():
        held = db.session.get_one(SubdomainHold, "alice").until - utcnow()
        assert timedelta(days=89) < held <= timedelta(days=90)
        db.session.execute(update(SubdomainHold).values(until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    created = runner.invoke(args=["blogs", "create", "alice", "--owner", "root@example.com"])
    assert created.exit_code == 0, created.output


def test_due_purges_run_from_cli_and_scheduler(app, admin, alice, make_tenant, mirror_root):
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant
    from inkwell.platform.core.types import utcnow

    bob, carol = make_tenant("bob"), make_tenant("carol")
    for blog in (alice, bob, carol):
        act(admin, blog.id, "delete", reason="Closed")
    with app.app_context():
        past = utcnow() - timedelta(minutes=1)
        due = update(Tenant).where(Tenant.id.in_([alice.id, bob.id])).values(purge_after=past)
        db.session.execute(due)
        db.session.commit()
    assert cli(app, "purge").exit_code == 2  # a blog or --due
    result = cli(app, "purge", "--due")
    assert result.exit_code == 0 and "Purged 2 deleted blogs" in result.output
    assert status_of(app, alice.id) is None and status_of(app, carol.id)[0] == "deleted"
    action, actor = audit_actions(app, bob.id)[-1]
    assert action == "tenant.purge" and actor.startswith("cli:")
    with app.app_context():
        db.session.execute(update(Tenant).values(purge_after=past))
        db.session.commit()
    scheduled = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert scheduled.exit_code == 0 and "1 deleted blogs purged" in scheduled.output
    assert audit_actions(app, carol.id)[-1] == ("tenant.purge", "system:purge-due")
