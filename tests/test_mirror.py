"""Static mirrors published to a local folder (the embedded default): what is in
them, what a change re-uploads, and the publish queue's one-at-a-time rule."""

from datetime import timedelta

import feedparser
import pytest

from fixtures.mirrors import broken_links, edit_post, post_id, publish, read_folder, stylesheets
from inkwell.platform.core.types import utcnow

PYTHON = "```python\ndef greet(name):\n    return f'hello {name}'\n```\n"


@pytest.fixture
def blog(make_tenant, make_post, make_snippet):
    blog = make_tenant("alice")
    for n in range(12):
        tags = ["python"] if n % 2 else ["notes", "python"]
        make_post(blog, f"Post {n}", f"Body {n}\n\n{PYTHON}", tags=tags)
    make_post(blog, "Secret draft", "not yet", status="draft")
    later = utcnow() + timedelta(days=1)
    make_post(blog, "Future post", "soon", status="scheduled", published_at=later)
    make_snippet(blog, "Greeting", "print('hi')", language="python")
    make_post(blog, "About", "Who writes here.", is_page=True)
    return blog


def uuid_of(app, blog) -> str:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant

    with app.app_context():
        return str(db.session.get_one(Tenant, blog.id).uuid)


def test_a_mirror_holds_every_public_page_and_nothing_else(app, blog, mirror_root) -> None:
    [run] = publish(app, blog.id)
    assert run.status == "succeeded" and run.full and run.error == ""
    files = read_folder(mirror_root / uuid_of(app, blog))
    assert run.pages_built == run.uploaded == len(files)
    for page in ("index.html", "page/2/index.html", "post-0/index.html", "about/index.html",
                 "tags/python/index.html", "tags/python/page/2/index.html",
                 "tags/notes/latest.atom", "latest.atom", "sitemap.xml", "robots.txt",
                 "rss.xml", "feed.json", "tags/notes/rss.xml", "tags/notes/feed.json",
                 "snippets/index.html", "snippets/greeting/index.html"):  # fmt: skip
        assert page in files, page
    everything = b"".join(files.values())
    assert b"Secret draft" not in everything and b"Future post" not in everything
    assert broken_links(files) == []
    # Styles and highlighted code travel with the pages, under hashed names.
    home = files["index.html"]
    assert all(link.startswith("assets/") for link in stylesheets(home))
    assert b'<span class="k">def</span>' in files["post-0/index.html"]
    feed = feedparser.parse(files["latest.atom"])
    assert feed.bozo == 0 and len(feed.entries) == 12
    assert feed.entries[0].link == "http://alice.blogs.test/post-11/"  # canonical, absolute


def edited(app, blog, mirror_root, slug: str, **changes):
    """Publish, edit the post `slug`, publish again: the run and the mirror before and after."""
    publish(app, blog.id)
    root = mirror_root / uuid_of(app, blog)
    before = read_folder(root)
    edit_post(app, blog.id, post_id(app, blog.id, slug), **changes)
    [run] = publish(app, blog.id)
    return run, before, read_folder(root)


def test_an_edit_rebuilds_and_uploads_only_what_it_touches(app, blog, mirror_root) -> None:
    run, before, after = edited(app, blog, mirror_root, "post-3", body_md="A better body")
    changed = {path for path in after if before.get(path) != after[path]}
    assert run.status == "succeeded" and not run.full
    assert run.uploaded == len(changed) and run.pages_built < 15
    assert "post-3/index.html" in changed and b"A better body" in after["post-3/index.html"]
    assert changed <= {
        "post-3/index.html",
        "index.html",  # post-3 is the 9th newest: on the first page
        "tags/python/index.html",
        "tags/python/latest.atom",
        "tags/python/rss.xml",
        "tags/python/feed.json",
        "latest.atom",
        "rss.xml",
        "feed.json",
        "sitemap.xml",
        "search/posts.js",  # the mirror's search index holds every post's text
    }
    assert set(after) == set(before)


def test_renaming_a_recent_post_rebuilds_the_post_pages_that_list_it(
    app, blog, mirror_root
) -> None:
    run, before, after = edited(app, blog, mirror_root, "post-9", title="Renamed recently")
    # Every post page and page shows the recent-posts block with the new title ...
    pages = [path for path in after if path.count("/") == 1 and path.endswith("/index.html")]
    post_pages = [path for path in pages if path.startswith(("post-", "about/"))]
    assert len(post_pages) == 13
    assert all(b"Renamed recently" in after[path] for path in post_pages)
    # ... the second index page, the snippets and the tag pages post-9 is not on do
    # not, and are not rebuilt (a full rebuild, as before, built all 37 files).
    untouched = ["page/2/index.html", "snippets/index.html", "tags/notes/index.html"]
    assert all(after[path] == before[path] for path in untouched)
    assert not run.full and run.pages_built == run.pages_total < len(after) == 37
    [full] = publish(app, blog.id, full=True)
    assert full.uploaded == 0  # what the rename built is what a full build makes


def test_moving_pages_rebuilds_everything_and_stale_keys_go(app, blog, mirror_root, make_post):
    publish(app, blog.id)
    root = mirror_root / uuid_of(app, blog)
    from inkwell.platform.core import tenancy
    from inkwell.platform.core.content.posts import delete_post
    from inkwell.platform.core.content.revisions import Actor
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Post, Tenant

    with app.app_context(), tenancy.tenant_scope(blog.id):
        post = db.session.query(Post).filter(Post.slug == "post-0").one()
        delete_post(post, db.session.get_one(Tenant, blog.id), actor=Actor("editor"))
        db.session.commit()
    [run] = publish(app, blog.id)
    files = read_folder(root)
    # Every page rebuilt, yet no full publish (test_flows): only what changed went up.
    assert not run.full and run.pages_built == run.pages_total and run.deleted == 1
    assert "post-0/index.html" not in files
    assert b"post-0" not in files["sitemap.xml"] and broken_links(files) == []


def test_a_build_that_would_empty_the_mirror_needs_force(
    app, blog, mirror_root, monkeypatch
) -> None:
    from inkwell.tenants.mirror import pages

    publish(app, blog.id)
    root = mirror_root / uuid_of(app, blog)
    count = len(read_folder(root))
    every = pages.all_pages  # a broken build: its pages are gone, the posts are not
    monkeypatch.setattr(pages, "all_pages", lambda *a: {u for u in every(*a) if "/assets/" in u})
    [refused] = publish(app, blog.id, full=True)
    assert refused.status == "refused" and "force" in refused.error
    assert len(read_folder(root)) == count  # the old mirror still serves, whole
    [forced] = publish(app, blog.id, force=True)
    assert forced.status == "succeeded" and forced.deleted > count / 2
    assert "post-3/index.html" not in read_folder(root)


def test_requests_during_a_publish_make_one_follow_up(app, blog, mirror_root) -> None:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.publishing import mirrors
    from inkwell.workers.publish import run_requested

    seen = []

    def meanwhile(run) -> None:
        if not seen:  # while the first publish runs: two more requests, another worker
            seen.append(run.id)
            mirrors.request_publish(blog.id)
            mirrors.request_publish(blog.id)
            db.session.commit()
            assert run_requested(blog.id) == []  # the lock is held: nothing runs twice

    with app.app_context():
        mirrors.request_publish(blog.id)
        db.session.commit()
        runs = run_requested(blog.id, meanwhile)
        assert [run.status for run in runs] == ["succeeded", "succeeded"]
        assert run_requested(blog.id) == []  # nothing left open


def test_publishing_stays_under_the_blogs_own_prefix(app, blog, make_tenant, make_post,
                                                      mirror_root) -> None:  # fmt: skip
    bob = make_tenant("bob")
    make_post(bob, "Bob's post", "hello")
    publish(app, blog.id)
    publish(app, bob.id)
    assert sorted(p.name for p in mirror_root.iterdir()) == sorted(
        [uuid_of(app, blog), uuid_of(app, bob)]
    )
    bobs = read_folder(mirror_root / uuid_of(app, bob))
    assert b"Post 3" not in b"".join(bobs.values())

    from inkwell.platform.core.storage import open_area

    target = open_area(app.config, "mirror", bob.id)  # any id: the key is what is checked
    for key in ("../escape.html", "/etc/passwd", "a/../../b", "a//b", ""):
        with pytest.raises(ValueError, match="prefix"):
            target.put(key, mirror_root / "x", "text/plain", "no-cache")


def test_changes_publish_the_mirror_by_themselves_once_quiet(
    app, blog, mirror_root, wall_clock, monkeypatch
) -> None:
    # The configured debounce, on a stopped clock: edits of one burst are one
    # publish, a second's quiet after the last of them (a reader's mirror is about
    # a second behind the save, plus a dispatch interval and the publish).
    from inkwell.workers import publish as jobs

    debounce, home = app.config["MIRROR_DEBOUNCE"], mirror_root / uuid_of(app, blog) / "index.html"
    assert 0.5 <= debounce <= 1.0
    with app.app_context():
        assert jobs.dispatch(jobs.send) == 1  # the blog's first mirror; no broker: run here
        assert jobs.dispatch(jobs.send) == 0  # up to date
    post = post_id(app, blog.id, "post-11")
    edit_post(app, blog.id, post, title="Post eleven")
    wall_clock.advance(debounce * 0.8)
    edit_post(app, blog.id, post, title="Post eleven, again")  # the burst goes on
    wall_clock.advance(debounce * 0.8)
    with app.app_context():
        assert jobs.dispatch(jobs.send) == 0  # quiet for less than the debounce
    assert b"Post 11" in home.read_bytes()
    wall_clock.advance(debounce * 0.21)
    with app.app_context():
        assert jobs.dispatch(jobs.send) == 1  # one publish for the burst
        assert jobs.dispatch(jobs.send) == 0
    assert b"Post eleven, again" in home.read_bytes()
    monkeypatch.setitem(app.config, "MIRROR_AUTO_PUBLISH", False)
    edit_post(app, blog.id, post, title="Post 11 again")
    wall_clock.advance(debounce * 2)
    with app.app_context():
        assert jobs.dispatch(jobs.send) == 0
    assert b"Post eleven, again" in home.read_bytes()


def test_the_scheduler_publishes_stale_mirrors(app, blog, mirror_root, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "MIRROR_DEBOUNCE", 0)
    result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0 and "1 mirror publishes started" in result.output
    assert (mirror_root / uuid_of(app, blog) / "post-3" / "index.html").exists()


def test_publish_command(app, blog, mirror_root) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["publish", "alice"])
    assert result.exit_code == 0, result.output
    assert "alice: succeeded (full): pages 37, uploaded 37, skipped 0, deleted 0" in result.output
    again = runner.invoke(args=["publish", "alice", "--full"])
    assert "alice: succeeded (full): pages 37, uploaded 0, skipped 37" in again.output
    missing = runner.invoke(args=["publish", "alice", "nope"])
    assert missing.exit_code == 1 and "no blog 'nope'" in missing.output
    assert runner.invoke(args=["publish"]).exit_code == 2  # a blog or --all


def test_dashboard_publishes_and_shows_progress(app, client, auth, blog, add_member,
                                               mirror_root) -> None:  # fmt: skip
    from fixtures.accounts import AuthActions
    from fixtures.app import platform_browser, post_form
    from inkwell.workers import publish as jobs

    auth.login(blog.owner_email)
    page = client.get("/blogs/alice/mirror/").text
    assert "Not published yet" in page and "Publish mirror" in page
    answer = post_form(client, "/blogs/alice/mirror/publish", {"full": "y"}, "/blogs/alice/mirror/")
    assert answer.status_code == 303
    queued = {"queued": True, "held": None, "run": None}
    assert client.get("/blogs/alice/mirror/status.json").json == queued
    with app.app_context():
        jobs.dispatch(jobs.send)
    state = client.get("/blogs/alice/mirror/status.json").json
    assert state["queued"] is False and state["run"]["status"] == "succeeded"
    assert state["run"]["pages_built"] == state["run"]["pages_total"] == 37  # 12 posts, 25 more
    history = client.get("/blogs/alice/mirror/").text
    assert "<td>Full rebuild</td>\n      <td>succeeded</td>" in history

    writer = platform_browser(app)
    AuthActions(writer).login(add_member(blog, "writer@example.com", "author"))
    assert "Publish mirror" not in writer.get("/blogs/alice/mirror/").text
    refused = post_form(writer, "/blogs/alice/mirror/publish", {}, "/blogs/alice/posts/new")
    assert refused.status_code == 403


def test_a_full_publish_repairs_a_mirror_changed_behind_its_back(app, blog, mirror_root) -> None:
    import shutil

    publish(app, blog.id)
    root = mirror_root / uuid_of(app, blog)
    count = len(read_folder(root))
    (root / "post-3" / "index.html").unlink()
    (root / "stray.html").write_text("left by hand")
    [quick] = publish(app, blog.id)  # changes only: trusts what it published
    assert (quick.full, quick.pages_built, quick.uploaded) == (False, 4, 0) and not (
        root / "post-3" / "index.html"
    ).exists()
    [full] = publish(app, blog.id, full=True)
    assert full.uploaded == 1 and full.deleted == 1
    assert (root / "post-3" / "index.html").exists() and not (root / "stray.html").exists()
    shutil.rmtree(root)
    [again] = publish(app, blog.id, full=True)
    assert again.uploaded == count == len(read_folder(root))


def test_pages_read_from_memory_equal_pages_read_from_the_database(app, blog, tmp_path) -> None:
    from inkwell.tenants.mirror.freeze import BlogFreezer

    config = dict(app.config)
    with BlogFreezer(blog.id, tmp_path / "memory", config) as preloaded:
        plan = preloaded.plan(None, full=True)
        list(preloaded.build(plan.urls))
    with BlogFreezer(blog.id, tmp_path / "database", config) as live:
        live.app.config["FREEZER_BASE_URL"] = preloaded.app.config["FREEZER_BASE_URL"]
        list(live.build(plan.urls))
    memory, database = read_folder(tmp_path / "memory"), read_folder(tmp_path / "database")
    assert len(memory) == len(plan.urls)
    assert [path for path in memory if memory[path] != database.get(path)] == []


def test_comments_on_the_mirror_are_keyed_by_the_canonical_url(app, blog, mirror_root,
                                                               change_blog) -> None:  # fmt: skip
    change_blog(blog, comments_provider="discourse", comments_target="https://forum.example.com")
    publish(app, blog.id)
    page = (mirror_root / uuid_of(app, blog) / "post-4" / "index.html").read_text()
    assert 'data-target="https://forum.example.com/"' in page
    assert 'data-url="http://alice.blogs.test/post-4/"' in page
    assert '<script src="../assets/comments.' in page  # frozen with the other assets
    assert '<link rel="canonical" href="http://alice.blogs.test/post-4/">' in page


def test_forked_builds_equal_one_process_builds_and_report_failures(app, blog, tmp_path) -> None:
    from inkwell.tenants.mirror.forking import ChildFailed
    from inkwell.tenants.mirror.freeze import BlogFreezer

    config = dict(app.config)
    built = {}
    for processes in (1, 2):
        with BlogFreezer(blog.id, tmp_path / str(processes), config) as freezer:
            plan = freezer.plan(None, full=True)
            built[processes] = sorted(freezer.build(plan.urls, processes), key=str)
    assert built[1] == built[2] and len(built[2]) == len(plan.urls)
    assert read_folder(tmp_path / "1") == read_folder(tmp_path / "2")
    with BlogFreezer(blog.id, tmp_path / "broken", config) as freezer:
        plan = freezer.plan(None, full=True)
        with pytest.raises(ChildFailed, match="404"):
            list(freezer.build([*plan.urls, "/no-such-post/"], processes=2))
