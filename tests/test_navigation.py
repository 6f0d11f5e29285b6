"""A blog's navigation as owners edit it (Settings → Navigation) and readers meet it:
every page's header, the mirror (folder and S3, opened from disk or under a prefix),
the export and its import; and the About page as an ordinary page, the one
blogs had made from their description by migration 0026."""

import html
import io
import re
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from test_portability import export_zip, run_import

from fixtures.accounts import AuthActions
from fixtures.app import HostClient, platform_browser, post_form
from fixtures.blogs import Blog
from fixtures.migrations import back_before
from fixtures.mirrors import broken_links, edit_post, post_id, publish
from inkwell.platform.core import database, tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Tag, Tenant

PAGE = "/blogs/{sub}/navigation/"
REVISION = re.compile(r'name="base_revision" type="hidden" value="(\d*)"')
NAV = re.compile(r'<nav aria-label="Blog">(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]*)"[^>]*>([^<]*)</a>')


def header(page: str) -> list[tuple[str, str]]:
    """(href, label) of each link of a page's header navigation."""
    found = NAV.search(page)
    return [(href, html.unescape(label)) for href, label in LINK.findall(found[1])] if found else []


def uuid_of(app: Flask, blog: Blog, slug: str) -> str:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        return str(db.session.scalar(select(Post.uuid).where(Post.slug == slug)))


def tag_id(app: Flask, blog: Blog, name: str) -> int:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        return db.session.scalar(select(Tag.id).where(Tag.name == name))


def rows(*links: tuple[str, str, str]) -> dict[str, str]:
    """The form's fields for (label, target choice, address) rows, in order."""
    data = {}
    for n, (label, target, url) in enumerate(links):
        data |= {f"items-{n}-label": label, f"items-{n}-target": target, f"items-{n}-url": url}
    return data


def save(client, blog: Blog, data: dict[str, str], revision: str | None = None):
    url = PAGE.format(sub=blog.subdomain)
    if revision is None:
        revision = REVISION.search(client.get(url).text)[1]
    return post_form(client, url, {"base_revision": revision, **data})


@pytest.fixture
def alice(app, make_tenant, make_post, auth) -> Blog:
    """alice's blog with an About and a Now page, a post tagged Python, the owner logged in."""
    blog = make_tenant("alice")
    make_post(blog, "About", "Who writes here.", is_page=True)
    make_post(blog, "Now", "Reading *Dune*.", is_page=True)
    make_post(blog, "Hello", "First post.", tags=["Python"])
    auth.login(blog.owner_email)
    return blog


def test_a_blog_never_edited_shows_the_links_it_always_had(
    make_tenant, make_post, make_snippet, site_client
) -> None:
    blog = make_tenant("bob")
    reader = site_client(blog)
    assert header(reader.get("/").text) == [("/latest.atom", "Feed")]
    make_snippet(blog, "Hi", "print('hi')", language="python")
    make_post(blog, "About", "Who writes here.", is_page=True)
    page = reader.get("/about/").text
    assert header(page) == [
        ("/snippets/", "Snippets"),
        ("/about/", "About"),
        ("/latest.atom", "Feed"),
    ]
    assert '<a href="/about/" dir="auto" aria-current="page">About</a>' in page


def test_the_owner_adds_reorders_and_removes_links(app, client, alice, site_client) -> None:
    now, python = uuid_of(app, alice, "now"), tag_id(app, alice, "Python")
    data = rows(("Now", f"page:{now}", ""), ("Feed", "feed", ""))
    data |= {"new-label": "عن المدونة", "new-target": f"tag:{python}", "new-url": ""}
    answer = save(client, alice, data)
    assert answer.status_code == 302
    assert "Navigation saved" in client.get(answer.location).text
    reader = site_client(alice)
    expected = [("/now/", "Now"), ("/latest.atom", "Feed"), ("/tags/python/", "عن المدونة")]
    assert header(reader.get("/").text) == expected
    form = client.get(PAGE.format(sub="alice")).text
    assert form.count('name="items-') == 9 and "عن المدونة" in form
    # Move the third up, then remove the first: each button saves the form as it stands.
    rows_now = rows(*((label, target, "") for label, target in (
        ("Now", f"page:{now}"), ("Feed", "feed"), ("عن المدونة", f"tag:{python}"))))  # fmt: skip
    assert save(client, alice, {**rows_now, "action": "up:2"}).status_code == 302
    assert [label for _, label in header(reader.get("/").text)] == ["Now", "عن المدونة", "Feed"]
    moved = rows(
        ("Now", f"page:{now}", ""), ("عن المدونة", f"tag:{python}", ""), ("Feed", "feed", "")
    )
    assert save(client, alice, {**moved, "action": "remove:0"}).status_code == 302
    assert [label for _, label in header(reader.get("/hello/").text)] == ["عن المدونة", "Feed"]


def test_an_external_link_stays_absolute_and_opens_without_opener(client, alice, site_client):
    data = rows(("Mastodon", "url", "https://social.example/@alice"))
    assert save(client, alice, data).status_code == 302
    page = site_client(alice).get("/").text
    assert '<a href="https://social.example/@alice" rel="noopener" dir="auto">Mastodon</a>' in page


@pytest.mark.parametrize(
    ("link", "message"),
    [
        (("", "feed", ""), "Give this link a label."),
        (("x" * 41, "feed", ""), "Keep the label to 40 characters (it has 41)."),
        (("Evil", "url", "javascript:alert(1)"), "must start with https:// or http://"),
        (("Data", "url", "data:text/html,hi"), "must start with https:// or http://"),
        (("Empty", "url", ""), "Enter the address of the other site"),
        (("Gone", "page:00000000-0000-0000-0000-000000000000", ""), "That page no longer exists"),
        (("Gone", "tag:999999", ""), "That tag no longer exists"),
        (("What", "somewhere", ""), "Choose where this link leads."),
    ],
)
def test_a_bad_link_is_refused_with_a_clear_message_and_nothing_changes(
    client, alice, site_client, link, message
) -> None:
    answer = save(client, alice, rows(("Feed", "feed", ""), link))
    assert answer.status_code == 400
    assert message in html.unescape(answer.text)
    assert html.escape(link[0]) in answer.text  # the rows come back as typed
    assert [label for _, label in header(site_client(alice).get("/").text)] == ["About", "Feed"]


def test_at_most_twelve_links(client, alice) -> None:
    answer = save(client, alice, rows(*[(f"Feed {n}", "feed", "") for n in range(13)]))
    assert answer.status_code == 400 and "at most 12 links" in answer.text


def test_another_blogs_page_or_tag_cannot_be_a_target(
    app, client, alice, make_tenant, make_post, site_client
) -> None:
    bob = make_tenant("bob")
    make_post(bob, "Secret page", "bob's", is_page=True)
    make_post(bob, "Tagged", "bob's", tags=["private"])
    theirs = uuid_of(app, bob, "secret-page")
    answer = save(client, alice, rows(("Theirs", f"page:{theirs}", "")))
    assert answer.status_code == 400 and "That page no longer exists" in answer.text
    answer = save(client, alice, rows(("Theirs", f"tag:{tag_id(app, bob, 'private')}", "")))
    assert answer.status_code == 400 and "That tag no longer exists" in answer.text
    assert "secret-page" not in site_client(alice).get("/").text


def test_a_save_from_an_older_revision_is_a_conflict_with_the_rows_kept(client, alice) -> None:
    url = PAGE.format(sub="alice")
    old = REVISION.search(client.get(url).text)[1]
    assert save(client, alice, rows(("Feed", "feed", ""))).status_code == 302
    answer = save(client, alice, rows(("Stale tab", "feed", "")), revision=old)
    assert answer.status_code == 409 and "were not saved" in answer.text
    assert 'value="Stale tab"' in answer.text  # kept, to save again
    assert "Stale tab" not in client.get(url).text


def test_only_owners_edit_the_navigation(app, client, auth, make_tenant, add_member) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    add_member(alice, "ed@example.com", "editor")
    url = PAGE.format(sub="alice")
    editor = platform_browser(app)
    AuthActions(editor).login("ed@example.com")
    assert editor.get(url).status_code == 403
    answer = post_form(editor, url, rows(("X", "feed", "")), form_url="/blogs/alice/")
    assert answer.status_code == 403
    assert 'href="/blogs/alice/navigation/"' not in editor.get("/blogs/alice/").text
    auth.login(bob.owner_email)
    assert client.get(url).status_code == 404
    answer = post_form(client, url, rows(("X", "feed", "")), form_url=PAGE.format(sub="bob"))
    assert answer.status_code == 404
    assert 'href="/blogs/bob/navigation/"' in client.get("/blogs/bob/").text  # the section bar


def test_a_page_or_tag_that_leaves_drops_out_and_comes_back(
    app, client, alice, site_client
) -> None:
    now, python = uuid_of(app, alice, "now"), tag_id(app, alice, "Python")
    data = rows(("Now", f"page:{now}", ""), ("Python", f"tag:{python}", ""), ("Feed", "feed", ""))
    assert save(client, alice, data).status_code == 302
    reader = site_client(alice)
    edit_post(app, alice.id, post_id(app, alice.id, "now"), status="draft")
    assert [label for _, label in header(reader.get("/").text)] == ["Python", "Feed"]
    edit_post(app, alice.id, post_id(app, alice.id, "hello"), tags=[])  # no public post has it
    assert [label for _, label in header(reader.get("/").text)] == ["Feed"]
    edit_post(app, alice.id, post_id(app, alice.id, "now"), status="published", slug="today")
    assert header(reader.get("/").text)[0] == ("/today/", "Now")  # a new slug: the same page
    form = client.get(PAGE.format(sub="alice")).text
    assert "Gone from the blog" not in form  # the tag still exists: chosen as it was


def test_going_back_to_the_default(app, client, alice, site_client) -> None:
    assert save(client, alice, rows(("Only the feed", "feed", ""))).status_code == 302
    assert (
        save(client, alice, {**rows(("Only the feed", "feed", "")), "action": "reset"}).status_code
        == 302
    )
    assert [label for _, label in header(site_client(alice).get("/").text)] == ["About", "Feed"]


def test_the_mirror_shows_the_navigation_with_relative_links(app, client, alice, mirror_of) -> None:
    now = uuid_of(app, alice, "now")
    python = tag_id(app, alice, "Python")
    data = rows(("Now", f"page:{now}", ""), ("Python", f"tag:{python}", ""),
                ("Feed", "feed", ""), ("Elsewhere", "url", "https://example.org/"))  # fmt: skip
    assert save(client, alice, data).status_code == 302
    publish(app, alice.id)
    files = mirror_of(alice)
    assert header(files["index.html"].decode()) == [
        ("now/index.html", "Now"), ("tags/python/index.html", "Python"),
        ("latest.atom", "Feed"), ("https://example.org/", "Elsewhere"),
    ]  # fmt: skip
    assert header(files["tags/python/index.html"].decode())[0] == ("../../now/index.html", "Now")
    for name in ("now/index.html", "hello/index.html", "about/index.html"):
        assert all(not href.startswith("/") for href, _ in header(files[name].decode())), name
    assert broken_links(files) == []
    # Saving it again differently republishes every page's header.
    assert save(client, alice, rows(("Feed only", "feed", ""))).status_code == 302
    publish(app, alice.id)
    assert header(mirror_of(alice)["hello/index.html"].decode()) == [
        ("../latest.atom", "Feed only")
    ]


def test_export_then_import_restores_the_navigation_in_another_blog(
    app, client, alice, make_tenant, tmp_path: Path
) -> None:
    now, python = uuid_of(app, alice, "now"), tag_id(app, alice, "Python")
    data = rows(("Now ✨", f"page:{now}", ""), ("Python", f"tag:{python}", ""),
                ("Snippets", "snippets", ""), ("Web", "url", "https://example.org/"))  # fmt: skip
    assert save(client, alice, data).status_code == 302
    exported = export_zip(app, alice)
    text = exported.read("navigation.yaml").decode()
    assert "page: now" in text and "tag: Python" in text and "Now ✨" in text
    bundle = tmp_path / "alice.zip"
    bundle.write_bytes(_zip_bytes(exported))
    carol = make_tenant("carol")
    report = run_import(app, carol, bundle)
    assert report.errors == []
    again = export_zip(app, carol).read("navigation.yaml").decode()
    assert again == text
    with app.app_context():
        links = db.session.get_one(Tenant, carol.id).navigation
    assert [link["label"] for link in links] == ["Now ✨", "Python", "Snippets", "Web"]
    # carol's own page, which kept its UUID (`portability.post_identity`).
    assert links[0]["target"] == uuid_of(app, carol, "now") == now


def test_an_import_leaves_out_links_to_what_the_blog_lacks_and_refuses_bad_files(
    app, make_tenant, tmp_path: Path
) -> None:
    from test_portability import write

    blog = make_tenant("dora")
    links = "- label: Gone\n  page: nowhere\n- label: Feed\n  feed: true\n"
    report = run_import(app, blog, write(tmp_path / "a", {"navigation.yaml": links}))
    assert report.errors == [
        ("navigation.yaml", "link “Gone” left out: this blog has no page “nowhere”")
    ]
    with app.app_context():
        assert db.session.get_one(Tenant, blog.id).navigation == [
            {"label": "Feed", "kind": "feed", "target": ""}
        ]
    bad = "- label: Evil\n  url: javascript:alert(1)\n"
    report = run_import(app, blog, write(tmp_path / "b", {"navigation.yaml": bad}))
    [(name, message)] = report.errors
    assert name == "navigation.yaml" and "link 1" in message and "https://" in message


def _zip_bytes(archive: zipfile.ZipFile) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as copy:
        for name in archive.namelist():
            copy.writestr(name, archive.read(name))
    return buffer.getvalue()


def test_the_migration_makes_each_description_an_about_page(old_app) -> None:
    from inkwell.platform.core.accounts.registration import new_blog, new_user

    with old_app.app_context():
        owner = new_user("o@example.com", "long enough pw")
        described = new_blog(owner, "old", "Old", "blogs.test")
        described.description = "Notes on *things*.\r\n\r\nSecond paragraph."
        taken = new_blog(owner, "taken", "Taken", "blogs.test")
        taken.description = "Has its own about post."
        new_blog(owner, "quiet", "Quiet", "blogs.test").description = "  "
        db.session.flush()
        with tenancy.tenant_scope(taken.id):
            db.session.add(Post(tenant_id=taken.id, title="Mine", slug="about", body_md="mine"))
            db.session.commit()
        ids = {"old": described.id, "taken": taken.id, "owner": owner.id}
    back_before(old_app, "0026")
    with old_app.app_context():
        database.upgrade("head")
        with tenancy.across_tenants():
            pages = {p.tenant_id: p for p in db.session.scalars(select(Post))}
        about = pages[ids["old"]]
        assert (about.slug, about.title, about.status, about.is_page) == (
            "about", "About", "published", True
        )  # fmt: skip
        assert about.body_md == "Notes on *things*.\n\nSecond paragraph."
        assert "<em>things</em>" in about.body_html and about.author_id == ids["owner"]
        assert pages[ids["taken"]].title == "Mine" and len(pages) == 2  # none for "quiet"
        assert db.session.get_one(Tenant, ids["old"]).navigation is None
    page = HostClient(old_app, "old.blogs.test").get("/about/")
    assert page.status_code == 200 and "<em>things</em>" in page.text
    assert header(page.text) == [("/about/", "About"), ("/latest.atom", "Feed")]
