"""A member writes in the dashboard; readers see published posts only."""

import html
import json
import re

import feedparser

from fixtures.app import post_form
from fixtures.blogs import content_version


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


def test_preview_links_the_blog_stylesheets(client, auth, make_tenant) -> None:
    # The live preview frames the text in the blog's own stylesheets: every one it links must
    # load, from the platform itself (its Content-Security-Policy allows no other style origin).
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    settings = {"title": "Alice", "code_style": "monokai"}
    assert post_form(client, "/blogs/alice/settings", settings).status_code == 302
    page = client.get("/blogs/alice/posts/new").text
    styles = json.loads(html.unescape(re.search(r"data-styles='([^']*)'", page)[1]))
    assert len(styles) == 3 and "theme-classic." in styles[1] and "code-monokai." in styles[2]
    for url in styles:
        assert url.startswith("/assets/"), url
        css = client.get(url)
        assert css.status_code == 200 and css.mimetype == "text/css", url


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


def token_for(client, url: str = "/blogs/alice/posts/new") -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).text)[1]


def test_autosave_creates_then_updates_a_draft(app, client, auth, make_tenant, site_client) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    headers = {"X-CSRFToken": token_for(client)}
    first = client.post(
        "/blogs/alice/posts/autosave", json={"title": "WIP", "body_md": "one"}, headers=headers
    )
    assert first.status_code == 200, first.json
    again = client.post(first.json["autosave_url"], json={"title": "WIP", "body_md": "two"},
                        headers=headers)  # fmt: skip
    assert again.json["id"] == first.json["id"]
    assert "two" in client.get(first.json["edit_url"]).text
    assert site_client(blog).get("/wip/").status_code == 404  # autosave never publishes


def test_autosave_failures_explain_themselves(app, client, auth, make_tenant, make_post) -> None:
    blog = make_tenant("alice")
    published = make_post(blog, "Live", "text")
    auth.login(blog.owner_email)
    headers = {"X-CSRFToken": token_for(client)}
    unsaved = {"title": "Live", "body_md": "half-typed"}
    live = client.post(f"/blogs/alice/posts/{published}/autosave", json=unsaved, headers=headers)
    assert live.status_code == 409 and "Save button" in live.json["error"]
    invalid = client.post("/blogs/alice/posts/autosave", json={"title": ""}, headers=headers)
    assert invalid.status_code == 400 and "Title" in invalid.json["error"]
    no_token = client.post("/blogs/alice/posts/autosave", json={"title": "x"})
    assert no_token.status_code == 400 and "expired" in no_token.json["error"]
    client.delete_cookie("session", domain="app.test")
    logged_out = client.post("/blogs/alice/posts/autosave", json={"title": "x"}, headers=headers)
    assert logged_out.status_code in (400, 401)
    assert "error" in logged_out.json


def test_scheduled_post_stays_hidden_until_its_time(client, auth, make_tenant, site_client) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    future = {
        "title": "Later",
        "body_md": "soon",
        "status": "scheduled",
        "publish_at": "2999-01-01T09:00",
    }
    assert post_form(client, "/blogs/alice/posts/new", future).status_code == 302
    assert site_client(blog).get("/later/").status_code == 404
    assert "scheduled" in client.get("/blogs/alice/").text
    past = {**future, "title": "Past", "publish_at": "2000-01-01T09:00"}
    post_form(client, "/blogs/alice/posts/new", past)
    assert site_client(blog).get("/past/").status_code == 200  # a past schedule means now
    missing = {**future, "title": "No time", "publish_at": ""}
    answer = post_form(client, "/blogs/alice/posts/new", missing)
    assert answer.status_code == 400 and "Choose when" in answer.text


def test_roles(app, client, auth, make_tenant, make_post, add_member) -> None:
    blog = make_tenant("alice")
    owners_post = make_post(blog, "Owner's post", "x")
    author = add_member(blog, "author@example.com", "author")
    auth.login(author)
    listed = client.get("/blogs/alice/").text
    assert "Owner&#39;s post" in listed and f"/posts/{owners_post}/" not in listed  # not offered
    assert client.get(f"/blogs/alice/posts/{owners_post}/edit").status_code == 403
    assert client.get("/blogs/alice/settings").status_code == 403
    data = {"title": "Mine", "body_md": "y", "status": "draft"}
    assert post_form(client, "/blogs/alice/posts/new", data).status_code == 302
    own_id = re.search(r"/blogs/alice/posts/(\d+)/edit\">Mine", client.get("/blogs/alice/").text)[1]
    assert client.get(f"/blogs/alice/posts/{own_id}/edit").status_code == 200
    editor = add_member(blog, "editor@example.com", "editor")
    client.delete_cookie("session", domain="app.test")
    auth.login(editor)
    assert client.get(f"/blogs/alice/posts/{owners_post}/edit").status_code == 200
    assert client.get("/blogs/alice/settings").status_code == 403


def test_owner_settings(app, client, auth, make_tenant, site_client) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    v0 = content_version(app, blog)
    good = {"title": "Alice's Notes", "description": "About\x0b things", "code_style": "monokai",
            "comments_provider": "disqus", "comments_target": "alice-notes"}  # fmt: skip
    assert post_form(client, "/blogs/alice/settings", good).status_code == 302
    page = site_client(blog).get("/").text
    assert "Alice&#39;s Notes" in page and 'href="/assets/code-monokai.' in page
    assert content_version(app, blog) == v0 + 1
    feed = feedparser.parse(site_client(blog).get("/latest.atom").data)
    assert feed.bozo == 0 and feed.feed.subtitle == "About things"  # \x0b removed
    bad = {**good, "comments_target": "not a shortname!"}
    answer = post_form(client, "/blogs/alice/settings", bad)
    assert answer.status_code == 400 and "Disqus shortname" in answer.text
    bad = {**good, "comments_provider": "discourse", "comments_target": "http://insecure.example"}
    assert post_form(client, "/blogs/alice/settings", bad).status_code == 400


def test_racing_saves_with_one_title_both_land(app, client, auth, make_tenant, monkeypatch) -> None:
    from inkwell.platform.core.content import posts

    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    post_form(client, "/blogs/alice/posts/new", {"title": "Hello", "status": "published"})
    # The second save computes its slug before the first commits, as in a real race.
    real, calls = posts.unique_slug, []

    def stale_once(base, *args, **kwargs):
        calls.append(base)
        return base if len(calls) == 1 else real(base, *args, **kwargs)

    monkeypatch.setattr(posts, "unique_slug", stale_once)
    answer = post_form(client, "/blogs/alice/posts/new", {"title": "Hello", "status": "published"})
    assert answer.status_code == 302
    assert len(calls) == 2  # the unique-key conflict was retried
    page = client.get("/blogs/alice/").text
    assert page.count(">Hello</a>") == 2
