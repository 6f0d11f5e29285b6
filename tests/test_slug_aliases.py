"""A post's old addresses keep leading to it (301 on the site, a redirect page in
the mirror), no other post takes them unasked, and a taken slug is never silently
turned into `-2`: issue #16, point 2."""

import io
import re
import zipfile

import pytest
from sqlalchemy import inspect, select, text

from fixtures.app import post_form
from fixtures.mirrors import publish, read_folder


def edit(client, post_id: int, **fields: str):
    data = {"title": "Hello", "body_md": "Hi.", "status": "published", **fields}
    return post_form(client, f"/blogs/alice/posts/{post_id}/edit", data)


@pytest.fixture
def alice(make_tenant, auth):
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    return blog


@pytest.fixture
def moved(alice, client, make_post) -> int:
    """Alice's published post "Hello", moved from /hello/ to /greetings/."""
    post_id = make_post(alice, "Hello", "Hi.")
    assert edit(client, post_id, slug="greetings").status_code == 302
    return post_id


def test_an_old_address_answers_301_to_the_post(alice, moved, site_client) -> None:
    reader = site_client(alice)
    answer = reader.get("/hello/")
    assert answer.status_code == 301
    assert answer.headers["Location"].endswith("/greetings/")
    assert "Hi." in reader.get("/greetings/").text
    assert reader.get("/nothing-here/").status_code == 404


def test_a_cached_page_at_the_old_address_does_not_outlive_the_move(
    alice, client, make_post, site_client
) -> None:
    reader = site_client(alice)
    post_id = make_post(alice, "Hello", "Hi.")
    assert reader.get("/hello/").status_code == 200
    assert reader.get("/hello/").headers["X-Cache"] == "hit"
    edit(client, post_id, slug="greetings")
    assert reader.get("/hello/").status_code == 301


def test_the_editor_lists_old_addresses_and_removes_one(alice, moved, client, site_client) -> None:
    page = client.get(f"/blogs/alice/posts/{moved}/edit").text
    assert "Old addresses" in page and '<code dir="ltr">/hello/</code>' in page
    remove = f"/blogs/alice/posts/{moved}/old-addresses/remove"
    form_url = f"/blogs/alice/posts/{moved}/edit"
    answer = post_form(client, remove, {"slug": "hello"}, form_url=form_url)
    assert answer.status_code == 302
    assert "/hello/ no longer leads to" in client.get(answer.headers["Location"]).text
    assert site_client(alice).get("/hello/").status_code == 404
    # Freed: another post may have it now.
    new = post_form(
        client, "/blogs/alice/posts/new", {"title": "Other", "slug": "hello", "status": "draft"}
    )
    assert new.status_code == 302
    again = post_form(client, remove, {"slug": "hello"}, form_url=form_url)
    assert again.status_code == 404


def test_an_old_address_is_not_taken_by_another_post(alice, moved, client, site_client) -> None:
    data = {"title": "Another", "body_md": "my precious text", "slug": "hello", "status": "draft"}
    answer = post_form(client, "/blogs/alice/posts/new", data)
    assert answer.status_code == 409
    assert "/hello/ is an old address of “Hello”" in answer.text
    assert "my precious text" in answer.text
    # Made from the title, it gets a free address, and the flash names it.
    answer = post_form(client, "/blogs/alice/posts/new", {"title": "Hello", "status": "published"})
    flash = client.get(answer.headers["Location"]).text
    assert "Saved “Hello” at /hello-2/: /hello/ was taken." in flash
    assert site_client(alice).get("/hello/").headers["Location"].endswith("/greetings/")


def test_a_typed_slug_that_is_taken_is_a_form_error(alice, client, make_post) -> None:
    make_post(alice, "First", slug="hello")
    for slug, message in (("hello", "/hello/ is the address of “First”"),
                          ("tags", "/tags/ is a page of the blog")):  # fmt: skip
        data = {"title": "Second", "body_md": "keep me", "slug": slug, "status": "draft"}
        answer = post_form(client, "/blogs/alice/posts/new", data)
        assert answer.status_code == 409, slug
        assert message in answer.text and "keep me" in answer.text
    assert client.get("/blogs/alice/").text.count("Second") == 0
    autosave = post_form(
        client, "/blogs/alice/posts/autosave", {"title": "Second", "slug": "hello"},
        form_url="/blogs/alice/posts/new",
    )  # fmt: skip
    assert autosave.status_code == 409 and "/hello/ is the address" in autosave.json["error"]


def test_moving_back_to_an_old_address_redirects_the_other_way(
    alice, moved, client, site_client
) -> None:
    assert edit(client, moved, slug="hello").status_code == 302
    reader = site_client(alice)
    assert reader.get("/hello/").status_code == 200
    assert reader.get("/greetings/").headers["Location"].endswith("/hello/")
    page = client.get(f"/blogs/alice/posts/{moved}/edit").text
    assert '<code dir="ltr">/greetings/</code>' in page and "/hello/</code>" not in page


def test_a_draft_never_published_leaves_no_old_address(alice, client) -> None:
    post_form(client, "/blogs/alice/posts/new", {"title": "Hello", "status": "draft"})
    post_id = int(re.search(r"/posts/(\d+)/edit", client.get("/blogs/alice/").text)[1])
    edit(client, post_id, slug="greetings", status="draft")
    assert "/hello/</code>" not in client.get(f"/blogs/alice/posts/{post_id}/edit").text
    answer = post_form(
        client, "/blogs/alice/posts/new", {"title": "Other", "slug": "hello", "status": "draft"}
    )
    assert answer.status_code == 302


def test_an_old_address_of_an_unpublished_post_is_a_404(alice, moved, client, site_client) -> None:
    edit(client, moved, slug="greetings", status="draft")
    assert site_client(alice).get("/hello/").status_code == 404


def test_another_blog_is_not_affected(alice, moved, make_tenant, make_post, site_client) -> None:
    bob = make_tenant("bob")
    make_post(bob, "Hello", "Bob says hello.")  # /hello/ is free on bob's blog
    answer = site_client(bob).get("/hello/")
    assert answer.status_code == 200 and "Bob says hello." in answer.text
    assert site_client(bob).get("/greetings/").status_code == 404


def test_the_mirror_holds_a_redirect_page_at_the_old_address(
    app, alice, client, make_post, tmp_path, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "MIRROR_URL", str(tmp_path / "mirror"))
    post_id = make_post(alice, "Hello", "Hi.")
    publish(app, alice.id)
    edit(client, post_id, slug="greetings")
    [run] = publish(app, alice.id)
    assert run.status == "succeeded"
    [folder] = (tmp_path / "mirror").iterdir()
    page = read_folder(folder)["hello/index.html"].decode()
    assert '<meta http-equiv="refresh" content="0; url=../greetings/index.html">' in page
    assert '<link rel="canonical" href="http://alice.blogs.test/greetings/">' in page
    assert 'href="../greetings/index.html"' in page
    assert "Hi." in read_folder(folder)["greetings/index.html"].decode()
    remove = f"/blogs/alice/posts/{post_id}/old-addresses/remove"
    post_form(client, remove, {"slug": "hello"}, form_url=f"/blogs/alice/posts/{post_id}/edit")
    [run] = publish(app, alice.id)
    assert run.status == "succeeded" and not run.full  # only what the removal touched
    assert "hello/index.html" not in read_folder(folder)


def test_an_import_does_not_take_an_old_address(app, alice, moved, tmp_path) -> None:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Post, Tenant
    from inkwell.platform.core.portability.markdown_io import import_markdown
    from inkwell.platform.core.tenancy import tenant_scope

    bundle = tmp_path / "posts"
    bundle.mkdir()
    (bundle / "hello.md").write_text("---\ntitle: Imported\n---\n\nNew text.\n")
    with app.app_context():
        report = import_markdown(db.session.get_one(Tenant, alice.id), None, bundle)
        assert report.created == 0
        [(name, message)] = report.errors
        assert name == "hello.md" and "/hello/ is an old address of “Hello”" in message
        with tenant_scope(alice.id):
            assert db.session.scalars(select(Post.title)).all() == ["Hello"]


def test_old_addresses_are_tenant_content(app) -> None:
    from inkwell.platform.core.extensions import db

    with app.app_context():
        inspector = inspect(db.engine)
        for table in ("post_aliases", "tag_aliases"):
            assert inspector.get_pk_constraint(table)["constrained_columns"][0] == "tenant_id"
            assert all(ix["column_names"][0] == "tenant_id" for ix in inspector.get_indexes(table))
        if db.engine.dialect.name == "postgresql":
            forced = db.session.execute(
                text("SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity")
            ).scalars()
            assert {"post_aliases", "tag_aliases"} <= set(forced)


def test_export_keeps_the_current_address(app, alice, moved) -> None:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant
    from inkwell.platform.core.portability.markdown_io import export_markdown

    buffer = io.BytesIO()
    with app.app_context():
        export_markdown(db.session.get_one(Tenant, alice.id), buffer)
    posts = [name for name in zipfile.ZipFile(buffer).namelist() if name.startswith("posts/")]
    assert posts == ["posts/greetings.md"]


def export_of(app, blog) -> bytes:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant
    from inkwell.platform.core.portability.markdown_io import export_markdown

    buffer = io.BytesIO()
    with app.app_context():
        export_markdown(db.session.get(Tenant, blog.id), buffer)
    return buffer.getvalue()


def test_old_addresses_move_with_an_export(
    app, alice, moved, make_tenant, make_post, site_client, tmp_path
) -> None:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant
    from inkwell.platform.core.portability.markdown_io import import_markdown

    archive = zipfile.ZipFile(io.BytesIO(export_of(app, alice)))
    assert "aliases:\n- hello\n" in archive.read("posts/greetings.md").decode()
    bundle = tmp_path / "alice.zip"
    bundle.write_bytes(export_of(app, alice))
    bob = make_tenant("bob")
    with app.app_context():
        report = import_markdown(db.session.get(Tenant, bob.id), None, bundle)
    assert (report.created, report.errors) == (1, [])
    assert site_client(bob).get("/hello/").headers["Location"].endswith("/greetings/")
    again = tmp_path / "bob.zip"
    again.write_bytes(export_of(app, bob))
    assert zipfile.ZipFile(again).read("posts/greetings.md") == archive.read("posts/greetings.md")
    # Importing it again changes nothing; an old address another post has is said, not taken.
    carol = make_tenant("carol")
    make_post(carol, "Carol's hello", slug="hello")
    with app.app_context():
        assert import_markdown(db.session.get(Tenant, bob.id), None, bundle).skipped == 1
        report = import_markdown(db.session.get(Tenant, carol.id), None, bundle)
    assert report.created == 1
    assert report.errors == [
        ("posts/greetings.md", "old address not kept: /hello/ is the address of “Carol's hello”. "
         "Choose another.")
    ]  # fmt: skip
    assert site_client(carol).get("/hello/").status_code == 200
