"""Tags keep their identity: a tag is its name (case aside), its address is only
derived and stays; renames, merges on request, a stated limit, and names with
commas that survive the editor: issue #16, point 3."""

import html
import re

import pytest
from sqlalchemy import select

from fixtures.app import post_form
from fixtures.mirrors import publish, read_folder


@pytest.fixture
def alice(make_tenant, auth):
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    return blog


def tags_of(app, blog) -> dict[str, str]:
    """Every tag of the blog: slug -> name."""
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tag
    from inkwell.platform.core.tenancy import tenant_scope

    with app.app_context(), tenant_scope(blog.id):
        return {slug: name for slug, name in db.session.execute(select(Tag.slug, Tag.name))}


def tag_id(app, blog, slug: str) -> int:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tag
    from inkwell.platform.core.tenancy import tenant_scope

    with app.app_context(), tenant_scope(blog.id):
        return db.session.scalars(select(Tag.id).where(Tag.slug == slug)).one()


def test_names_whose_ascii_forms_match_stay_distinct_tags(
    app, alice, client, make_post, site_client
) -> None:
    post_id = make_post(alice, "Languages", tags=["C++", "C#", "Русский", "日本語"])
    assert tags_of(app, alice) == {
        "c": "C++",
        "c-2": "C#",
        "russkiy": "Русский",
        "ribenyu": "日本語",
    }
    reader = site_client(alice)
    assert "#C++" in reader.get("/tags/c/").text and "#C#" in reader.get("/tags/c-2/").text
    assert 'Posts tagged <span dir="auto">#Русский</span>' in reader.get("/tags/russkiy/").text
    field = re.search(
        r'id="tags"[^>]*value="([^"]*)"', client.get(f"/blogs/alice/posts/{post_id}/edit").text
    )
    assert field[1] == "C++, C#, 日本語, Русский"  # the editor shows what was written
    # Another post naming them in another case joins the same tags: same names, same addresses.
    make_post(alice, "More", tags=["c++", "РУССКИЙ"])
    assert tags_of(app, alice)["russkiy"] == "Русский" and len(tags_of(app, alice)) == 4
    page = reader.get("/tags/russkiy/").text
    assert ">Languages</a>" in page and ">More</a>" in page


def test_arabic_japanese_and_emoji_tags_and_titles_get_addresses_of_their_own(
    app, alice, make_post, site_client
) -> None:
    # Issue #18: these three tags all became /tags/post/ (the emoji dropped), and CJK
    # or emoji titles /post/ and /post-2/. Transliterated (anyascii), each has its own.
    make_post(alice, "日本語の記事", tags=["عربي", "日本語", "🎉"])
    make_post(alice, "🎉🎉")
    assert tags_of(app, alice) == {"rby": "عربي", "ribenyu": "日本語", "tada": "🎉"}
    reader = site_client(alice)
    pages = {"/tags/rby/": "#عربي", "/tags/tada/": "#🎉", "/ribenyunojishi/": "日本語の記事",
             "/tada-tada/": "🎉🎉"}  # fmt: skip
    for path, heading in pages.items():
        page = reader.get(path)
        assert page.status_code == 200 and heading in page.text, path


def test_more_than_twenty_tags_is_a_form_error(alice, client) -> None:
    tags = ", ".join(f"t{n}" for n in range(21))
    data = {"title": "Tagged", "body_md": "keep me", "tags": tags, "status": "draft"}
    answer = post_form(client, "/blogs/alice/posts/new", data)
    assert answer.status_code == 400
    assert (
        "A post has at most 20 tags; this one has 21." in answer.text and "keep me" in answer.text
    )
    assert "Tagged" not in client.get("/blogs/alice/").text
    data["tags"] = ", ".join(f"t{n}" for n in range(20)) + ", T0"  # the same tag twice: 20
    assert post_form(client, "/blogs/alice/posts/new", data).status_code == 302


def test_a_name_with_a_comma_survives_the_editor(app, alice, client, tmp_path) -> None:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant
    from inkwell.platform.core.portability.markdown_io import import_markdown

    (tmp_path / "b").mkdir()
    front = '---\ntitle: Cited\ntags: ["Smith, John", "Say \\"hi\\"", plain]\n---\n\nText.\n'
    (tmp_path / "b" / "cited.md").write_text(front)
    with app.app_context():
        assert import_markdown(db.session.get_one(Tenant, alice.id), None, tmp_path / "b").created
    names = sorted(tags_of(app, alice).values())
    assert names == ['Say "hi"', "Smith, John", "plain"]
    edit_url = re.search(r"/blogs/alice/posts/\d+/edit", client.get("/blogs/alice/").text)[0]
    page = client.get(edit_url).text
    field = re.search(r'id="tags"[^>]*value="([^"]*)"', page)[1]
    assert html.unescape(field) == 'plain, "Say ""hi""", "Smith, John"'
    data = {"title": "Cited", "body_md": "Text.", "status": "published"}
    data["tags"] = '"Say ""hi""", "Smith, John", plain'  # what the browser sends back
    assert post_form(client, edit_url, data).status_code == 302
    assert sorted(tags_of(app, alice).values()) == names


def test_twenty_one_tags_in_an_import_are_an_error_for_that_file(app, alice, tmp_path) -> None:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant
    from inkwell.platform.core.portability.markdown_io import import_markdown

    (tmp_path / "b").mkdir()
    tags = ", ".join(f"t{n}" for n in range(21))
    (tmp_path / "b" / "many.md").write_text(f"---\ntitle: Many\ntags: [{tags}]\n---\n\nText.\n")
    with app.app_context():
        report = import_markdown(db.session.get_one(Tenant, alice.id), None, tmp_path / "b")
    assert report.created == 0
    assert report.errors == [("many.md", "tags: A post has at most 20 tags; this one has 21.")]


def test_renaming_a_tag_fixes_its_case_and_keeps_its_address(
    app, alice, client, make_post, site_client
) -> None:
    make_post(alice, "One", tags=["python"])
    make_post(alice, "Two", tags=["Python"])
    listing = client.get("/blogs/alice/tags/")
    assert listing.status_code == 200
    assert re.search(r"python</td>\s*<td>.*?/tags/python/.*?</td>\s*<td>2</td>", listing.text, re.S)
    edit_url = f"/blogs/alice/tags/{tag_id(app, alice, 'python')}"
    answer = post_form(client, edit_url, {"name": "Python", "slug": "python"})
    assert answer.status_code == 302
    assert (
        "Saved the tag “Python”, at /tags/python/." in client.get(answer.headers["Location"]).text
    )
    assert tags_of(app, alice) == {"python": "Python"}
    assert (
        'Posts tagged <span dir="auto">#Python</span>'
        in site_client(alice).get("/tags/python/").text
    )


def test_moving_a_tag_leaves_its_old_address_redirecting(
    app, alice, client, make_post, site_client, tmp_path, monkeypatch
) -> None:
    monkeypatch.setitem(app.config, "MIRROR_URL", str(tmp_path / "mirror"))
    for n in range(11):
        make_post(alice, f"Post {n}", tags=["py"])
    publish(app, alice.id)
    edit_url = f"/blogs/alice/tags/{tag_id(app, alice, 'py')}"
    assert post_form(client, edit_url, {"name": "Python", "slug": "python"}).status_code == 302
    reader = site_client(alice)
    for old, new in (("/tags/py/", "/tags/python/"), ("/tags/py/page/2/", "/tags/python/page/2/"),
                     ("/tags/py/latest.atom", "/tags/python/latest.atom")):  # fmt: skip
        answer = reader.get(old)
        assert answer.status_code == 301 and answer.headers["Location"].endswith(new), old
        assert reader.get(new).status_code == 200
    assert "<code>/tags/py/</code>" in client.get("/blogs/alice/tags/").text
    [run] = publish(app, alice.id)
    files = read_folder(next((tmp_path / "mirror").iterdir()))
    assert run.status == "succeeded" and "tags/python/page/2/index.html" in files
    assert "url=../python/index.html" in files["tags/py/index.html"].decode()
    assert "tags/py/page/2/index.html" not in files


def test_a_rename_onto_another_tag_merges_only_when_asked(
    app, alice, client, make_post, site_client
) -> None:
    make_post(alice, "One", tags=["Py"])
    make_post(alice, "Two", tags=["Python", "Py"])
    edit_url = f"/blogs/alice/tags/{tag_id(app, alice, 'py')}"
    answer = post_form(client, edit_url, {"name": "python", "slug": "py"})
    assert answer.status_code == 409
    assert "“Python” is another tag with this name" in answer.text
    assert len(tags_of(app, alice)) == 2
    answer = post_form(client, edit_url, {"name": "Python", "slug": "py", "merge": "y"})
    assert answer.status_code == 302
    assert tags_of(app, alice) == {"python": "Python"}
    reader = site_client(alice)
    assert reader.get("/tags/py/").headers["Location"].endswith("/tags/python/")
    page = reader.get("/tags/python/").text
    assert ">One</a>" in page and ">Two</a>" in page


def test_a_tag_cannot_move_onto_another_tags_address(app, alice, client, make_post) -> None:
    make_post(alice, "One", tags=["a", "b"])
    answer = post_form(
        client, f"/blogs/alice/tags/{tag_id(app, alice, 'a')}", {"name": "a", "slug": "b"}
    )
    assert answer.status_code == 409 and "/tags/b/ belongs to the tag “b”" in answer.text


def test_tags_page_is_for_owners_and_editors_of_the_blog(
    app, alice, client, auth, add_member, make_tenant, make_post
) -> None:
    bob = make_tenant("bob")
    make_post(bob, "Bob's", tags=["secret"])
    assert client.get(f"/blogs/alice/tags/{tag_id(app, bob, 'secret')}").status_code == 404
    author = add_member(alice, "author@example.com", "author")
    auth.login(author)
    assert client.get("/blogs/alice/tags/").status_code == 403
