"""Pages (`/now/`): a post marked as a page keeps its address, the sitemap and the
mirror, and stays off the index, tag pages, feeds and "recent posts"."""

import re

import feedparser
from sqlalchemy import select
from test_portability import export_zip, posts_of, run_import

from fixtures.app import post_form
from fixtures.mirrors import broken_links, edit_post, post_id, publish, read_folder
from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post


def test_a_page_is_at_its_address_and_in_no_list(make_tenant, make_post, site_client) -> None:
    blog = make_tenant("alice")
    make_post(blog, "A post", "Post text", tags=["life"])
    make_post(blog, "Now", "Reading *Dune* these days.", tags=["life"], is_page=True)
    reader = site_client(blog)
    page = reader.get("/now/")
    assert page.status_code == 200 and "<em>Dune</em>" in page.text
    for path in ("/", "/tags/life/", "/a-post/"):
        text = reader.get(path).text
        assert "A post" in text and 'href="/now/"' not in text, path
    for path in ("/latest.atom", "/tags/life/latest.atom"):
        links = [entry.link for entry in feedparser.parse(reader.get(path).text).entries]
        assert links == ["http://alice.blogs.test/a-post/"], path
    assert "http://alice.blogs.test/now/" in reader.get("/sitemap.xml").text


def test_a_page_shows_no_date_or_tags(make_tenant, make_post, site_client) -> None:
    blog = make_tenant("alice")
    make_post(blog, "Now", "Body", tags=["life"], is_page=True)
    article = site_client(blog).get("/now/").text.split("<article", 1)[1].split("</article>")[0]
    assert "<time" not in article and "/tags/life/" not in article


def test_a_tag_only_pages_carry_has_no_tag_page(make_tenant, make_post, site_client) -> None:
    blog = make_tenant("alice")
    make_post(blog, "Projects", "Body", tags=["work"], is_page=True)
    reader = site_client(blog)
    assert reader.get("/tags/work/").status_code == 404
    assert reader.get("/tags/work/latest.atom").status_code == 404


def test_the_editor_turns_a_post_into_a_page_and_back(
    app, client, auth, make_tenant, site_client
) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    reader = site_client(blog)
    form = {"title": "Now", "body_md": "What I do now", "status": "published", "kind": "page"}
    assert post_form(client, "/blogs/alice/posts/new", form).status_code == 302
    assert reader.get("/now/").status_code == 200 and "/now/" not in reader.get("/").text
    listed = client.get("/blogs/alice/").text
    assert '<span class="status">page</span>' in listed  # owners tell pages from posts
    edit_url = re.search(r"/blogs/alice/posts/\d+/edit", listed)[0]
    chosen = re.search(r'<option[^>]*value="page"[^>]*>', client.get(edit_url).text)[0]
    assert "selected" in chosen
    # An autosave of an editor that sends no kind keeps the page a page.
    without_kind = {k: v for k, v in form.items() if k != "kind"}
    assert post_form(client, edit_url, {**without_kind, "body_md": "Still"}).status_code == 302
    assert "/now/" not in reader.get("/").text and "Still" in reader.get("/now/").text
    assert post_form(client, edit_url, {**form, "kind": "post"}).status_code == 302
    assert 'href="/now/"' in reader.get("/").text


def test_an_unknown_kind_is_refused_with_the_text_kept(client, auth, make_tenant) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    form = {"title": "Now", "body_md": "my precious words", "kind": "chapter"}
    answer = post_form(client, "/blogs/alice/posts/new", form)
    assert answer.status_code == 400 and "my precious words" in answer.text
    assert "Not a valid choice" in answer.text


def test_the_mirror_holds_pages_outside_every_list(app, make_tenant, make_post, mirror_root):
    blog = make_tenant("alice")
    make_post(blog, "A post", "Post text", tags=["life"])
    make_post(blog, "Now", "Reading", tags=["life"], is_page=True)
    publish(app, blog.id)
    root = next(mirror_root.iterdir())
    files = read_folder(root)
    assert b"Reading" in files["now/index.html"] and b"/now/" in files["sitemap.xml"]
    for name in ("index.html", "tags/life/index.html", "latest.atom", "a-post/index.html"):
        assert b"now/" not in files[name], name
    assert broken_links(files) == []
    # An edit of the page rebuilds it; making it a post puts it on the lists.
    edit_post(app, blog.id, post_id(app, blog.id, "now"), body_md="Writing", is_page=True)
    [run] = publish(app, blog.id)
    files = read_folder(root)
    assert run.status == "succeeded" and b"Writing" in files["now/index.html"]
    edit_post(app, blog.id, post_id(app, blog.id, "now"), is_page=False)
    publish(app, blog.id)
    index = read_folder(root)["index.html"]
    assert b'href="now/index.html"' in index and b'href="a-post/index.html"' in index


def test_pages_travel_through_export_and_import(app, make_tenant, make_post, tmp_path) -> None:
    alice = make_tenant("alice")
    make_post(alice, "A post", "Post text")
    make_post(alice, "Now", "Reading", is_page=True)
    archive = export_zip(app, alice)
    assert "page: true" in archive.read("posts/now.md").decode()
    assert "page:" not in archive.read("posts/a-post.md").decode()
    bundle = tmp_path / "alice.zip"
    bundle.write_bytes(archive.fp.getvalue())
    bob = make_tenant("bob")
    assert run_import(app, bob, bundle).errors == []
    assert kinds(app, bob) == kinds(app, alice) == {"a-post": False, "now": True}
    assert posts_of(app, bob) == posts_of(app, alice)
    assert export_zip(app, bob).fp.getvalue() == archive.fp.getvalue()
    # A page made a post again in the file is a change the import applies.
    text = archive.read("posts/now.md").decode().replace("page: true\n", "")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "now.md").write_text(text)
    assert run_import(app, alice, tmp_path / "in").updated == 1
    assert kinds(app, alice)["now"] is False


def test_a_page_flag_that_is_not_true_or_false_is_named(app, make_tenant, tmp_path) -> None:
    blog = make_tenant("alice")
    (tmp_path / "now.md").write_text("---\ntitle: Now\npage: sometimes\n---\nBody\n")
    assert run_import(app, blog, tmp_path).errors == [("now.md", "page must be true or false")]


def kinds(app, blog) -> dict[str, bool]:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        return {
            slug: is_page for slug, is_page in db.session.execute(select(Post.slug, Post.is_page))
        }


def test_about_is_an_ordinary_page(app, make_tenant, make_post, site_client) -> None:
    blog = make_tenant("alice")
    reader = site_client(blog)
    assert reader.get("/about/").status_code == 404  # a new blog has none until written
    make_post(blog, "A post", "Post text")
    about = make_post(blog, "About", "Who writes *here*.", is_page=True)
    page = reader.get("/about/").text
    assert "<em>here</em>" in page and '<a href="/about/" dir="auto" aria-current="page">' in page
    assert 'href="/about/"' not in reader.get("/").text.split("</header>")[1]  # in no list
    assert "http://alice.blogs.test/about/" in reader.get("/sitemap.xml").text
    edit_post(app, blog.id, about, status="draft")
    assert reader.get("/about/").status_code == 404
    assert 'href="/about/"' not in reader.get("/").text  # nor in the header: never a dead link
