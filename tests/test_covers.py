"""A post's cover image: chosen in the editor from the blog's library, stored with
the post, named by the post page's og:image (absolute, a JPEG/PNG variant, its
size and alt) and by the feeds (Atom enclosure and Media RSS, as feed readers
read them); never another blog's image."""

import html
import json
import re

import feedparser
import pytest

from fixtures.accounts import AuthActions
from fixtures.app import platform_browser, post_form
from fixtures.blogs import content_version
from fixtures.images import jpeg_bytes, upload

pytestmark = pytest.mark.usefixtures("media_root")


def og(page: str, name: str) -> str | None:
    found = re.search(rf'<meta property="{re.escape(name)}" content="([^"]*)">', page)
    return found[1] if found else None


def new_post(client, data: dict) -> str:
    """Save a new post from the editor; its edit URL."""
    base = {"title": "Harbour", "body_md": "Words.", "status": "published"}
    assert post_form(client, "/blogs/alice/posts/new", {**base, **data}).status_code == 302
    return re.search(r"/blogs/alice/posts/\d+/edit", client.get("/blogs/alice/").text)[0]


def test_a_cover_chosen_in_the_editor_is_the_posts_og_image_and_in_its_feed(
    app, client, auth, make_tenant, site_client
) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    photo = upload(client, blog, jpeg_bytes(2000, 1000), "harbour.jpg", alt="Boats at dawn").json
    choices = client.get("/blogs/alice/posts/new").text
    assert f'name="cover_media_id" value="{photo["id"]}"' in choices  # offered
    edit = new_post(client, {"cover_media_id": str(photo["id"])})
    assert re.search(
        rf'value="{photo["id"]}" id="cover-{photo["id"]}" checked', client.get(edit).text
    )

    page = site_client(blog).get("/harbour/").text
    url = og(page, "og:image")
    # Absolute, on the blog's host, the 1600 px JPEG variant (wide enough for sharp previews).
    assert re.fullmatch(r"http://alice\.blogs\.test/media/[0-9a-f]{64}-1600\.jpg", url), url
    assert (og(page, "og:image:width"), og(page, "og:image:height")) == ("1600", "800")
    assert og(page, "og:image:type") == "image/jpeg"
    assert og(page, "og:image:alt") == "Boats at dawn"
    assert site_client(blog).get(url.removeprefix("http://alice.blogs.test")).status_code == 200

    feed = feedparser.parse(site_client(blog).get("/latest.atom").data)
    [entry] = feed.entries
    assert [e["href"] for e in entry.enclosures] == [url]
    assert entry.media_content[0]["url"] == url and entry.media_content[0]["medium"] == "image"
    # The same picture in the RSS feed (enclosure, Media RSS) and the JSON Feed (image).
    [item] = feedparser.parse(site_client(blog).get("/rss.xml").data).entries
    assert [e["href"] for e in item.enclosures] == [url] and item.media_content[0]["url"] == url
    assert json.loads(site_client(blog).get("/feed.json").data)["items"][0]["image"] == url


def test_without_a_cover_pages_and_feeds_name_none(client, auth, make_tenant, site_client) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    new_post(client, {"cover_media_id": ""})
    assert og(site_client(blog).get("/harbour/").text, "og:image") is None
    [entry] = feedparser.parse(site_client(blog).get("/latest.atom").data).entries
    assert not entry.get("enclosures") and not entry.get("media_content")
    assert "image" not in json.loads(site_client(blog).get("/feed.json").data)["items"][0]


def test_changing_or_removing_the_cover_reaches_readers(
    app, client, auth, make_tenant, site_client
) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    first = upload(client, blog, jpeg_bytes(800, 600), "one.jpg").json
    second = upload(client, blog, jpeg_bytes(600, 800), "two.jpg").json
    edit = new_post(client, {"cover_media_id": str(first["id"])})
    reader = site_client(blog)
    assert og(reader.get("/harbour/").text, "og:image").endswith("-800.jpg")
    before = content_version(app, blog)
    base = {"title": "Harbour", "body_md": "Words.", "status": "published"}
    assert post_form(client, edit, {**base, "cover_media_id": str(second["id"])}).status_code == 302
    assert content_version(app, blog) > before
    assert og(reader.get("/harbour/").text, "og:image:height") == "800"
    # A save that does not send the field (an older tab's script) keeps the cover.
    assert post_form(client, edit, base).status_code == 302
    assert og(reader.get("/harbour/").text, "og:image") is not None
    assert post_form(client, edit, {**base, "cover_media_id": ""}).status_code == 302
    assert og(reader.get("/harbour/").text, "og:image") is None


def test_another_blogs_image_cannot_be_a_cover(app, client, auth, make_tenant, site_client) -> None:
    bob = make_tenant("bob")
    bobs_client = platform_browser(app)
    AuthActions(bobs_client).login(bob.owner_email)
    bobs = upload(bobs_client, bob, jpeg_bytes(800, 600), "secret.jpg").json
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    data = {"title": "Harbour", "body_md": "Words.", "cover_media_id": str(bobs["id"])}
    refused = post_form(client, "/blogs/alice/posts/new", data)
    assert refused.status_code == 400
    assert "not in the blog's library" in html.unescape(refused.text)
    assert "Words." in refused.text  # the text is kept in the form
    assert site_client(blog).get("/harbour/").status_code == 404
