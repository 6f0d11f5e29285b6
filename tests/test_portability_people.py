"""Who moves with an export: subscribers only when an owner asks (a file of their
own, read back as it says, nobody mailed), authors who are no members as a byline
(never an email), and old addresses of any shape (issue #23, point 1)."""

import io
import zipfile

from fixtures.accounts import AuthActions
from fixtures.app import platform_browser
from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Outbox, Post, Subscriber, Tenant
from inkwell.platform.core.newsletter import subscribers
from inkwell.platform.core.portability.markdown_io import import_markdown, plan_import

CSV = (
    "email,status,subscribed_at,source\r\n"
    "sure@example.org,confirmed,2024-01-02T03:04:05+00:00,form\r\n"
    "maybe@example.org,pending,,form\r\n"
    "gone@example.org,unsubscribed,2024-01-02T03:04:05+00:00,import\r\n"
)


def bundle(tmp_path, files: dict[str, str]):
    path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def imported(app, blog, path, owner: bool = True):
    with app.app_context():
        tenant = db.session.get(Tenant, blog.id)
        if owner:
            return import_markdown(tenant, None, path)
        return plan_import(tenant, path, owner=False)


def listed(app, blog) -> dict[str, str]:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        return {row.email: row.status for row in db.session.query(Subscriber)}


def test_subscribers_come_back_as_the_file_says_and_nobody_is_mailed(
    app, make_tenant, tmp_path, mailbox
) -> None:
    blog = make_tenant("alice")
    with app.app_context(), tenancy.tenant_scope(blog.id):  # already on the list: left alone
        db.session.add(Subscriber(tenant_id=blog.id, email="maybe@example.org",
                                  token="t", status="confirmed"))  # fmt: skip
        db.session.commit()
    bad = CSV + "not-an-address,confirmed,,form\r\nx@example.org,subscribed,,form\r\n"
    report = imported(app, blog, bundle(tmp_path, {"subscribers.csv": bad}))
    assert report.subscribers == 2
    assert listed(app, blog) == {
        "sure@example.org": "confirmed",
        "maybe@example.org": "confirmed",
        "gone@example.org": "unsubscribed",  # never mailed again after a move
    }
    assert {name for name, _ in report.errors} == {"subscribers.csv"}
    first, second = (message for _, message in report.errors)
    assert first.startswith("line 5: That is not an email address")
    assert second.startswith("line 6: status 'subscribed' is none of")
    with app.app_context():
        assert db.session.query(Outbox).count() == 0
    assert mailbox.messages() == []


def test_only_an_owners_import_brings_subscribers(app, make_tenant, tmp_path) -> None:
    blog = make_tenant("alice")
    plan = imported(app, blog, bundle(tmp_path, {"subscribers.csv": CSV}), owner=False)
    assert plan.subscribers is None
    [step] = plan.steps
    assert (step.name, step.message) == (
        "subscribers.csv",
        "not imported: only an owner of the blog may import its subscribers",
    )


def test_a_file_in_another_shape_or_too_long_is_refused_whole(
    app, make_tenant, tmp_path, monkeypatch
) -> None:
    blog = make_tenant("alice")
    report = imported(app, blog, bundle(tmp_path, {"subscribers.csv": "email\nx@example.org\n"}))
    assert report.errors == [
        ("subscribers.csv", "line 1: the columns must be email, status, subscribed_at, source")
    ]
    monkeypatch.setitem(app.config, "NEWSLETTER_IMPORT_MAX_ROWS", 2)
    report = imported(app, blog, bundle(tmp_path, {"subscribers.csv": CSV}))
    assert report.errors == [("subscribers.csv", "more than 2 addresses: nothing added")]
    assert listed(app, blog) == {}


def test_the_export_page_lets_owners_choose_and_editors_never_take_subscribers(
    app, client, auth, make_tenant, add_member
) -> None:
    blog = make_tenant("alice")
    with app.app_context():
        subscribers.subscribe(db.session.get(Tenant, blog.id), "fan@example.org")
        db.session.commit()
    auth.login(blog.owner_email)
    page = client.get("/blogs/alice/export/options")
    assert page.status_code == 200 and "Include the subscribers (1 address)" in page.text
    plain = zipfile.ZipFile(io.BytesIO(client.get("/blogs/alice/export/").data)).namelist()
    assert "subscribers.csv" not in plain
    chosen = zipfile.ZipFile(io.BytesIO(client.get("/blogs/alice/export/?subscribers=1").data))
    assert chosen.read("subscribers.csv").decode().splitlines()[1].startswith("fan@example.org,")
    editor = platform_browser(app)
    AuthActions(editor).login(add_member(blog, "ed@example.com", "editor"))
    assert editor.get("/blogs/alice/export/").status_code == 200
    refused = editor.get("/blogs/alice/export/?subscribers=1")
    assert refused.status_code == 403
    assert "Only the blog's owners can export its subscribers." in refused.text.replace(
        "&#39;", "'"
    )
    assert editor.get("/blogs/alice/export/options").status_code == 403


def test_the_command_line_exports_subscribers_when_asked(app, make_tenant, tmp_path) -> None:
    make_tenant("alice")
    runner = app.test_cli_runner()
    for flag, expected in (([], False), (["--subscribers"], True)):
        out = tmp_path / f"export{len(flag)}.zip"
        result = runner.invoke(args=["export", "alice", str(out), *flag])
        assert result.exit_code == 0, result.output
        assert ("subscribers.csv" in zipfile.ZipFile(out).namelist()) == expected


def test_an_author_who_is_no_member_keeps_a_byline_never_an_email(
    app, make_tenant, tmp_path, site_client
) -> None:
    blog = make_tenant("alice")
    files = {
        "posts/guest.md": (
            "---\ntitle: Guest\nauthor: ana@example.org\nbyline: Ana  Lima\n---\n\nHi"
        ),
        "posts/mail.md": "---\ntitle: Mail\nbyline: ana@example.org\n---\n\nHi",
    }
    path = bundle(tmp_path, files)
    with app.app_context():
        plan = plan_import(db.session.get(Tenant, blog.id), path)
    guest = next(step for step in plan.steps if step.name == "posts/guest.md")
    assert guest.notes == (
        "author ana@example.org is not a member of this blog: shown as its byline",
    )
    report = imported(app, blog, path)
    assert report.errors == [
        ("posts/mail.md", "byline 'ana@example.org' must be a name, not an email address")
    ]
    with app.app_context(), tenancy.tenant_scope(blog.id):
        post = db.session.query(Post).one()
        assert (post.author_id, post.byline) == (None, "Ana Lima")
    page = site_client(blog).get("/guest/").text
    assert "Ana Lima" in page and "ana@example.org" not in page
    assert "<name>Ana Lima</name>" in site_client(blog).get("/latest.atom").text


def test_imported_paths_of_an_old_site_become_old_addresses(
    app, make_tenant, tmp_path, site_client
) -> None:
    blog = make_tenant("alice")
    given = '["/2019/05/hello/", "/p/hello", "/?p=7", "https://old.example.org/?page_id=9"]'
    files = {"posts/hello.md": f"---\ntitle: Hello\naliases: {given}\n---\n\nHi"}
    assert imported(app, blog, bundle(tmp_path, files)).errors == []
    reader = site_client(blog)
    for old in ("/2019/05/hello", "/p/hello/", "/?p=7", "/?page_id=9"):
        assert reader.get(old).headers["Location"] == "/hello/", old
    files = {"posts/bad.md": '---\ntitle: Bad\naliases: ["/tags/x/"]\n---\n\nx'}
    report = imported(app, blog, bundle(tmp_path, files))
    assert report.errors == [
        (
            "posts/bad.md",
            "aliases: '/tags/x/': /tags/x/ is a page of the blog. Choose another address.",
        )
    ]
