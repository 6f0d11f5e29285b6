"""Posts in and out as Markdown: folder and zip import, export, round trip, CLI, download."""

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from fixtures.accounts import PASSWORD, AuthActions
from fixtures.app import platform_browser
from inkwell.platform.core import tenancy
from inkwell.platform.core.accounts.registration import new_user
from inkwell.platform.core.content.rendering import RENDERER_VERSION
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Membership, Post, Snippet, Tenant
from inkwell.platform.core.portability import bundles
from inkwell.platform.core.portability.markdown_io import (
    ImportReport,
    export_markdown,
    import_markdown,
)

HELLO = """---
title: Hello, world
date: 2024-05-01T09:30:00Z
tags: [Python, web]
excerpt: The first one.
---

# Hello

First *post*.
"""
DRAFT = "---\ntitle: Not yet\ndraft: true\ntags: ideas, later\n---\nWork in progress.\n"


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return folder


def zip_of(path: Path, files: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return path


def run_import(app, blog, bundle: Path) -> ImportReport:
    with app.app_context():
        return import_markdown(db.session.get(Tenant, blog.id), None, bundle)


def posts_of(app, blog) -> dict[str, dict]:
    """slug -> what readers and writers see of each post of the blog."""
    with app.app_context(), tenancy.tenant_scope(blog.id):
        posts = db.session.scalars(select(Post).options(selectinload(Post.tags)))
        return {
            p.slug: {
                "title": p.title,
                "body": p.body_md,
                "tags": [t.name for t in p.tags],
                "status": p.status,
                "published_at": p.published_at and p.published_at.replace(microsecond=0),
                "excerpt": p.excerpt,
                "html": p.body_html,
            }
            for p in posts
        }


def content_version(app, blog) -> int:
    with app.app_context():
        return db.session.get(Tenant, blog.id).content_version


def test_folder_import_reads_front_matter(app, make_tenant, tmp_path) -> None:
    blog = make_tenant("alice")
    bundle = write(tmp_path, {"hello.md": HELLO, "drafts/not-yet.md": DRAFT, "notes.txt": "x"})
    report = run_import(app, blog, bundle)
    assert (report.created, report.updated, report.skipped, report.errors) == (2, 0, 0, [])
    posts = posts_of(app, blog)
    hello = posts["hello"]
    assert hello["title"] == "Hello, world" and hello["status"] == "published"
    assert hello["published_at"] == datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    assert hello["tags"] == ["Python", "web"] and hello["excerpt"] == "The first one."
    assert hello["body"] == "# Hello\n\nFirst *post*.\n" and "<em>post</em>" in hello["html"]
    draft = posts["not-yet"]
    assert draft["status"] == "draft" and draft["published_at"] is None
    assert draft["tags"] == ["ideas", "later"]


def test_second_import_skips_everything_and_a_change_updates(app, make_tenant, tmp_path) -> None:
    blog = make_tenant("alice")
    bundle = write(tmp_path, {"hello.md": HELLO, "not-yet.md": DRAFT})
    run_import(app, blog, bundle)
    version, before = content_version(app, blog), posts_of(app, blog)
    report = run_import(app, blog, bundle)
    assert (report.created, report.updated, report.skipped) == (0, 0, 2)
    assert content_version(app, blog) == version and posts_of(app, blog) == before
    write(tmp_path, {"hello.md": HELLO.replace("First *post*.", "Edited.")})
    report = run_import(app, blog, bundle)
    assert (report.created, report.updated, report.skipped) == (0, 1, 1)
    assert posts_of(app, blog)["hello"]["body"] == "# Hello\n\nEdited.\n"
    assert content_version(app, blog) == version + 1


def test_zip_import_ignores_unsafe_and_other_entries(app, make_tenant, tmp_path) -> None:
    blog = make_tenant("alice")
    evil = "---\ntitle: Evil\n---\nescaped\n"
    bundle = zip_of(
        tmp_path / "bundle.zip",
        {
            "posts/hello.md": HELLO,
            "../evil.md": evil,
            "/abs/evil2.md": evil,
            "posts/../../evil3.md": evil,
            "__MACOSX/posts/._hello.md": b"\x00\x05\x16\x07binary",
            "image.png": b"\x89PNG",
            "snippets/sort.md": "---\ntitle: Sort\nlanguage: python\n---\nsorted(x)\n",
        },
    )
    report = run_import(app, blog, bundle)
    assert (report.created, report.errors) == (2, [])  # hello and the snippet
    assert list(posts_of(app, blog)) == ["hello"]


def test_oversized_files_and_bundles_are_refused(app, make_tenant, tmp_path, monkeypatch) -> None:
    blog = make_tenant("alice")
    files = {"small.md": "---\ntitle: Small\n---\n", "big.md": "---\ntitle: Big\n---\n" + "x" * 200}
    bundle = zip_of(tmp_path / "bundle.zip", files)
    monkeypatch.setattr(bundles, "MAX_FILE_BYTES", 100)
    report = run_import(app, blog, bundle)
    assert report.created == 1 and dict(report.errors)["big.md"].startswith("larger than")
    monkeypatch.setattr(bundles, "MAX_BUNDLE_BYTES", 150)
    with pytest.raises(bundles.BundleError, match="larger than"):
        run_import(app, blog, bundle)


def test_bad_files_are_named_and_the_good_ones_still_import(app, make_tenant, tmp_path) -> None:
    blog = make_tenant("alice")
    files = {
        "good.md": "---\ntitle: Good\n---\nfine\n",
        "bad-yaml.md": "---\ntitle: [unclosed\n---\nbody\n",
        "no-title.md": "---\ntags: [a]\n---\nbody\n",
        "no-front-matter.md": "just text\n",
        "bad-date.md": "---\ntitle: When\ndate: next tuesday\n---\n",
        "latin1.md": "---\ntitle: Café\n---\n".encode("latin-1"),
        "bad-slug.md": "---\ntitle: Slug\nslug: Not A Slug\n---\n",
        "snippets.md": "---\ntitle: My snippets\n---\n",
        "twin.md": "---\ntitle: Twin\nslug: good\n---\n",
    }
    report = run_import(app, blog, write(tmp_path, files))
    assert report.created == 1 and list(posts_of(app, blog)) == ["good"]
    errors = dict(report.errors)
    assert set(errors) == set(files) - {"good.md"}
    assert "bad YAML" in errors["bad-yaml.md"]
    assert "title is missing" in errors["no-title.md"]
    assert "no front matter" in errors["no-front-matter.md"]
    assert "next tuesday" in errors["bad-date.md"]
    assert errors["latin1.md"] == "not UTF-8 text"
    assert "Not A Slug" in errors["bad-slug.md"]
    assert "/snippets/ is a page of the blog" in errors["snippets.md"]
    assert "good.md" in errors["twin.md"]


def test_dates_and_draft_flag(app, make_tenant, tmp_path) -> None:
    blog = make_tenant("alice")
    future = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    files = {
        "naive.md": "---\ntitle: Naive\ndate: 2023-01-02 03:04:05\n---\n",
        "day.md": "---\ntitle: Day\ndate: 2023-01-02\n---\n",
        "offset.md": "---\ntitle: Offset\ndate: '2023-01-02T10:00:00+02:00'\n---\n",
        "soon.md": f"---\ntitle: Soon\ndate: {future.isoformat()}\n---\n",
        "kept.md": "---\ntitle: Kept\ndraft: true\ndate: 2022-06-01T00:00:00Z\n---\n",
    }
    report = run_import(app, blog, write(tmp_path, files))
    assert report.errors == []
    posts = posts_of(app, blog)
    assert posts["naive"]["published_at"] == datetime(2023, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert posts["day"]["published_at"] == datetime(2023, 1, 2, tzinfo=UTC)
    assert posts["offset"]["published_at"] == datetime(2023, 1, 2, 8, tzinfo=UTC)
    assert (posts["soon"]["status"], posts["soon"]["published_at"]) == ("scheduled", future)
    assert posts["kept"]["status"] == "draft"
    assert posts["kept"]["published_at"] == datetime(2022, 6, 1, tzinfo=UTC)


def export_zip(app, blog) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with app.app_context():
        export_markdown(db.session.get(Tenant, blog.id), buffer)
    return zipfile.ZipFile(buffer)


def snippets_of(app, blog) -> list[tuple[str, str, str, str]]:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        rows = db.session.execute(
            select(Snippet.slug, Snippet.title, Snippet.language, Snippet.code).order_by(
                Snippet.slug
            )
        )
        return [tuple(row) for row in rows]


def test_export_then_import_into_a_new_blog_reproduces_every_post(
    app, make_tenant, make_post, make_snippet, tmp_path
) -> None:
    alice = make_tenant("alice")
    make_post(alice, "Plain", "Some *text*.\n")
    make_post(alice, "Tagged", "\n\nStarts with blank lines", tags=["Go", "web"], excerpt="Short")
    make_post(alice, "A draft", "wip", status="draft", slug="custom-slug")
    later = datetime.now(UTC) + timedelta(days=2)
    make_post(alice, "Later", "soon", status="scheduled", published_at=later)
    make_snippet(alice, "Hi", "print('hi')\n", language="python")
    archive = export_zip(app, alice)
    assert "snippets/hi.md" in archive.namelist()
    assert archive.read("snippets/hi.md").decode().endswith("---\n\nprint('hi')\n")
    assert "date:" not in archive.read("posts/custom-slug.md").decode()  # never published
    bundle = tmp_path / "alice.zip"
    bundle.write_bytes(archive.fp.getvalue())
    bob = make_tenant("bob")
    report = run_import(app, bob, bundle)
    assert (report.created, report.errors) == (5, [])  # 4 posts, 1 snippet
    assert posts_of(app, bob) == posts_of(app, alice)
    assert snippets_of(app, bob) == snippets_of(app, alice) != []
    # The export is also what alice already has: importing it back changes nothing.
    again = run_import(app, alice, bundle)
    assert (again.skipped, again.updated, again.created) == (5, 0, 0)


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_cli_import_and_export(app, make_tenant, tmp_path) -> None:
    blog = make_tenant("alice")
    bundle = write(tmp_path / "in", {"hello.md": HELLO, "broken.md": "---\ntitle: [\n---\n"})
    result = cli(app, "import", "markdown", "alice", str(bundle))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "created 1, updated 0, skipped 0"
    assert len(lines) == 2 and lines[1].startswith("broken.md: bad YAML")
    with app.app_context(), tenancy.tenant_scope(blog.id):
        owner = db.session.scalar(select(Post.author_id))
        assert owner == db.session.scalar(select(Membership.user_id))
    out = tmp_path / "out.zip"
    result = cli(app, "export", "alice", str(out))
    assert result.exit_code == 0, result.output
    assert zipfile.ZipFile(out).namelist() == ["posts/hello.md", "settings.yaml"]
    result = cli(app, "import", "markdown", "alice", str(out))
    assert (result.exit_code, result.output) == (0, "created 0, updated 0, skipped 1\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("import", "markdown", "ghost", "."), "Error: no blog 'ghost'"),
        (("import", "markdown", "alice", "/no/such/dir"), "Error: /no/such/dir: no such file"),
        (("import", "markdown", "alice", __file__), f"Error: {__file__}: not a folder or a .zip"),
        (("export", "ghost", "x.zip"), "Error: no blog 'ghost'"),
        (("posts", "rerender", "--blog", "ghost"), "Error: no blog 'ghost'"),
    ],
)
def test_cli_errors_are_one_line(app, make_tenant, args, message: str) -> None:
    make_tenant("alice")
    result = cli(app, *args)
    assert result.exit_code == 1
    assert result.output.startswith(message) and len(result.output.splitlines()) == 1


def test_rerender_renders_old_posts_and_bumps_their_blogs(app, make_tenant, make_post) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    old = make_post(alice, "Old", "*old*")
    make_post(bob, "Current", "*new*")
    with app.app_context(), tenancy.tenant_scope(alice.id):
        db.session.get(Post, old).renderer_version, db.session.get(Post, old).body_html = 0, "stale"
        db.session.commit()
    versions = content_version(app, alice), content_version(app, bob)
    result = cli(app, "posts", "rerender")
    assert result.output == "Re-rendered 1 posts.\n"
    assert posts_of(app, alice)["old"]["html"] == '<p dir="auto"><em>old</em></p>'
    assert (content_version(app, alice), content_version(app, bob)) == (
        versions[0] + 1,
        versions[1],
    )
    with app.app_context(), tenancy.tenant_scope(alice.id):
        assert db.session.get(Post, old).renderer_version == RENDERER_VERSION
    assert cli(app, "posts", "rerender", "--blog", "bob").output == "Re-rendered 0 posts.\n"
    assert (
        cli(app, "posts", "rerender", "--blog", "bob", "--all").output == "Re-rendered 1 posts.\n"
    )
    assert content_version(app, bob) == versions[1]  # same HTML: readers see no change


def add_member(app, blog, email: str, role: str) -> None:
    with app.app_context():
        user = new_user(email, PASSWORD)
        db.session.flush()
        db.session.add(Membership(tenant_id=blog.id, user_id=user.id, role=role))
        db.session.commit()


def test_dashboard_download_for_owners_and_editors(
    app, client, auth, make_tenant, make_post
) -> None:
    blog = make_tenant("alice")
    make_post(blog, "Hello", "body")
    add_member(app, blog, "ed@example.com", "editor")
    add_member(app, blog, "au@example.com", "author")
    for email, status in [("ed@example.com", 200), ("au@example.com", 403)]:
        browser = platform_browser(app)
        AuthActions(browser).login(email)
        page = browser.get("/blogs/alice/")
        assert ('href="/blogs/alice/export/"' in page.text) == (status == 200), email
        assert browser.get("/blogs/alice/export/").status_code == status, email
    auth.login(blog.owner_email)
    assert 'href="/blogs/alice/export/options"' in client.get("/blogs/alice/").text
    assert 'action="/blogs/alice/export/"' in client.get("/blogs/alice/export/options").text
    answer = client.get("/blogs/alice/export/")
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert answer.mimetype == "application/zip"
    assert f"filename=alice-export-{today}.zip" in answer.headers["Content-Disposition"]
    assert answer.headers["Content-Disposition"].startswith("attachment")
    names = zipfile.ZipFile(io.BytesIO(answer.data)).namelist()
    assert names == ["posts/hello.md", "settings.yaml"]


def test_thousand_posts_import_and_paginate(app, make_tenant, site_client, tmp_path) -> None:
    blog = make_tenant("alice")
    start = datetime(2020, 1, 1, tzinfo=UTC)
    files = {
        f"post-{n}.md": (
            f"---\ntitle: Post {n}\ndate: {(start + timedelta(hours=n)).isoformat()}\n"
            f"tags: [t{n % 7}, all]\n---\nBody **{n}**.\n"
        )
        for n in range(1000)
    }
    report = run_import(app, blog, write(tmp_path, files))
    assert (report.created, report.errors) == (1000, [])
    reader = site_client(blog)

    def titles(path: str) -> list[str]:
        return re.findall(r'<h2><a href="/post-\d+/">Post (\d+)</a></h2>', reader.get(path).text)

    assert titles("/") == [str(n) for n in range(999, 989, -1)]
    assert titles("/page/57/") == [str(n) for n in range(439, 429, -1)]
    assert titles("/page/100/") == [str(n) for n in range(9, -1, -1)]
    assert reader.get("/page/101/").status_code == 404
    t3 = [n for n in range(999, -1, -1) if n % 7 == 3]  # 143 posts: 15 pages
    assert titles("/tags/t3/page/15/") == [str(n) for n in t3[140:]]
    assert reader.get("/tags/t3/page/16/").status_code == 404
    feed = feedparser.parse(reader.get("/tags/t3/latest.atom").data)
    assert [e.title for e in feed.entries] == [f"Post {n}" for n in t3[:15]]
    feed = feedparser.parse(reader.get("/latest.atom").data)
    assert feed.bozo == 0 and len(feed.entries) == 15 and feed.entries[0].title == "Post 999"
