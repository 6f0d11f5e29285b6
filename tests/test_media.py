"""Images in posts: upload through the dashboard, processing into variants,
`![alt](media:<id>)` rendered into `<img srcset>`, served on the blog's host."""

import io
from html import unescape

import pytest
from PIL import Image
from sqlalchemy import select

from fixtures.app import csrf_token
from fixtures.images import (
    GPS_MARKER,
    frames_of,
    gif_bytes,
    jpeg_bytes,
    png_bytes,
    srcset_urls,
    upload,
    webp_bytes,
)
from inkwell.platform.core import tenancy
from inkwell.platform.core.content.revisions import Actor
from inkwell.platform.core.extensions import db
from inkwell.platform.core.media.library import accept_upload
from inkwell.platform.core.models import Media, Tenant


@pytest.fixture
def alice(make_tenant, auth, media_root):
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    return blog


def test_upload_answers_the_reference_and_urls_of_a_ready_image(client, alice):
    answer = upload(client, alice, jpeg_bytes(1200, 800), "Holiday photo.jpg", alt="A beach")
    assert answer.status_code == 201, answer.text
    body = answer.get_json()
    assert body["markdown"] == f"![A beach](media:{body['id']})"
    assert (body["width"], body["height"], body["state"]) == (1200, 800, "ready")
    assert body["name"] == "Holiday photo.jpg"
    thumb = client.get(body["thumb_url"])
    assert thumb.status_code == 200
    assert thumb.mimetype == "image/webp"
    assert Image.open(io.BytesIO(thumb.data)).width == 320


def test_a_post_shows_every_variant_in_srcset_with_its_size(client, alice, make_post, site_client):
    body = upload(client, alice, jpeg_bytes(2400, 1600), "wide.jpg").get_json()
    make_post(alice, "Trip", f"Look:\n\n![The bay at dusk](media:{body['id']})")
    page = site_client(alice).get("/trip/")
    assert 'width="2400"' in page.text and 'height="1600"' in page.text
    assert 'loading="lazy"' in page.text and 'decoding="async"' in page.text
    assert 'alt="The bay at dusk"' in page.text
    urls = srcset_urls(page.text)
    assert [url.rsplit("-", 1)[1] for url in urls] == [
        "320.webp", "640.webp", "1024.webp", "1600.webp"
    ]  # fmt: skip
    reader = site_client(alice)
    for url in urls:
        served = reader.get(url)
        assert served.status_code == 200, url
        assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.mimetype == "image/webp"
        width = int(url.rsplit("-", 1)[1].split(".")[0])
        assert Image.open(io.BytesIO(served.data)).width == width


def test_exif_orientation_is_applied_and_every_metadata_dropped(
    client, alice, make_post, site_client, media_root
):
    # Stored 1200 x 800, shown turned a quarter: 800 x 1200.
    body = upload(client, alice, jpeg_bytes(1200, 800, orientation=6, gps=True)).get_json()
    assert (body["width"], body["height"]) == (800, 1200)
    files = [path for path in media_root.rglob("*") if path.is_file()]
    assert files, "nothing stored"
    for path in files:
        data = path.read_bytes()
        assert GPS_MARKER not in data, path.name
        with Image.open(path) as image:
            assert not image.getexif(), path.name
            assert image.height > image.width, path.name
    assert not any("incoming" in path.parts for path in files)


@pytest.mark.parametrize(
    ("data", "name", "original"),
    [
        (png_bytes(700, 500), "shot.png", "png"),
        (webp_bytes(700, 500), "shot.webp", "webp"),
        (gif_bytes(300, 200, frames=1), "still.gif", "gif"),
    ],
)
def test_each_format_keeps_its_own_variant_and_gets_webp(
    client, alice, make_post, site_client, data, name, original
):
    body = upload(client, alice, data, name).get_json()
    assert body["state"] == "ready", body
    make_post(alice, "Pic", f"![x](media:{body['id']})")
    page = site_client(alice).get("/pic/").text
    src = page.split('src="', 1)[1].split('"', 1)[0]
    assert src.endswith(f".{original}")
    assert site_client(alice).get(src).mimetype == f"image/{original}"


def test_variants_are_never_upscaled(client, alice, make_post, site_client):
    body = upload(client, alice, png_bytes(500, 300), "small.png").get_json()
    make_post(alice, "Small", f"![x](media:{body['id']})")
    urls = srcset_urls(site_client(alice).get("/small/").text)
    assert [url.rsplit("-", 1)[1] for url in urls] == ["320.webp", "500.webp"]


def test_animated_gif_stays_animated(client, alice, make_post, site_client):
    body = upload(client, alice, gif_bytes(400, 300, frames=4), "dance.gif").get_json()
    assert body["state"] == "ready", body
    make_post(alice, "Dance", f"![dancing](media:{body['id']})")
    page = site_client(alice).get("/dance/").text
    reader = site_client(alice)
    for url in srcset_urls(page):
        assert frames_of(reader.get(url).data) == 4, url
    src = page.split('src="', 1)[1].split('"', 1)[0]
    assert src.endswith(".gif") and frames_of(reader.get(src).data) == 4


def test_another_blogs_image_is_neither_shown_nor_served(
    client, alice, make_tenant, make_post, site_client, make_media
):
    bob = make_tenant("bob")
    bobs = make_media(bob, png_bytes(400, 300), "bob.png")
    mine = upload(client, alice, jpeg_bytes(), "mine.jpg").get_json()
    make_post(alice, "Borrowed", f"![stolen](media:{bobs})\n\n![none](media:999999)")
    page = site_client(alice).get("/borrowed/")
    assert page.status_code == 200
    assert "[Image not found: stolen]" in page.text
    assert "[Image not found: none]" in page.text
    assert "<img" not in page.text.split('class="body"', 1)[1].split("</div>", 1)[0]
    # Bob's files on Alice's host are not there; hers are not on Bob's.
    make_post(bob, "His", f"![his](media:{bobs})")
    bobs_url = srcset_urls(site_client(bob).get("/his/").text)[0]
    assert site_client(bob).get(bobs_url).status_code == 200
    assert site_client(alice).get(bobs_url).status_code == 404
    mine_name = mine["thumb_url"].rsplit("/", 1)[1]
    assert site_client(bob).get(f"/media/{mine_name}").status_code == 404


def test_uploading_the_same_file_again_is_the_same_image(client, alice):
    data = jpeg_bytes(900, 600)
    first = upload(client, alice, data, "a.jpg").get_json()
    second = upload(client, alice, data, "b.jpg", alt="Late alt").get_json()
    assert second["id"] == first["id"]
    assert second["alt"] == "Late alt"


def test_alt_text_with_brackets_cannot_break_the_reference(client, alice, make_post, site_client):
    body = upload(client, alice, jpeg_bytes(), alt="a [tricky] alt ]").get_json()
    assert body["markdown"] == f"![a \\[tricky\\] alt \\]](media:{body['id']})"
    make_post(alice, "Alt", body["markdown"])
    assert 'alt="a [tricky] alt ]"' in site_client(alice).get("/alt/").text


def test_feeds_carry_absolute_image_urls(client, alice, make_post, site_client):
    body = upload(client, alice, jpeg_bytes(1200, 800)).get_json()
    make_post(alice, "Fed", f"![x](media:{body['id']})")
    feed = site_client(alice).get("/latest.atom").text
    html = unescape(feed.split('<content type="html">', 1)[1].split("</content>", 1)[0])
    src = html.split('src="', 1)[1].split('"', 1)[0]
    assert src.startswith("http://alice.blogs.test/media/") and src.endswith("-1024.jpg")
    urls = srcset_urls(html)
    assert urls and all(url.startswith("http://alice.blogs.test/media/") for url in urls)


def test_a_large_jpeg_is_reduced_while_decoding_and_stays_upright(client, alice, site_client):
    # Stored upside down (orientation 3), 3400 px wide: the 1600 px variant comes from a
    # decode at half the size, turned the right way up.
    body = upload(client, alice, jpeg_bytes(3400, 1200, orientation=3), "wide.jpg").get_json()
    assert (body["width"], body["height"]) == (3400, 1200)
    served = client.get(body["thumb_url"].replace("-320.", "-1600."))
    assert served.status_code == 200
    with Image.open(io.BytesIO(served.data)) as variant:
        assert variant.size == (1600, 565)
        rgb = variant.convert("RGB")
        # The gradient runs dark at the top to light at the bottom; turned, light on top.
        assert rgb.getpixel((10, 5))[0] > rgb.getpixel((10, 560))[0]


def test_an_image_that_fails_processing_says_why_and_can_be_uploaded_again(
    app, client, alice, media_root
):
    data = jpeg_bytes(640, 480)
    with app.app_context(), tenancy.tenant_scope(alice.id):
        tenant = db.session.get_one(Tenant, alice.id)
        media = accept_upload(tenant, "photo.jpg", data, Actor(alice.owner_email))
        db.session.commit()
        # The kept upload is damaged before the queue gets to it (a disk fault).
        [kept] = [path for path in media_root.rglob("*") if path.is_file()]
        kept.write_bytes(data[: len(data) // 3])
        media_id = media.id
    # The app context's end ran the processing (embedded mode).
    with app.app_context(), tenancy.tenant_scope(alice.id):
        failed = db.session.get_one(Media, media_id)
        assert failed.state == "failed"
        assert "could not be processed" in failed.message
    again = upload(client, alice, data, "photo.jpg").get_json()
    assert again["state"] == "ready"
    with app.app_context(), tenancy.tenant_scope(alice.id):
        assert [m.state for m in db.session.scalars(select(Media))] == ["ready"]


def test_the_editors_preview_shows_library_images_from_the_platform_host(client, alice):
    body = upload(client, alice, jpeg_bytes(900, 600), alt="Preview me").get_json()
    token = csrf_token(client, "/blogs/alice/posts/new")
    shown = client.post(
        "/blogs/alice/preview", json={"body_md": body["markdown"]}, headers={"X-CSRFToken": token}
    ).get_json()["html"]
    urls = srcset_urls(shown)
    assert urls and all(url.startswith("/blogs/alice/media/") for url in urls)
    src = shown.split('src="', 1)[1].split('"', 1)[0]
    for url in [src, *urls]:  # the preview is framed on this host, where members see them
        assert client.get(url).status_code == 200, url
