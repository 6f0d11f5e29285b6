"""A blog's media library page: thumbnails, alt text, the Markdown to copy, which
posts use each image, delete with a warning naming them; no other blog's image
reachable. Images are uploaded as the editor does (POST /blogs/<sub>/media)."""

import html
import re

import pytest
from flask import Flask

from fixtures.accounts import AuthActions
from fixtures.app import platform_browser, post_form
from fixtures.blogs import content_version
from fixtures.images import png_bytes, upload

pytestmark = pytest.mark.usefixtures("media_root")
ARABIC_ALT = "غروب الشمس فوق البحر"


@pytest.fixture
def library(app: Flask, client, auth, make_tenant, make_post):
    """Alice's blog with three images: one in two posts (one of them also has it as
    cover), one with an Arabic alt text used by none, one used as a cover only."""
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    harbour = upload(client, blog, png_bytes(800, 500), "harbour.png", alt="The harbour at dawn")
    sunset = upload(client, blog, png_bytes(700, 500), "sunset.png", alt=ARABIC_ALT)
    cover = upload(client, blog, png_bytes(600, 500), "cover.png")
    harbour, sunset, cover = (answer.json for answer in (harbour, sunset, cover))
    first = make_post(blog, "Morning walk", f"Look:\n\n{harbour['markdown']}\n")
    second = make_post(blog, "Evening walk", f"Again {harbour['markdown']}", status="draft")
    third = make_post(blog, "Covered", "Words only.", cover_media_id=cover["id"])
    return blog, {"harbour": harbour, "sunset": sunset, "cover": cover}, (first, second, third)


def card(page: str, media_id: int) -> str:
    """The library card of one image."""
    start = page.index(f'id="media-{media_id}"')
    return page[start : page.find("</li>\n", page.find('class="used"', start))]


def test_the_library_shows_each_image_with_its_markdown_and_users(library, client) -> None:
    _blog, images, (first, second, third) = library
    page = client.get("/blogs/alice/media/")
    assert page.status_code == 200
    text = page.text
    assert '<a href="/blogs/alice/media/" aria-current="page">Media</a>' in text
    # Newest first.
    ids = [int(i) for i in re.findall(r'<li id="media-(\d+)"', text)]
    assert ids == [images["cover"]["id"], images["sunset"]["id"], images["harbour"]["id"]]
    harbour = card(text, images["harbour"]["id"])
    assert 'src="/blogs/alice/media/' in harbour and "-640.webp" in harbour
    assert f'value="{images["harbour"]["markdown"]}"' in harbour
    assert f'href="/blogs/alice/posts/{first}/edit"' in harbour
    assert f'href="/blogs/alice/posts/{second}/edit"' in harbour  # drafts use images too
    assert "Evening walk" in harbour and "Morning walk" in harbour
    sunset = card(text, images["sunset"]["id"])
    assert html.escape(ARABIC_ALT) in sunset or ARABIC_ALT in sunset
    assert "Not used in any post." in sunset
    cover = card(text, images["cover"]["id"])
    assert f'href="/blogs/alice/posts/{third}/edit"' in cover and "(cover)" in cover


def test_the_delete_warning_names_the_posts_using_the_image(library, client) -> None:
    _blog, images, _posts = library
    text = html.unescape(client.get("/blogs/alice/media/").text)
    harbour = card(text, images["harbour"]["id"])
    warning = re.search(r'data-confirm="([^"]*)"', harbour)[1]
    assert "used by 2 posts" in warning
    assert "“Evening walk”" in warning and "“Morning walk”" in warning
    unused = card(text, images["sunset"]["id"])
    assert "No post uses it" in re.search(r'data-confirm="([^"]*)"', unused)[1]


def test_alt_text_is_edited_in_the_library(library, client) -> None:
    _blog, images, _posts = library
    sunset = images["sunset"]["id"]
    url = f"/blogs/alice/media/{sunset}/alt"
    changed = post_form(client, url, {"alt": "  الشمس\tتغرب  "}, form_url="/blogs/alice/media/")
    assert changed.status_code == 302
    page = client.get("/blogs/alice/media/").text
    assert 'value="الشمس تغرب"' in card(page, sunset)  # one line, trimmed
    assert "Saved the alt text of sunset.png" in page


def test_deleting_a_used_image_leaves_a_note_in_its_posts_and_drops_the_cover(
    app, library, client, site_client
) -> None:
    blog, images, _posts = library
    reader = site_client(blog)
    assert 'property="og:image"' in reader.get("/covered/").text
    before = content_version(app, blog)
    for name in ("harbour", "cover"):
        url = f"/blogs/alice/media/{images[name]['id']}/delete"
        assert post_form(client, url, {}, form_url="/blogs/alice/media/").status_code == 302
    page = client.get("/blogs/alice/media/").text
    assert "Deleted cover.png. Posts that used it: “Covered”." in html.unescape(page)
    assert f'id="media-{images["harbour"]["id"]}"' not in page
    walk = reader.get("/morning-walk/").text
    assert "Image not found" in walk and "/media/" not in walk
    assert 'property="og:image"' not in reader.get("/covered/").text
    assert content_version(app, blog) > before


def test_another_blogs_images_are_not_found(app, library, client, make_tenant) -> None:
    _blog, images, _posts = library
    bob = make_tenant("bob")
    bobs_client = platform_browser(app)
    AuthActions(bobs_client).login(bob.owner_email)
    harbour = images["harbour"]["id"]
    for action in ("alt", "delete"):
        url = f"/blogs/bob/media/{harbour}/{action}"
        answer = post_form(bobs_client, url, {"alt": "mine now"}, form_url="/blogs/bob/media/")
        assert answer.status_code == 404, action
    assert f"media-{harbour}" not in bobs_client.get("/blogs/bob/media/").text
    assert bobs_client.get("/blogs/alice/media/").status_code == 404  # not a member
    assert "The harbour at dawn" in client.get("/blogs/alice/media/").text  # unchanged


def test_authors_change_only_the_images_they_uploaded(app, library, client, add_member) -> None:
    blog, images, _posts = library
    writer = platform_browser(app)
    AuthActions(writer).login(add_member(blog, "writer@example.com", "author"))
    own = upload(writer, blog, png_bytes(500, 500), "mine.png").json
    page = writer.get("/blogs/alice/media/").text
    assert f'action="/blogs/alice/media/{own["id"]}/delete"' in page
    assert f'action="/blogs/alice/media/{images["harbour"]["id"]}/delete"' not in page
    url = f"/blogs/alice/media/{images['harbour']['id']}/alt"
    refused = post_form(writer, url, {"alt": "x"}, form_url="/blogs/alice/media/")
    assert refused.status_code == 403
    url = f"/blogs/alice/media/{own['id']}/alt"
    changed = post_form(writer, url, {"alt": "Mine"}, form_url="/blogs/alice/media/")
    assert changed.status_code == 302


def test_an_image_not_processed_shows_why_instead_of_a_thumbnail(app, library, client) -> None:
    from sqlalchemy import update

    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Media
    from inkwell.platform.core.tenancy import across_tenants

    _blog, images, _posts = library
    failed = images["sunset"]["id"]
    with app.app_context(), across_tenants():
        message = "This image could not be processed (broken data). Upload it again."
        db.session.execute(
            update(Media).where(Media.id == failed).values(state="failed", message=message)
        )
        db.session.commit()
    page = client.get("/blogs/alice/media/").text
    assert "could not be processed (broken data)" in card(page, failed)
    assert "<img" not in card(page, failed)
    assert "<img" in card(page, images["harbour"]["id"])
