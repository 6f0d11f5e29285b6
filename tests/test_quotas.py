"""Quotas: each limit stops the work it guards with a clear message and leaves
nothing behind; a blog's own limits beat the platform defaults; bloggers see
their usage; operators set and show limits in the console and the CLI, audited."""

import html
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fixtures.app import csrf_token, post_form
from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits import quotas
from inkwell.platform.core.models import (
    AuditEntry,
    Invitation,
    Mirror,
    Outbox,
    Post,
    PublishRun,
    Quota,
    Snippet,
    Tenant,
)
from inkwell.platform.core.portability.markdown_io import import_markdown
from inkwell.platform.core.publishing import mirrors
from inkwell.platform.core.types import utcnow
from inkwell.workers.publish import run_requested


def set_quota(app, blog, **limits) -> None:
    with app.app_context():
        db.session.merge(Quota(tenant_id=blog.id, **limits))
        db.session.commit()


def count(app, blog, model) -> int:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        return db.session.scalar(select(func.count()).select_from(model))


def bodies(app, blog) -> dict[str, str]:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        return {post.slug: post.body_md for post in db.session.scalars(select(Post))}


@pytest.fixture
def owner(client, auth, make_tenant):
    """alice's blog, its owner logged in."""
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    return blog


def test_a_blogs_own_limits_beat_the_defaults(app, make_tenant) -> None:
    blog = make_tenant("alice")
    with app.app_context():
        assert quotas.limits(blog.id).posts == app.config["QUOTA_POSTS"] == 10_000
        assert quotas.limits(blog.id).overridden == frozenset()
    set_quota(app, blog, posts=5, mails_per_day=0)
    with app.app_context():
        limits = quotas.limits(blog.id)
    assert (limits.posts, limits.mails_per_day, limits.snippets) == (5, 0, 1_000)
    assert limits.overridden == {"posts", "mails_per_day"}


def test_the_post_limit_stops_a_new_post_and_keeps_the_text(app, client, owner, make_post):
    make_post(owner, "First", "one")
    set_quota(app, owner, posts=1)
    page = post_form(
        client,
        "/blogs/alice/posts/new",
        {"title": "Second", "body_md": "keep me", "status": "draft"},
    )
    assert page.status_code == 403
    assert "This blog has reached its limit of 1 post (1 used)." in page.text
    assert "keep me" in page.text and count(app, owner, Post) == 1
    # Editing what exists is still allowed.
    with app.app_context(), tenancy.tenant_scope(owner.id):
        first = db.session.scalar(select(Post.id))
    edited = post_form(
        client, f"/blogs/alice/posts/{first}/edit", {"title": "First", "body_md": "two"}
    )
    assert edited.status_code == 302 and bodies(app, owner) == {"first": "two"}


def test_autosave_of_a_new_draft_over_the_post_limit_answers_json(app, client, owner):
    set_quota(app, owner, posts=0)
    token = csrf_token(client, "/blogs/alice/posts/new")
    answer = client.post(
        "/blogs/alice/posts/autosave",
        data={"csrf_token": token, "title": "Draft", "body_md": "text", "status": "draft"},
    )
    assert answer.status_code == 403
    assert answer.json["error"] == "Not saved. This blog has reached its limit of 0 posts (0 used)."
    assert count(app, owner, Post) == 0


def test_the_storage_limit_refuses_a_save_that_grows_past_it(app, client, owner, make_post):
    post_id = make_post(owner, "Big", "x" * 100)
    set_quota(app, owner, storage_bytes=1_000)
    grown = {"title": "Big", "body_md": "y" * 2_000, "status": "published"}
    page = post_form(client, f"/blogs/alice/posts/{post_id}/edit", grown)
    assert page.status_code == 403 and "past its storage limit of 1 kB" in page.text
    assert "y" * 2_000 in page.text and bodies(app, owner) == {"big": "x" * 100}
    # A save that shrinks the blog is always allowed, even over the limit.
    shrunk = post_form(
        client, f"/blogs/alice/posts/{post_id}/edit", {"title": "Big", "body_md": "z"}
    )
    assert shrunk.status_code == 302 and bodies(app, owner) == {"big": "z"}


def test_autosave_over_the_storage_limit_saves_nothing(app, client, owner, make_post):
    post_id = make_post(owner, "Draft", "short", status="draft")
    set_quota(app, owner, storage_bytes=500)
    token = csrf_token(client, f"/blogs/alice/posts/{post_id}/edit")
    answer = client.post(
        f"/blogs/alice/posts/{post_id}/autosave",
        data={"csrf_token": token, "title": "Draft", "body_md": "w" * 1_000, "status": "draft"},
    )
    assert answer.status_code == 403 and "storage limit" in answer.json["error"]
    assert bodies(app, owner) == {"draft": "short"}


def test_the_snippet_limit_stops_a_new_snippet(app, client, owner, make_snippet):
    make_snippet(owner, "One", "print(1)", language="python")
    set_quota(app, owner, snippets=1)
    data = {"title": "Two", "code": "print(2)", "language": "python"}
    page = post_form(client, "/blogs/alice/snippets/new", data)
    assert page.status_code == 403
    assert "This blog has reached its limit of 1 snippet (1 used)." in page.text
    assert "print(2)" in page.text and count(app, owner, Snippet) == 1


def test_snippet_storage_is_limited_too(app, client, owner):
    set_quota(app, owner, storage_bytes=100)
    data = {"title": "Long", "code": "x = 1\n" * 50, "language": "python"}
    page = post_form(client, "/blogs/alice/snippets/new", data)
    assert page.status_code == 403 and "storage limit" in page.text
    assert count(app, owner, Snippet) == 0


def post_files(folder: Path, names: list[str], body: str = "text") -> Path:
    for name in names:
        (folder / f"{name}.md").write_text(f"---\ntitle: {name}\n---\n{body}\n")
    return folder


def run_import(app, blog, bundle: Path):
    with app.app_context():
        return import_markdown(db.session.get(Tenant, blog.id), None, bundle)


def test_an_import_stops_at_the_post_limit_and_finishes_once_it_allows(app, make_tenant, tmp_path):
    blog = make_tenant("alice")
    set_quota(app, blog, posts=2)
    bundle = post_files(tmp_path, ["a", "b", "c", "d"])
    report = run_import(app, blog, bundle)
    assert report.created == 2 and sorted(bodies(app, blog)) == ["a", "b"]
    limit = "This blog has reached its limit of 2 posts (2 used)."
    assert report.errors == [("c.md", limit), ("d.md", f"not imported: {limit}")]
    set_quota(app, blog, posts=10)
    again = run_import(app, blog, bundle)
    assert (again.created, again.skipped, again.errors) == (2, 2, [])


def test_an_import_stops_before_the_post_that_would_pass_the_storage_limit(
    app, make_tenant, tmp_path
):
    blog = make_tenant("alice")
    set_quota(app, blog, storage_bytes=4_500)
    bundle = post_files(tmp_path, ["a", "b", "c"], body="x" * 1_000)
    report = run_import(app, blog, bundle)
    # Each post stores about 3 kB (Markdown, HTML and its revision): the second would pass 4.5 kB.
    assert report.created == 1 and list(bodies(app, blog)) == ["a"]
    assert [name for name, _ in report.errors] == ["b.md", "c.md"]
    assert "past its storage limit of 4.5 kB" in report.errors[0][1]


def test_the_import_command_reports_the_limit_and_fails(app, make_tenant, tmp_path):
    blog = make_tenant("alice")
    set_quota(app, blog, posts=1)
    result = app.test_cli_runner().invoke(
        args=["import", "markdown", "alice", str(post_files(tmp_path, ["a", "b"]))]
    )
    assert result.exit_code == 1 and "limit of 1 post" in result.output
    assert count(app, blog, Post) == 1


def add_run(app, blog, minutes_ago: float, **fields) -> None:
    """A publish of the blog that started `minutes_ago`."""
    started = utcnow() - timedelta(minutes=minutes_ago)
    values = {"status": "succeeded", "started_at": started, "finished_at": started, **fields}
    with app.app_context(), tenancy.tenant_scope(blog.id):
        db.session.add(PublishRun(tenant_id=blog.id, **values))
        db.session.commit()


def requested(app, blog) -> tuple[int, int] | None:
    with app.app_context():
        mirror = db.session.get(Mirror, blog.id)
        return (mirror.requested_seq, mirror.done_seq) if mirror else None


def test_a_dashboard_publish_over_the_hourly_limit_says_so(app, client, owner):
    set_quota(app, owner, publishes_per_hour=1)
    add_run(app, owner, minutes_ago=20)
    answer = post_form(client, "/blogs/alice/mirror/publish", {}, "/blogs/alice/mirror/")
    page = client.get(answer.location)
    assert "reached its limit of 1 publishes per hour (1 in the last hour)" in page.text
    assert requested(app, owner) is None  # nothing was requested


def test_automatic_publishes_wait_for_the_hour_and_are_not_lost(app, make_tenant):
    blog = make_tenant("alice")
    set_quota(app, blog, publishes_per_hour=2)
    add_run(app, blog, minutes_ago=50)
    add_run(app, blog, minutes_ago=10)
    with app.app_context():
        mirrors.request_publish(blog.id)
        db.session.commit()
        assert mirrors.to_dispatch() == []
        assert run_requested(blog.id) == []  # a worker given it anyway does not publish
        later = utcnow() + timedelta(minutes=15)  # the first run is over an hour old then
        assert mirrors.to_dispatch(later) == [blog.id]
    assert requested(app, blog) == (1, 0)  # the request stayed open all along


def test_the_mirror_page_says_when_a_held_publish_starts(app, client, owner):
    set_quota(app, owner, publishes_per_hour=1)
    add_run(app, owner, minutes_ago=20)
    with app.app_context():
        mirrors.request_publish(owner.id)
        db.session.commit()
    state = client.get("/blogs/alice/mirror/status.json").json
    assert state["queued"] and "limit of 1 publishes per hour" in state["held"]
    assert "The next can start after" in client.get("/blogs/alice/mirror/").text


def test_invitations_stop_at_the_mails_per_day(app, client, owner):
    set_quota(app, owner, mails_per_day=1)
    data = {"email": "ed@example.com", "role": "editor"}
    assert (
        post_form(client, "/blogs/alice/team/invitations", data, "/blogs/alice/team/").status_code
        == 302
    )
    data = {"email": "flo@example.com", "role": "author"}
    page = post_form(client, "/blogs/alice/team/invitations", data, "/blogs/alice/team/")
    assert page.status_code == 429
    assert "reached its limit of 1 mails per day (1 sent in the last 24 hours)" in page.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 1
        assert db.session.scalar(select(func.count()).select_from(Outbox)) == 1


def test_members_see_their_blogs_usage(app, client, owner, make_post):
    make_post(owner, "One", "text")
    set_quota(app, owner, posts=5)
    page = client.get("/blogs/alice/")
    assert "<h2>Usage</h2>" in page.text
    assert "<td>Posts</td><td>1 of 5</td>" in page.text
    assert "<td>Snippets</td><td>0 of 1,000</td>" in page.text
    assert "Publishes per hour</td><td>0 of 30</td>" in page.text


def audit_entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_admins_set_and_clear_a_blogs_limits_in_the_console(app, admin):
    form = admin.get("/admin/quotas/?blog=alice")
    assert form.status_code == 200 and "Posts 0 of 10,000" in form.text
    data = {"blog": "alice", "posts": "500", "storage_bytes": "50MB"}
    saved = post_form(admin, "/admin/quotas/", data, "/admin/quotas/?blog=alice")
    assert saved.status_code == 303
    with app.app_context():
        quota = db.session.get(Quota, db.session.scalar(select(Tenant.id)))
        assert (quota.posts, quota.storage_bytes, quota.snippets) == (500, 50_000_000, None)
    [entry] = audit_entries(app, "quota.set")
    assert entry.actor == "root@example.com" and entry.target_label == "alice"
    assert entry.detail["old"]["posts"] is None and entry.detail["new"]["posts"] == 500
    listed = admin.get("/admin/quotas/").text
    assert 'href="/admin/quotas/?blog=alice"' in listed and "<td>500</td>" in listed
    assert 'value="500"' in admin.get("/admin/quotas/?blog=alice").text  # the form shows them
    cleared = post_form(admin, "/admin/quotas/", {"blog": "alice"}, "/admin/quotas/?blog=alice")
    assert cleared.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Quota)) == 0


def form_values(page: str) -> dict[str, str]:
    """The limits a quotas form holds, as a browser would submit it untouched."""
    inputs = [
        dict(re.findall(r'([\w-]+)="([^"]*)"', tag)) for tag in re.findall("<input [^>]*>", page)
    ]
    found = {attrs["name"]: attrs.get("value", "") for attrs in inputs if "name" in attrs}
    return {name: html.unescape(value) for name, value in found.items() if name in quotas.FIELDS}


def test_the_console_shows_sizes_and_counts_as_people_read_them(app, admin):
    page = admin.get("/admin/quotas/").text
    assert "Posts: 10,000" in page and "Storage: 200 MB" in page
    data = {"blog": "alice", "posts": "12345", "storage_bytes": "50MB", "snippets": "123456789"}
    post_form(admin, "/admin/quotas/", data, "/admin/quotas/?blog=alice")
    listed = admin.get("/admin/quotas/").text
    assert "<td>12,345</td>" in listed and "<td>50 MB</td>" in listed
    form = admin.get("/admin/quotas/?blog=alice").text
    assert 'placeholder="default: 200 MB"' in form and 'placeholder="default: 1000"' in form
    typed = form_values(form)
    assert typed["storage_bytes"] == "50 MB" and typed["snippets"] == "123456789"
    # Saving the form as shown changes nothing, a size format_bytes rounds included.
    changed = {"blog": "alice", **typed, "storage_bytes": "123456789"}
    post_form(admin, "/admin/quotas/", changed, "/admin/quotas/")
    again = form_values(admin.get("/admin/quotas/?blog=alice").text)
    assert again["storage_bytes"] == "123456789"  # not "123.5 MB", which reads back otherwise
    entries = len(audit_entries(app, "quota.set"))
    saved = post_form(admin, "/admin/quotas/", {"blog": "alice", **again}, "/admin/quotas/")
    assert (
        saved.status_code == 303 and "Limits of alice unchanged." in admin.get(saved.location).text
    )
    assert len(audit_entries(app, "quota.set")) == entries  # no entry for nothing done
    with app.app_context():
        quota = db.session.get(Quota, db.session.scalar(select(Tenant.id)))
        assert (quota.posts, quota.snippets, quota.storage_bytes) == (12345, 123456789, 123456789)


def test_the_console_refuses_bad_limits_and_unknown_blogs(app, admin):
    form_url = "/admin/quotas/?blog=alice"
    bad = post_form(admin, "/admin/quotas/", {"blog": "alice", "posts": "-3"}, form_url)
    assert bad.status_code == 400 and "posts must be a whole number (0 or more), not" in bad.text
    assert form_values(bad.text)["posts"] == "-3"  # kept, to correct
    unknown = post_form(admin, "/admin/quotas/", {"blog": "nosuch", "posts": "1"}, form_url)
    assert unknown.status_code == 404 and "No blog" in unknown.text
    assert admin.get("/admin/quotas/?blog=nosuch").status_code == 404
    assert audit_entries(app, "quota.set") == []


def test_the_console_refuses_a_huge_size_with_the_largest_it_takes(app, admin):
    data = {"blog": "alice", "storage_bytes": "9" * 400 + "MB"}
    huge = post_form(admin, "/admin/quotas/", data, "/admin/quotas/?blog=alice")
    assert huge.status_code == 400
    assert "storage bytes must be at most 9,223,372,036,854,775,807" in huge.text
    [message] = re.findall(r'class="error"[^>]*>([^<]*)<', huge.text)
    assert "must be at most" in message and len(message) < 150  # the input quoted shortened
    assert audit_entries(app, "quota.set") == []


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("9223372036854775807", 2**63 - 1),  # the largest BIGINT, exactly
        ("9223372036854775.807 kB", 2**63 - 1),
        ("1.5MB", 1_500_000),
        ("0.001kB", 1),
        ("2.50 gb", 2_500_000_000),
        ("500 bytes", 500),  # as format_bytes writes it
        ("007", 7),
        ("0", 0),
        ("0.0 MB", 0),
        ("0" * 5000 + "1", 1),
    ],
)
def test_sizes_are_read_exactly(text: str, size: int) -> None:
    assert quotas.parse_limit("storage_bytes", text) == size


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_the_cli_sets_and_shows_limits_with_an_audit_entry(app, make_tenant):
    make_tenant("alice")
    result = cli(app, "quotas", "set", "alice", "--posts", "500", "--storage", "50MB")
    assert result.exit_code == 0, result.output
    assert "alice: posts default -> 500" in result.output
    shown = cli(app, "quotas", "show", "alice")
    assert shown.exit_code == 0
    assert "Posts" in shown.output and "0 of 500" in shown.output and "(own)" in shown.output
    assert "50 MB" in shown.output and "(default)" in shown.output
    [entry] = audit_entries(app, "quota.set")
    assert entry.actor.startswith("cli:") and entry.detail["new"]["storage_bytes"] == 50_000_000
    same = cli(app, "quotas", "set", "alice", "--posts", "500")
    assert same.exit_code == 0 and same.output == "alice: no change\n"
    assert len(audit_entries(app, "quota.set")) == 1
    cleared = cli(app, "quotas", "set", "alice", "--clear", "posts", "--clear", "storage")
    assert cleared.exit_code == 0 and "alice: posts 500 -> default" in cleared.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuch", "--posts", "1"], "Error: no blog 'nosuch'"),
        (
            ["alice", "--posts", "-1"],
            "Error: --posts: posts must be a whole number (0 or more), not '-1'",
        ),
        (["alice", "--mails-per-day", "lots"], "Error: --mails-per-day: mails per day must be"),
        (["alice", "--storage", "5 parsecs"], "Error: --storage: storage bytes must be a size"),
        (["alice", "--posts", "99999999999"], "Error: --posts: posts must be at most 2,147,"),
        (["alice", "--posts", "9" * 5000], "Error: --posts: posts must be at most 2,147,"),
        (
            ["alice", "--storage", "9" * 400 + "MB"],
            "Error: --storage: storage bytes must be at most 9,223,372,036,854,775,807, not '999",
        ),
        (["alice", "--storage", "1.5B"], "Error: --storage: storage bytes must be a whole number"),
        (["alice", "--clear", "bogus"], "Error: --clear: no quota 'bogus'"),
        (["alice", "--posts", "1", "--clear", "posts"], "Error: --posts is both set and cleared"),
        (["alice"], "Error: nothing to change"),
    ],
)
def test_the_cli_answers_bad_arguments_in_one_line(app, make_tenant, args, message):
    make_tenant("alice")
    result = cli(app, "quotas", "set", *args)
    assert result.exit_code == 1 and result.output.startswith(message)
    assert len(result.output.strip().splitlines()) == 1
    assert audit_entries(app, "quota.set") == []
    assert cli(app, "quotas", "show", "nosuch").output.strip() == "Error: no blog 'nosuch'"
