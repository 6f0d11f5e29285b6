"""Post revisions (issue #15): every change keeps the post as it became, with who
made it and how; members compare and restore revisions; owners bring deleted
posts back."""

import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import delete, inspect, select, text, update

from fixtures.accounts import AuthActions
from fixtures.app import platform_browser, post_form
from fixtures.blogs import purge_blog
from inkwell.platform.core import tenancy
from inkwell.platform.core.content.diffs import word_diff
from inkwell.platform.core.content.posts import publish_due
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits.usage import stored_size, usage
from inkwell.platform.core.models import Post, PostRevision, Quota, Tenant, User
from inkwell.platform.core.portability.markdown_io import import_markdown
from inkwell.platform.core.types import utcnow


def history_of(app, blog, post_id: int) -> list[PostRevision]:
    """The post's revisions, newest first (detached, every column loaded)."""
    with app.app_context(), tenancy.tenant_scope(blog.id):
        query = select(PostRevision).where(PostRevision.post_id == post_id)
        rows = list(db.session.scalars(query.order_by(PostRevision.id.desc())))
        db.session.expunge_all()
        return rows


def post_of(app, blog, slug: str) -> Post:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        post = db.session.scalars(select(Post).where(Post.slug == slug)).one()
        post.tags  # noqa: B018 - loaded before the session goes
        db.session.expunge_all()
        return post


def write_post(client, blog, **fields) -> Post:
    """Save a post through the dashboard's editor (new, or `post_id`'s edit page)."""
    post_id = fields.pop("post_id", None)
    posts = f"/blogs/{blog.subdomain}/posts"
    url = f"{posts}/{post_id}/edit" if post_id else f"{posts}/new"
    answer = post_form(client, url, {"status": "draft", **fields})
    assert answer.status_code == 302, answer.text
    return answer


def second_browser(app, email: str):
    browser = platform_browser(app)
    AuthActions(browser).login(email)
    return browser


def test_each_save_keeps_a_revision_naming_who_and_when(app, client, auth, make_tenant) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    write_post(client, blog, title="Notes", body_md="one")
    post = post_of(app, blog, "notes")
    write_post(client, blog, post_id=post.id, title="Notes", body_md="two", status="published")
    # Saving again without a change keeps no revision.
    write_post(client, blog, post_id=post.id, title="Notes", body_md="two", status="published")

    newest, first = history_of(app, blog, post.id)
    assert (first.kind, first.body_md, first.status) == ("save", "one", "draft")
    assert (newest.kind, newest.body_md, newest.status) == ("publish", "two", "published")
    with app.app_context():
        alice = db.session.scalars(select(User).where(User.email == blog.owner_email)).one()
    for revision in (first, newest):
        assert (revision.actor, revision.user_id) == ("alice@example.com", alice.id)
    assert first.created_at <= newest.created_at <= utcnow()

    page = client.get(f"/blogs/alice/posts/{post.id}/history")
    assert page.status_code == 200
    assert "Published" in page.text and "Saved" in page.text and "alice@example.com" in page.text
    assert f"/blogs/alice/posts/{post.id}/history" in client.get("/blogs/alice/").text
    assert (
        f"/blogs/alice/posts/{post.id}/history"
        in client.get(f"/blogs/alice/posts/{post.id}/edit").text
    )


def test_autosaves_coalesce_per_person_within_minutes(
    app, client, auth, make_tenant, add_member
) -> None:
    blog = make_tenant("alice")
    editor = second_browser(app, add_member(blog, "ed@example.com", "editor"))
    auth.login(blog.owner_email)
    tokens = {id(b): csrf_of(b, "/blogs/alice/posts/new") for b in (client, editor)}

    def autosave(browser, body: str, post_id: int | None = None) -> int:
        url = f"/blogs/alice/posts/{post_id}/autosave" if post_id else "/blogs/alice/posts/autosave"
        headers = {"X-CSRFToken": tokens[id(browser)]}
        answer = browser.post(url, json={"title": "WIP", "body_md": body}, headers=headers)
        assert answer.status_code == 200, answer.json
        return answer.json["id"]

    post_id = autosave(client, "one")
    autosave(client, "one two", post_id)
    [only] = history_of(app, blog, post_id)
    assert (only.kind, only.body_md) == ("autosave", "one two")

    with app.app_context(), tenancy.tenant_scope(blog.id):  # six minutes pass
        db.session.get_one(PostRevision, only.id).created_at -= timedelta(minutes=6)
        db.session.commit()
    autosave(client, "one two three", post_id)
    autosave(editor, "one two three four", post_id)  # another person: a revision of their own
    bodies = [(r.actor, r.body_md) for r in history_of(app, blog, post_id)]
    assert bodies == [
        ("ed@example.com", "one two three four"),
        ("alice@example.com", "one two three"),
        ("alice@example.com", "one two"),
    ]


def test_restore_brings_back_an_old_revision_as_a_new_one(app, client, auth, make_tenant) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    write_post(client, blog, title="First title", body_md="Old words", tags="alpha, beta")
    post = post_of(app, blog, "first-title")
    write_post(client, blog, post_id=post.id, title="Second title", body_md="New", tags="gamma")
    old = history_of(app, blog, post.id)[-1]

    compare = f"/blogs/alice/posts/{post.id}/history/{old.id}"
    answer = post_form(client, f"{compare}/restore", {}, form_url=compare)
    assert answer.status_code == 302
    restored = post_of(app, blog, "first-title")  # the address stays
    assert (restored.title, restored.body_md) == ("First title", "Old words")
    assert [tag.name for tag in restored.tags] == ["alpha", "beta"]
    newest, second, _first = history_of(app, blog, post.id)
    assert (newest.kind, newest.body_md, newest.actor) == ("restore", "Old words", blog.owner_email)
    assert second.title == "Second title"  # the replaced text stays in the history
    assert "Restored the text of" in client.get(answer.location).text


def test_compare_shows_word_changes_and_escapes_everything(app, client, auth, make_tenant) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    body = "The quick brown fox <script>alert(1)</script>\nSecond line stays.\n"
    write_post(client, blog, title="Tom & Jerry", body_md=body, slug="cartoon")
    post = post_of(app, blog, "cartoon")
    changed = body.replace("quick", "slow").replace("alert(1)", "alert(2)")
    write_post(client, blog, post_id=post.id, title="Tom & <b>Jerry</b>", body_md=changed,
               slug="cartoon", tags="عربي")  # fmt: skip
    old = history_of(app, blog, post.id)[-1]

    page = client.get(f"/blogs/alice/posts/{post.id}/history/{old.id}").text
    assert "The <del>quick</del><ins>slow</ins> brown fox" in page
    assert "alert(<del>1</del><ins>2</ins>)" in page and "Second line stays." in page
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;" in page and "&lt;b&gt;" in page
    assert "<dt>Title</dt>" in page and "<dt>Tags</dt>" in page and "<ins>عربي</ins>" in page


def test_word_diff_marks_only_the_changed_words() -> None:
    assert word_diff("a b c", "a x c") == "a <del>b</del><ins>x</ins> c"
    assert word_diff("keep\n", "keep\nadded <i>\n") == "keep\n<ins>added &lt;i&gt;\n</ins>"
    assert word_diff("same", "same") == "same"


def test_revisions_count_toward_storage_and_a_save_past_it_is_refused(
    app, client, auth, make_tenant
) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    write_post(client, blog, title="Big", body_md="x" * 400)
    post = post_of(app, blog, "big")
    with app.app_context():
        used = usage([blog.id])[blog.id].storage_bytes
        assert used == stored_size(post.body_md, post.body_html) + stored_size("Big", "x" * 400)
        db.session.merge(Quota(tenant_id=blog.id, storage_bytes=used + 300))
        db.session.commit()

    # The post's own bytes do not grow; its new revision (~400 bytes) would.
    edit = f"/blogs/alice/posts/{post.id}/edit"
    refused = post_form(client, edit, {"title": "Big", "body_md": "y" * 400, "status": "draft"})
    assert refused.status_code == 403 and "storage limit" in refused.text
    assert post_of(app, blog, "big").body_md == "x" * 400
    assert len(history_of(app, blog, post.id)) == 1
    assert (
        "This history takes 403 bytes" in client.get(f"/blogs/alice/posts/{post.id}/history").text
    )


def test_deleted_post_comes_back_for_owners_only(
    app, client, auth, make_tenant, add_member, site_client
) -> None:
    blog = make_tenant("alice")
    ann = second_browser(app, add_member(blog, "ann@example.com", "author"))
    write_post(ann, blog, title="Ann's post", body_md="Kept words", status="published")
    post = post_of(app, blog, "ann-s-post")
    delete = post_form(ann, f"/blogs/alice/posts/{post.id}/delete", {}, form_url="/blogs/alice/")
    assert delete.status_code == 302
    assert site_client(blog).get("/ann-s-post/").status_code == 404
    assert ann.get("/blogs/alice/deleted").status_code == 403
    refused = ann.post(f"/blogs/alice/deleted/{post.uuid}/restore",
                       data={"csrf_token": csrf_of(ann, "/blogs/alice/")})  # fmt: skip
    assert refused.status_code == 403

    auth.login(blog.owner_email)
    listing = client.get("/blogs/alice/deleted").text
    assert "Ann&#39;s post" in listing and "ann@example.com" in listing
    write_post(client, blog, title="Ann's post")  # takes the old address meanwhile
    back = post_form(client, f"/blogs/alice/deleted/{post.uuid}/restore", {},
                     form_url="/blogs/alice/deleted")  # fmt: skip
    assert back.status_code == 302
    assert "at /ann-s-post-2/" in client.get(back.location).text
    restored = post_of(app, blog, "ann-s-post-2")
    assert (restored.uuid, restored.body_md, restored.status) == (post.uuid, "Kept words", "draft")
    assert restored.author_id == post.author_id  # still Ann's to edit
    kinds = [r.kind for r in history_of(app, blog, restored.id)]
    assert kinds == ["restore", "delete", "publish"]
    assert "Ann&#39;s post" not in client.get("/blogs/alice/deleted").text


def csrf_of(browser, url: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', browser.get(url).text)[1]


def test_authors_see_the_history_of_their_own_posts_only(
    app, client, make_tenant, make_post, add_member
) -> None:
    blog = make_tenant("alice")
    post_id = make_post(blog, "Owner's post", "text")
    ann = second_browser(app, add_member(blog, "ann@example.com", "author"))
    [revision] = history_of(app, blog, post_id)
    assert ann.get(f"/blogs/alice/posts/{post_id}/history").status_code == 403
    assert ann.get(f"/blogs/alice/posts/{post_id}/history/{revision.id}").status_code == 403


def test_import_replacing_a_post_from_before_history_keeps_its_text(
    app, make_tenant, make_post, tmp_path: Path
) -> None:
    blog = make_tenant("alice")
    post_id = make_post(blog, "Hello", "Words from before history")
    with app.app_context(), tenancy.tenant_scope(blog.id):  # as if made before revisions existed
        db.session.execute(delete(PostRevision))
        db.session.commit()
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "hello.md").write_text("---\ntitle: Hello\n---\nImported words\n")
    with app.app_context():
        report = import_markdown(db.session.get(Tenant, blog.id), None, tmp_path)
    assert report.updated == 1
    imported, baseline = history_of(app, blog, post_id)
    assert (imported.kind, imported.actor, imported.body_md) == (
        "import",
        "import",
        "Imported words\n",
    )
    assert (baseline.kind, baseline.body_md) == ("baseline", "Words from before history")


def test_scheduler_publish_leaves_a_scheduler_revision(app, make_tenant, make_post) -> None:
    blog = make_tenant("alice")
    due = utcnow() + timedelta(minutes=1)
    post_id = make_post(blog, "Due", "soon", status="scheduled", published_at=due)
    with app.app_context():
        assert publish_due(now=due + timedelta(minutes=1)) == 1
    went_live, scheduled = history_of(app, blog, post_id)
    assert (went_live.kind, went_live.actor, went_live.status) == (
        "scheduler",
        "scheduler",
        "published",
    )
    assert scheduled.status == "scheduled"


def test_another_blogs_revisions_are_not_found(app, client, auth, make_tenant, make_post) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    post_id = make_post(alice, "Private", "alice's words")
    [revision] = history_of(app, alice, post_id)
    with app.app_context(), tenancy.tenant_scope(alice.id):
        post = db.session.get_one(Post, post_id)
        uuid = post.uuid
    bobs_post = make_post(bob, "Bob's", "bob's words")
    auth.login(bob.owner_email)
    token = csrf_of(client, "/blogs/bob/")
    for url in (
        f"/blogs/bob/posts/{post_id}/history",
        f"/blogs/bob/posts/{post_id}/history/{revision.id}",
        f"/blogs/bob/posts/{bobs_post}/history/{revision.id}",
        f"/blogs/alice/posts/{post_id}/history",
    ):
        assert client.get(url).status_code == 404, url
    with app.app_context(), tenancy.tenant_scope(alice.id):
        db.session.execute(update(PostRevision).values(expires_at=utcnow() + timedelta(days=1)))
        db.session.commit()
    for url in (
        f"/blogs/bob/posts/{bobs_post}/history/{revision.id}/restore",
        f"/blogs/bob/deleted/{uuid}/restore",
    ):
        assert client.post(url, data={"csrf_token": token}).status_code == 404, url
    assert "Private" not in client.get("/blogs/bob/deleted").text
    assert history_of(app, alice, post_id)[0].body_md == "alice's words"


def test_a_purge_removes_the_blogs_revisions(app, make_tenant, make_post) -> None:
    blog = make_tenant("alice")
    make_post(blog, "Gone", "soon")
    purge_blog(app, blog)
    with app.app_context(), tenancy.across_tenants():
        assert db.session.scalars(select(PostRevision)).all() == []


def test_revisions_are_tenant_content_in_the_schema(app) -> None:
    with app.app_context():
        for index in inspect(db.engine).get_indexes("post_revisions"):
            if index["name"] != "ix_post_revisions_expiring":  # small, across blogs on purpose
                assert index["column_names"][0] == "tenant_id", index
        if db.engine.dialect.name == "postgresql":
            forced = db.session.scalar(
                text("SELECT relforcerowsecurity FROM pg_class WHERE relname = 'post_revisions'")
            )
            assert forced is True
