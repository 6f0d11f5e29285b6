"""Exactly what the writer wrote, everywhere it appears (issue #16, points 4, 5, 7, 9):
tabs in code, one validation for every way in, dates never dropped, LF line endings."""

import html
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from fixtures.app import csrf_token, post_form
from fixtures.blogs import Blog
from fixtures.migrations import back_before
from fixtures.mirrors import publish, read_folder
from inkwell.platform.core import database, tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Tenant
from inkwell.platform.core.portability.markdown_io import export_markdown, import_markdown

MAKEFILE = "all:\n\tcc -o hello hello.c\n\t@echo\tdone\n"
CODE_POST = f"A Makefile:\n\n```make\n{MAKEFILE}```\n"


def code_text(page: str) -> str:
    """The text of the last `<pre>` of an HTML page (a snippet's line numbers come
    first), as a reader copies it."""
    blocks = re.findall(r"<pre[^>]*>(.*?)</pre>", page, re.S)
    assert blocks, page[:500]
    return html.unescape(re.sub(r"<[^>]+>", "", blocks[-1]))


def stored(app, blog: Blog) -> dict[str, dict]:
    """Every post of `blog` by slug, as the database holds it."""
    with app.app_context(), tenancy.tenant_scope(blog.id):
        posts = db.session.scalars(select(Post).options(selectinload(Post.tags)))
        return {
            post.slug: {
                "title": post.title,
                "body_md": post.body_md,
                "excerpt": post.excerpt,
                "tags": sorted(tag.name for tag in post.tags),
                "status": post.status,
                "published_at": post.published_at and post.published_at.replace(microsecond=0),
                "content_updated_at": post.content_updated_at,
            }
            for post in posts
        }


def export_import(app, source: Blog, target: Blog, tmp_path: Path):
    """Export `source` to a zip and import it into `target`; the import's report."""
    bundle = tmp_path / f"{source.subdomain}.zip"
    with app.app_context():
        with bundle.open("wb") as out:
            export_markdown(db.session.get_one(Tenant, source.id), out)
        return import_markdown(db.session.get_one(Tenant, target.id), None, bundle)


def import_files(app, blog: Blog, folder: Path, files: dict[str, str]):
    for name, text in files.items():
        (folder / name).write_bytes(text.encode())
    with app.app_context():
        return import_markdown(db.session.get_one(Tenant, blog.id), None, folder)


def as_browser_sends(post: dict, slug: str) -> dict[str, str]:
    """The edit form of `post` submitted unchanged: text areas come back with CRLF."""
    return {
        "title": post["title"],
        "body_md": post["body_md"].replace("\n", "\r\n"),
        "excerpt": post["excerpt"].replace("\n", "\r\n"),
        "tags": ", ".join(post["tags"]),
        "slug": slug,
        "status": post["status"],
    }


def edit_url(client, subdomain: str, title: str) -> str:
    listing = client.get(f"/blogs/{subdomain}/").text
    return re.search(rf'(/blogs/{subdomain}/posts/\d+/edit)">{re.escape(title)}<', listing)[1]


# Point 4: tabs in fenced code.


def test_tabs_in_fenced_code_reach_page_feed_and_mirror(
    app, make_tenant, make_post, site_client, tmp_path, monkeypatch
) -> None:
    blog = make_tenant("alice")
    make_post(blog, "Build", CODE_POST)
    reader = site_client(blog)
    assert code_text(reader.get("/build/").text) == MAKEFILE
    entry = feedparser.parse(reader.get("/latest.atom").data).entries[0]
    assert code_text(entry.content[0].value) == MAKEFILE
    monkeypatch.setitem(app.config, "MIRROR_URL", str(tmp_path / "mirror"))
    publish(app, blog.id)
    with app.app_context():
        uuid = str(db.session.get_one(Tenant, blog.id).uuid)
    files = read_folder(tmp_path / "mirror" / uuid)
    assert code_text(files["build/index.html"].decode()) == MAKEFILE
    mirrored_entry = feedparser.parse(files["latest.atom"]).entries[0]
    assert code_text(mirrored_entry.content[0].value) == MAKEFILE


def test_rerender_brings_tabs_back_to_old_posts(app, make_tenant, make_post, site_client) -> None:
    blog = make_tenant("alice")
    post_id = make_post(blog, "Build", CODE_POST)
    with app.app_context(), tenancy.tenant_scope(blog.id):  # as the first renderer stored it
        old_html = f"<pre><code>{MAKEFILE.expandtabs(4)}</code></pre>"
        db.session.execute(
            update(Post).where(Post.id == post_id).values(renderer_version=1, body_html=old_html)
        )
        db.session.commit()
    assert code_text(site_client(blog).get("/build/").text) == MAKEFILE.expandtabs(4)
    result = app.test_cli_runner().invoke(args=["posts", "rerender"])
    assert result.output.strip() == "Re-rendered 1 posts."
    assert code_text(site_client(blog).get("/build/").text) == MAKEFILE


def test_snippets_keep_their_tabs(make_tenant, make_snippet, site_client) -> None:
    blog = make_tenant("alice")
    make_snippet(blog, "Makefile", MAKEFILE, language="make")
    assert code_text(site_client(blog).get("/snippets/makefile/").text) == MAKEFILE


# Point 5: one validation for every way in.

TRICKY_TITLES = [
    "Tab\tin the title",
    "DEL\x7fand C1\x80\x9f",
    "Next line\x85here",
    "Line\r\nbreak and\u2028separator",
    "  Spaces around  ",
    "Non-breaking\xa0space, RTL שלום עליכם",
]
TRICKY_BODY = (
    "Windows\r\nline endings\rand a NEL\x85here.\n\n"
    "```\n\tindented\twith tabs\n```\n"
    "C1 \x80\x9f and DEL \x7f go; \u2028 and \u00a0 stay.  \n"
)


@pytest.mark.parametrize("title", TRICKY_TITLES)
def test_what_the_editor_accepts_survives_export_and_import(
    app, client, auth, make_tenant, tmp_path, title: str
) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    auth.login(alice.owner_email)
    data = {
        "title": title,
        "body_md": TRICKY_BODY,
        "excerpt": "  First\r\nline\x85and\ttab  ",
        "tags": "one\ttag, two\x85words",
        "status": "published",
    }
    assert post_form(client, "/blogs/alice/posts/new", data).status_code == 302
    [saved] = stored(app, alice).values()
    assert "\r" not in saved["body_md"] and "\x85" not in saved["body_md"]
    assert "\t" not in saved["title"] and saved["title"] == saved["title"].strip()
    assert "\tindented\twith tabs" in saved["body_md"]
    report = export_import(app, alice, bob, tmp_path)
    assert (report.created, report.errors) == (1, [])
    imported = stored(app, bob)
    assert {slug: {**post, "content_updated_at": None} for slug, post in imported.items()} == {
        slug: {**post, "content_updated_at": None} for slug, post in stored(app, alice).items()
    }


def test_what_the_import_accepts_the_editor_saves_again(
    app, client, auth, make_tenant, tmp_path
) -> None:
    blog = make_tenant("alice")
    # Just under the limit, in many lines: a browser sends each line break as two characters.
    lines = "x" * 99 + "\n"
    body = lines * (1_000_000 // len(lines))
    files = {"long.md": f"---\ntitle: Long\ndate: 2024-05-01T09:30:00Z\n---\n\n{body}"}
    report = import_files(app, blog, tmp_path, files)
    assert (report.created, report.errors) == (1, [])
    before = stored(app, blog)["long"]
    auth.login(blog.owner_email)
    url = edit_url(client, "alice", "Long")
    answer = post_form(client, url, as_browser_sends(before, "long"))
    assert answer.status_code == 302, answer.text[-2000:]
    assert stored(app, blog)["long"] == before


def test_autosave_stores_what_the_save_button_stores(app, client, auth, make_tenant) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    headers = {"X-CSRFToken": csrf_token(client, "/blogs/alice/posts/new")}
    draft = {"title": "Tab\there\x85", "body_md": "one\r\n\ttwo\r\n"}
    saved = client.post("/blogs/alice/posts/autosave", json=draft, headers=headers)
    assert saved.status_code == 200
    [post] = stored(app, blog).values()
    assert (post["title"], post["body_md"]) == ("Tab here", "one\n\ttwo\n")
    huge = {"title": "Huge", "body_md": "z" * 1_000_001}
    refused = client.post("/blogs/alice/posts/autosave", json=huge, headers=headers)
    assert refused.status_code == 400 and "the limit is 1,000,000" in refused.json["error"]


def test_the_import_refuses_what_the_editor_would_refuse(
    app, client, auth, make_tenant, tmp_path
) -> None:
    blog = make_tenant("alice")
    too_long = "y" * 1_200_000
    files = {
        "huge.md": f"---\ntitle: Huge\n---\n\n{too_long}",
        "reserved.md": "---\ntitle: Tags page\nslug: tags\n---\n\nbody",
    }
    errors = dict(import_files(app, blog, tmp_path, files).errors)
    assert errors["huge.md"] == (
        "body: The text is 1,200,000 characters long; the limit is 1,000,000."
    )
    assert "/tags/ is a page of the blog" in errors["reserved.md"]
    auth.login(blog.owner_email)
    huge = post_form(
        client, "/blogs/alice/posts/new", {"title": "Huge", "body_md": too_long, "status": "draft"}
    )
    assert huge.status_code == 400 and "the limit is 1,000,000" in huge.text
    reserved = {"title": "Tags page", "slug": "tags", "body_md": "body", "status": "draft"}
    answer = post_form(client, "/blogs/alice/posts/new", reserved)
    assert answer.status_code == 409 and "/tags/ is a page of the blog" in answer.text
    assert stored(app, blog) == {}


# Point 9: line endings.


def test_saving_an_unchanged_post_from_the_browser_changes_nothing(
    app, client, auth, make_tenant, site_client, tmp_path, wall_clock
) -> None:
    blog = make_tenant("alice")
    text = "---\ntitle: Notes\ndate: 2024-05-01T09:30:00Z\nexcerpt: |-\n  Two\n  lines\n---\n\n"
    import_files(app, blog, tmp_path, {"notes.md": text + "One\nTwo\n\n    code\n"})
    before = stored(app, blog)["notes"]
    feed_before = site_client(blog).get("/latest.atom").data
    wall_clock.advance(3600)
    auth.login(blog.owner_email)
    url = edit_url(client, "alice", "Notes")
    assert post_form(client, url, as_browser_sends(before, "notes")).status_code == 302
    assert stored(app, blog)["notes"] == before  # still LF, and content_updated_at stayed
    updated = feedparser.parse(site_client(blog).get("/latest.atom").data).entries[0].updated
    assert updated == feedparser.parse(feed_before).entries[0].updated
    # An export imports back as nothing to do.
    assert export_import(app, blog, blog, tmp_path).skipped == 1


def test_the_migration_stores_crlf_bodies_as_lf(old_app) -> None:
    with old_app.app_context():
        from inkwell.platform.core.accounts.registration import new_blog, new_user

        tenant = new_blog(new_user("o@example.com", "long enough pw"), "old", "Old", "blogs.test")
        db.session.flush()
        moment = datetime(2024, 5, 1, tzinfo=UTC)
        with tenancy.tenant_scope(tenant.id):
            db.session.add(
                Post(tenant_id=tenant.id, title="Old", slug="old", body_md="a\r\nb\rc\n",
                     excerpt="x\r\ny", body_html="<p>a\nb\nc</p>", content_updated_at=moment)
            )  # fmt: skip
            db.session.commit()
    back_before(old_app, "0017")
    with old_app.app_context():
        database.upgrade("head")
        with tenancy.across_tenants():
            post = db.session.scalars(select(Post)).one()
            assert (post.body_md, post.excerpt) == ("a\nb\nc\n", "x\ny")
            assert post.content_updated_at == moment


# Point 7: dates.


def test_a_published_post_given_a_future_date_is_scheduled_for_it(
    app, client, auth, make_tenant, site_client
) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    future = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    data = {"title": "Later", "status": "published", "publish_at": f"{future:%Y-%m-%dT%H:%M:%S}"}
    answer = post_form(client, "/blogs/alice/posts/new", data)
    assert answer.status_code == 302
    listing = client.get("/blogs/alice/").text
    assert f"scheduled for {future:%Y-%m-%d %H:%M} UTC" in html.unescape(listing)
    later = stored(app, blog)["later"]
    assert (later["status"], later["published_at"]) == ("scheduled", future)
    assert site_client(blog).get("/later/").status_code == 404
    past = future - timedelta(days=400)
    data = {"title": "Backdated", "status": "published", "publish_at": f"{past:%Y-%m-%dT%H:%M:%S}"}
    assert post_form(client, "/blogs/alice/posts/new", data).status_code == 302
    backdated = stored(app, blog)["backdated"]
    assert (backdated["status"], backdated["published_at"]) == ("published", past)


def test_a_draft_keeps_the_date_it_is_given(app, client, auth, make_tenant, tmp_path) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    auth.login(alice.owner_email)
    data = {"title": "Someday", "status": "draft", "publish_at": "2031-02-03T04:05:06"}
    assert post_form(client, "/blogs/alice/posts/new", data).status_code == 302
    date = datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert stored(app, alice)["someday"]["published_at"] == date
    export_import(app, alice, bob, tmp_path)
    assert stored(app, bob)["someday"]["published_at"] == date
    with zipfile.ZipFile(tmp_path / "alice.zip") as bundle:
        text = bundle.read("posts/someday.md").decode()
    assert "date: '2031-02-03T04:05:06.000000+00:00'" in text
