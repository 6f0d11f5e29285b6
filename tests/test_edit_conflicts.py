"""No silent overwrite (issue #15): a save or autosave from an older revision than the
stored one gets the conflict view, both texts survive, and the merged save goes through."""

import html
import re
import threading

import pytest
from flask import Flask

from fixtures.accounts import AuthActions
from fixtures.app import platform_browser

REVISION = re.compile(r'name="base_revision" type="hidden" value="(\d*)"')


def writer(app: Flask, email: str):
    """A logged-in browser of `email` on the platform."""
    browser = platform_browser(app)
    AuthActions(browser).login(email)
    return browser


def open_editor(browser, url: str) -> dict[str, str]:
    """What the edit page's form sends as it stands: its token and base revision."""
    page = browser.get(url).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    return {"csrf_token": token, "base_revision": REVISION.search(page)[1]}


def stored_post(app: Flask, post_id: int):
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Post
    from inkwell.platform.core.tenancy import across_tenants

    with app.app_context(), across_tenants():
        post = db.session.get(Post, post_id)
        return post.title, post.body_md, [tag.name for tag in post.tags], post.revision


@pytest.fixture
def two_writers(app, make_tenant, add_member):
    """Alice (owner) and Ed (editor) of the blog alice."""
    blog = make_tenant("alice")
    add_member(blog, "ed@example.com", "editor")
    return blog, writer(app, blog.owner_email), writer(app, "ed@example.com")


@pytest.mark.parametrize("status", ["draft", "published"])
def test_second_form_save_gets_the_conflict_view(app, two_writers, make_post, status) -> None:
    blog, alice, ed = two_writers
    post_id = make_post(blog, "Shared", "the first words", status=status, tags=["one"])
    url = f"/blogs/alice/posts/{post_id}/edit"
    alice_form, ed_form = open_editor(alice, url), open_editor(ed, url)
    assert alice_form["base_revision"] == ed_form["base_revision"] == "1"

    alices = {"title": "Shared", "body_md": "Alice's paragraph", "tags": "one", "status": status}
    assert alice.post(url, data={**alice_form, **alices}).status_code == 302
    eds = {"title": "Ed's title", "body_md": "Ed's paragraph", "tags": "two", "status": status}
    answer = ed.post(url, data={**ed_form, **eds})

    assert answer.status_code == 409
    page = html.unescape(answer.text)
    assert "Someone else saved this meanwhile" in page
    assert "Alice's paragraph" in page and "Ed's paragraph" in page  # side by side
    assert 'data-stored="title">Shared<' in page and "Ed's title" in page
    # Ed's text stays in the form, now based on Alice's revision.
    assert re.search(r'<textarea[^>]* name="body_md"[^>]*>\s*Ed\'s paragraph</textarea>', page)
    assert REVISION.search(page)[1] == "2"
    assert stored_post(app, post_id) == ("Shared", "Alice's paragraph", ["one"], 2)

    merged = {**eds, "body_md": "Alice's paragraph\n\nEd's paragraph"}
    again = ed.post(url, data={**ed_form, **merged, "base_revision": "2"})
    assert again.status_code == 302
    title, body, tags, revision = stored_post(app, post_id)
    assert (title, tags, revision) == ("Ed's title", ["two"], 3)
    assert "Alice's paragraph" in body and "Ed's paragraph" in body


def test_autosave_from_an_older_revision_answers_409_with_the_stored_text(
    app, two_writers, make_post
) -> None:
    blog, alice, ed = two_writers
    post_id = make_post(blog, "Draft", "start", status="draft")
    url = f"/blogs/alice/posts/{post_id}/autosave"
    alice_form = open_editor(alice, f"/blogs/alice/posts/{post_id}/edit")
    ed_form = open_editor(ed, f"/blogs/alice/posts/{post_id}/edit")

    def autosave(browser, form: dict[str, str], body: str):
        payload = {"title": "Draft", "body_md": body, "base_revision": form["base_revision"]}
        return browser.post(url, json=payload, headers={"X-CSRFToken": form["csrf_token"]})

    first = autosave(alice, alice_form, "Alice typing")
    assert first.status_code == 200 and first.json["revision"] == 2
    # Alice's tab goes on from the revision its autosave made: no conflict with itself.
    assert (
        autosave(alice, {**alice_form, "base_revision": "2"}, "Alice typing more").json["revision"]
        == 3
    )
    lost = autosave(ed, ed_form, "Ed typing")
    assert lost.status_code == 409
    assert lost.json["conflict"]["body_md"] == "Alice typing more"
    assert lost.json["conflict"]["revision"] == 3
    view = html.unescape(lost.json["conflict_html"])
    assert "Alice typing more" in view and "Ed typing" in view
    assert stored_post(app, post_id)[1] == "Alice typing more"


def test_autosave_of_a_draft_another_tab_published_is_a_conflict(
    app, client, auth, make_tenant, make_post
) -> None:
    blog = make_tenant("alice")
    post_id = make_post(blog, "Soon", "words", status="draft")
    auth.login(blog.owner_email)
    edit = f"/blogs/alice/posts/{post_id}/edit"
    tab_one, tab_two = open_editor(client, edit), open_editor(client, edit)
    published = {**tab_one, "title": "Soon", "body_md": "words", "status": "published"}
    assert client.post(edit, data=published).status_code == 302
    payload = {"title": "Soon", "body_md": "words and more", **tab_two}
    answer = client.post(f"/blogs/alice/posts/{post_id}/autosave", json=payload,
                         headers={"X-CSRFToken": tab_two["csrf_token"]})  # fmt: skip
    assert answer.status_code == 409 and answer.json["conflict"]["status"] == "published"
    assert stored_post(app, post_id)[1] == "words"


def test_a_save_that_changes_nothing_makes_no_revision(app, two_writers, make_post) -> None:
    # Pressing Save on an unchanged post must not push the other writer into a conflict.
    blog, alice, ed = two_writers
    post_id = make_post(blog, "Calm", "same", status="draft")
    url = f"/blogs/alice/posts/{post_id}/edit"
    alice_form, ed_form = open_editor(alice, url), open_editor(ed, url)
    unchanged = {"title": "Calm", "body_md": "same", "status": "draft"}
    assert alice.post(url, data={**alice_form, **unchanged}).status_code == 302
    assert stored_post(app, post_id)[3] == 1
    edited = {**unchanged, "body_md": "changed by Ed"}
    assert ed.post(url, data={**ed_form, **edited}).status_code == 302


def test_an_unreadable_base_revision_is_refused_clearly(client, auth, make_tenant, make_post):
    blog = make_tenant("alice")
    post_id = make_post(blog, "Post", "text", status="draft")
    auth.login(blog.owner_email)
    url = f"/blogs/alice/posts/{post_id}/edit"
    data = {**open_editor(client, url), "title": "Post", "status": "draft", "base_revision": "x"}
    answer = client.post(url, data=data)
    assert answer.status_code == 400 and "reload it" in answer.text


def test_two_saves_at_once_from_one_base_one_wins(app, make_tenant, make_post) -> None:
    # Both load revision 1 and pass the check before either writes: the compare-and-set
    # in the UPDATE decides, on SQLite and PostgreSQL alike.
    from inkwell.platform.core import tenancy
    from inkwell.platform.core.content.conflicts import EditConflict
    from inkwell.platform.core.content.posts import PostInput, save_post
    from inkwell.platform.core.content.revisions import Actor
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Post, Tenant

    blog = make_tenant("alice")
    post_id = make_post(blog, "Race", "base", status="draft")
    both_loaded = threading.Barrier(2, timeout=10)
    outcomes: dict[str, str] = {}

    def save(text: str) -> None:
        with app.app_context(), tenancy.tenant_scope(blog.id):
            post = db.session.get(Post, post_id)
            tenant = db.session.get(Tenant, blog.id)
            base = post.revision
            both_loaded.wait()
            try:
                data = PostInput(title="Race", body_md=text)
                save_post(post, tenant, data, base_revision=base, actor=Actor(text))
                db.session.commit()
                outcomes[text] = "saved"
            except EditConflict as conflict:
                db.session.rollback()
                outcomes[text] = f"conflict with {conflict.stored.body_md}"

    threads = [threading.Thread(target=save, args=(text,)) for text in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    winner = next(text for text, outcome in outcomes.items() if outcome == "saved")
    loser = {"one": "two", "two": "one"}[winner]
    assert outcomes[loser] == f"conflict with {winner}"
    assert stored_post(app, post_id)[1:] == (winner, [], 2)


def test_two_form_saves_at_once_one_wins(app, two_writers, make_post) -> None:
    blog, alice, ed = two_writers
    post_id = make_post(blog, "Race", "base", status="published")
    url = f"/blogs/alice/posts/{post_id}/edit"
    forms = {alice: open_editor(alice, url), ed: open_editor(ed, url)}
    start = threading.Barrier(2, timeout=10)
    statuses: dict[str, int] = {}

    def save(browser, text: str) -> None:
        data = {**forms[browser], "title": "Race", "body_md": text, "status": "published"}
        start.wait()
        statuses[text] = browser.post(url, data=data).status_code

    threads = [threading.Thread(target=save, args=pair) for pair in ((alice, "A"), (ed, "E"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses.values()) == [302, 409]
    winner = next(text for text, status in statuses.items() if status == 302)
    assert stored_post(app, post_id)[1] == winner


def test_settings_conflict_between_two_owners(app, make_tenant, add_member) -> None:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant

    blog = make_tenant("alice")
    add_member(blog, "co@example.com", "owner")
    alice, co = writer(app, blog.owner_email), writer(app, "co@example.com")
    url = "/blogs/alice/settings"
    alice_form, co_form = open_editor(alice, url), open_editor(co, url)
    mine = {"title": "Alice's Notes", "description": "About me", "code_style": "default"}
    assert alice.post(url, data={**alice_form, **mine}).status_code == 302
    theirs = {"title": "Co's Notes", "description": "About us", "code_style": "monokai"}
    answer = co.post(url, data={**co_form, **theirs})
    assert answer.status_code == 409
    page = html.unescape(answer.text)
    assert "Alice's Notes" in page and "Co's Notes" in page and "About us" in page
    assert REVISION.search(page)[1] == "2"
    with app.app_context():
        tenant = db.session.get(Tenant, blog.id)
        assert (tenant.title, tenant.code_style) == ("Alice's Notes", "default")
    merged = co.post(url, data={**co_form, **theirs, "base_revision": "2"})
    assert merged.status_code == 302
    with app.app_context():
        assert db.session.get(Tenant, blog.id).title == "Co's Notes"


def test_one_owner_saves_settings_again_and_again(client, auth, make_tenant) -> None:
    # Each save starts from the revision the last one made: never a conflict with oneself.
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    for revision, title in enumerate(("One", "Two", "Three"), start=1):
        form = open_editor(client, "/blogs/alice/settings")
        assert form["base_revision"] == str(revision)
        answer = client.post("/blogs/alice/settings", data={**form, "title": title})
        assert answer.status_code == 302


def test_a_save_landing_during_a_delete_keeps_the_post(app, make_tenant, make_post) -> None:
    from inkwell.platform.core import tenancy
    from inkwell.platform.core.content.conflicts import EditConflict
    from inkwell.platform.core.content.posts import PostInput, delete_post, save_post
    from inkwell.platform.core.content.revisions import Actor
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Post, Tenant

    blog = make_tenant("alice")
    post_id = make_post(blog, "Race", "base", status="draft")
    with app.app_context(), tenancy.tenant_scope(blog.id):
        loaded = db.session.get_one(Post, post_id)
        tenant = db.session.get_one(Tenant, blog.id)
        with app.app_context(), tenancy.tenant_scope(blog.id):  # a co-author's save, meanwhile
            other = db.session.get_one(Post, post_id)
            data = PostInput(title="Race", body_md="newer words")
            save_post(other, db.session.get_one(Tenant, blog.id), data, actor=Actor("co"))
            db.session.commit()
        with pytest.raises(EditConflict):
            delete_post(loaded, tenant, actor=Actor("me"))
        db.session.rollback()
    with app.app_context(), tenancy.tenant_scope(blog.id):
        assert db.session.get_one(Post, post_id).body_md == "newer words"
