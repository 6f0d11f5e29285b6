"""A member writes in the dashboard; readers see published posts only."""

import re

from conftest import content_version, post_form


def test_write_publish_edit_delete(app, client, auth, make_tenant, site_client) -> None:
    blog = make_tenant("alice")
    reader = site_client(blog)
    auth.login(blog.owner_email)
    v0 = content_version(app, blog)

    body = "Some *words*.\n\n```python\nprint('hi')\n```\n"
    draft = {"title": "First post!", "body_md": body, "status": "draft"}
    assert post_form(client, "/blogs/alice/posts/new", draft).status_code == 302
    assert reader.get("/first-post/").status_code == 404
    assert content_version(app, blog) == v0  # a draft changes nothing readers see

    edit_url = re.search(r"/blogs/alice/posts/\d+/edit", client.get("/blogs/alice/").text)[0]
    published = {**draft, "status": "published"}
    assert post_form(client, edit_url, published).status_code == 302
    page = reader.get("/first-post/")
    assert page.status_code == 200
    assert "<em>words</em>" in page.text and '<span class="nb">print</span>' in page.text
    assert "First post!" in reader.get("/").text
    assert content_version(app, blog) == v0 + 1

    delete_url = edit_url.replace("/edit", "/delete")
    assert post_form(client, delete_url, {}, form_url="/blogs/alice/").status_code == 302
    assert reader.get("/first-post/").status_code == 404
    assert content_version(app, blog) == v0 + 2


def test_invalid_post_keeps_the_text(client, auth, make_tenant) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    answer = post_form(
        client, "/blogs/alice/posts/new", {"title": "", "body_md": "my precious draft"}
    )
    assert answer.status_code == 400
    assert "my precious draft" in answer.text
    assert "This field is required" in answer.text


def test_same_title_gets_a_distinct_slug(client, auth, make_tenant, site_client) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    for body in ("one", "two"):
        data = {"title": "Hello", "body_md": body, "status": "published"}
        post_form(client, "/blogs/alice/posts/new", data)
    assert "one" in site_client(blog).get("/hello/").text
    assert "two" in site_client(blog).get("/hello-2/").text
