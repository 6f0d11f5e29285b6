"""Who else has a post open in the editor: shown, never blocking, gone a minute
after the last heartbeat, and only ever within one blog."""

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import text

from fixtures.accounts import AuthActions
from fixtures.app import csrf_token, platform_browser

ALICE_TAB, ED_TAB, ALICE_OTHER_TAB = "a" * 32, "e" * 32, "b" * 32


@pytest.fixture
def shared_post(app, make_tenant, add_member, make_post):
    """A draft of alice's blog, its editor URL, and browsers of Alice and of Ed (editor);
    the blog also has an author, au@example.com."""
    blog = make_tenant("alice")
    add_member(blog, "ed@example.com", "editor")
    add_member(blog, "au@example.com", "author")
    post_id = make_post(blog, "Shared", "words", status="draft")
    browsers = []
    for email in (blog.owner_email, "ed@example.com"):
        browser = platform_browser(app)
        AuthActions(browser).login(email)
        browsers.append(browser)
    return f"/blogs/alice/posts/{post_id}", *browsers


def shown(browser, url: str) -> str:
    """The page's words, without tags."""
    words = re.sub(r"<[^>]+>", "", html.unescape(browser.get(url).text))
    return " ".join(words.split())


def beat(browser, post_url: str, tab: str, **extra):
    token = csrf_token(browser, f"{post_url}/edit")
    return browser.post(f"{post_url}/presence", json={"tab": tab, **extra},
                        headers={"X-CSRFToken": token})  # fmt: skip


def test_the_editor_shows_who_else_has_the_post_open(shared_post) -> None:
    post_url, alice, ed = shared_post
    alone = beat(alice, post_url, ALICE_TAB)
    assert alone.status_code == 200 and alone.json["others"] == []

    assert "alice@example.com has had this post open since" in shown(ed, f"{post_url}/edit")
    answer = beat(ed, post_url, ED_TAB)
    [alice_there] = answer.json["others"]
    assert (alice_there["email"], alice_there["mine"]) == ("alice@example.com", False)
    assert "has had this post open since" in answer.json["html"]

    # Ed is shown to Alice in turn; editing stays open to both.
    [ed_there] = beat(alice, post_url, ALICE_TAB).json["others"]
    assert ed_there["email"] == "ed@example.com"
    assert ed.get(f"{post_url}/edit").status_code == 200


def test_a_second_tab_of_the_same_writer_is_named_as_such(shared_post) -> None:
    post_url, alice, _ed = shared_post
    beat(alice, post_url, ALICE_TAB)
    [other_tab] = beat(alice, post_url, ALICE_OTHER_TAB).json["others"]
    assert other_tab["mine"] is True
    assert "also have this post open in another tab" in shown(alice, f"{post_url}/edit")


def test_presence_expires_without_heartbeat_and_ends_on_leaving(shared_post, monkeypatch):
    from inkwell.platform.core.content import presence
    from inkwell.platform.core.types import utcnow

    post_url, alice, ed = shared_post
    beat(alice, post_url, ALICE_TAB)
    start = utcnow()
    monkeypatch.setattr(presence, "utcnow", lambda: start + timedelta(seconds=50))
    assert len(beat(ed, post_url, ED_TAB).json["others"]) == 1  # still within the minute
    monkeypatch.setattr(presence, "utcnow", lambda: start + timedelta(seconds=61))
    assert beat(ed, post_url, ED_TAB).json["others"] == []
    assert "has had this post open" not in shown(ed, f"{post_url}/edit")

    beat(alice, post_url, ALICE_TAB)
    assert len(beat(ed, post_url, ED_TAB).json["others"]) == 1
    leaving = beat(alice, post_url, ALICE_TAB, leaving="1")  # pagehide
    assert leaving.status_code == 200, leaving.json
    assert beat(ed, post_url, ED_TAB).json["others"] == []


def test_bad_heartbeats_are_refused_clearly(shared_post, app, make_tenant, make_post) -> None:
    post_url, alice, _ed = shared_post
    for tab in ("short", "Z" * 32, 42, None):
        answer = beat(alice, post_url, tab)
        assert answer.status_code == 400 and "32 hexadecimal digits" in answer.json["error"]
    no_token = alice.post(f"{post_url}/presence", json={"tab": ALICE_TAB})
    assert no_token.status_code == 400 and "expired" in no_token.json["error"]
    # Another blog's post is not found from this blog, and shows nobody.
    bob = make_tenant("bob")
    bobs_post = make_post(bob, "Bob's", "x", status="draft")
    token = csrf_token(alice, f"{post_url}/edit")
    foreign = alice.post(f"/blogs/alice/posts/{bobs_post}/presence", json={"tab": ALICE_TAB},
                         headers={"X-CSRFToken": token})  # fmt: skip
    assert foreign.status_code == 404


def test_authors_get_no_presence_of_posts_they_cannot_edit(shared_post, app) -> None:
    post_url, alice, _ed = shared_post
    beat(alice, post_url, ALICE_TAB)
    author = platform_browser(app)
    AuthActions(author).login("au@example.com")
    token = csrf_token(author, "/blogs/alice/posts/new")
    answer = author.post(f"{post_url}/presence", json={"tab": ED_TAB},
                         headers={"X-CSRFToken": token})  # fmt: skip
    assert answer.status_code == 403


def test_presence_rows_are_under_row_level_security(app) -> None:
    from inkwell.platform.core.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row-level security is PostgreSQL's")
        with db.engine.connect() as connection:
            forced = connection.execute(
                text("SELECT relforcerowsecurity FROM pg_class WHERE relname = 'editor_presence'")
            ).scalar()
            policies = connection.execute(
                text("SELECT count(*) FROM pg_policies WHERE tablename = 'editor_presence'")
            ).scalar()
    assert forced and policies == 1
