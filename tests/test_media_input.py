"""Bad uploads to the media library: each gets a sentence saying what is wrong and
the right status, nothing is stored (no row, no file) and nothing answers 500."""

import io
import struct
import zlib
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from fixtures.accounts import AuthActions
from fixtures.app import csrf_token, platform_browser
from fixtures.images import jpeg_bytes, png_bytes, upload
from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Media, Quota

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HTML = b"<html><body><script>alert(document.domain)</script></body></html>"


@pytest.fixture
def alice(make_tenant, auth, media_root):
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    return blog


def stored(app: Flask, media_root: Path) -> tuple[int, list[Path]]:
    """Rows of images on any blog, and files under the media store."""
    with app.app_context(), tenancy.across_tenants():
        rows = db.session.scalar(select(func.count()).select_from(Media)) or 0
    return rows, [path for path in media_root.rglob("*") if path.is_file()]


def png_header_only(width: int, height: int) -> bytes:
    """A PNG claiming `width` x `height` pixels whose data is a few zero rows: a
    decompression bomb's header, made without holding its pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * (width + 1) * 4)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def flat_animation(width: int, height: int, frames: int) -> bytes:
    """A long animation of flat frames: a small file of many pixels."""
    shown = [Image.new("P", (width, height), i % 200) for i in range(frames)]
    out = io.BytesIO()
    shown[0].save(out, "GIF", save_all=True, append_images=shown[1:], duration=40)
    return out.getvalue()


def polyglot() -> bytes:
    """A JPEG that is also a page: HTML in its comment and after its end."""
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "teal").save(out, "JPEG", comment=HTML)
    return out.getvalue() + HTML


@pytest.mark.parametrize(
    ("data", "name", "status", "words"),
    [
        (b"just some text, not a picture\n", "notes.jpg", 415, "not an image"),
        (HTML, "page.png", 415, "not an image"),
        (png_bytes(40, 40), "evil.html", 415, "does not look like an image"),
        (png_bytes(40, 40), "run.exe", 415, "does not look like an image"),
        (SVG, "logo.svg", 415, "SVG images are not accepted"),
        (SVG, "logo.png", 415, "scripts"),
        (b"", "empty.jpg", 422, "empty"),
        (half(jpeg_bytes(800, 600)), "cut.jpg", 422, "damaged or incomplete"),
        (half(png_bytes(300, 300)), "cut.png", 422, "damaged or incomplete"),
        (png_header_only(10_000, 10_000), "bomb.png", 413, "too many pixels"),
        (flat_animation(600, 600, frames=300), "long.gif", 413, "animation is too large"),
    ],
    ids=[
        "text",
        "html",
        "html-ext",
        "exe-ext",
        "svg",
        "svg-as-png",
        "empty",
        "cut-jpeg",
        "cut-png",
        "bomb",
        "long-gif",
    ],
)
def test_refused_with_a_reason_and_nothing_stored(
    app, client, alice, media_root, data, name, status, words
):
    answer = upload(client, alice, data, name)
    assert answer.status_code == status, answer.text
    assert words in answer.get_json()["error"]
    assert stored(app, media_root) == (0, [])


def test_a_polyglot_is_re_encoded_and_never_served_as_a_page(
    client, alice, make_post, site_client, media_root
):
    answer = upload(client, alice, polyglot(), "both.jpg")
    assert answer.status_code == 201, answer.text
    make_post(alice, "Poly", answer.get_json()["markdown"])
    for path in media_root.rglob("*"):
        if path.is_file():
            assert b"<script" not in path.read_bytes(), path.name
    src = site_client(alice).get("/poly/").text.split('src="', 1)[1].split('"', 1)[0]
    served = site_client(alice).get(src)
    assert served.mimetype == "image/jpeg"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert b"<script" not in served.data


def test_a_jpeg_named_png_is_kept_under_its_real_extension(client, alice):
    answer = upload(client, alice, jpeg_bytes(300, 200), "really-a.png")
    assert answer.status_code == 201
    assert answer.get_json()["name"] == "really-a.jpg"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../../etc/passwd.jpg", "passwd.jpg"),
        ("C:/Users/me/Pictures/cat.jpg", "cat.jpg"),
        ("a\x00b\x1b[31m\u202egpj.exe.jpg", "ab[31mgpj.exe.jpg"),
        ("\n\t.hidden.jpg", "hidden.jpg"),
        ("Screen Shot 2024-05-01 at 10.30.45", "Screen Shot 2024-05-01 at 10.30.45.jpg"),
    ],
)
def test_file_names_lose_folders_and_control_characters(
    client, alice, media_root, tmp_path, sent, kept
):
    answer = upload(client, alice, jpeg_bytes(300, 200), sent)
    assert answer.status_code == 201, answer.text
    assert answer.get_json()["name"] == kept
    # Files are named by their hash inside the blog's folder, never by the sent name.
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and media_root not in p.parents]
    assert outside == []


def test_uploading_to_another_blogs_library_is_not_found(
    app, client, alice, make_tenant, media_root
):
    make_tenant("bob")
    assert upload(client, alice, jpeg_bytes(), "x.jpg").status_code == 201
    answer = upload(client, "bob", jpeg_bytes(300, 300), "x.jpg", form_blog="alice")
    assert answer.status_code == 404
    assert "error" in answer.get_json()
    rows, _files = stored(app, media_root)
    assert rows == 1  # alice's own upload only


def test_over_the_storage_quota_nothing_is_stored(app, client, alice, media_root):
    with app.app_context():
        db.session.add(Quota(tenant_id=alice.id, storage_bytes=20_000))
        db.session.commit()
    answer = upload(client, alice, jpeg_bytes(1600, 1200), "big.jpg")
    assert answer.status_code == 403
    assert "storage limit" in answer.get_json()["error"]
    assert stored(app, media_root) == (0, [])


def test_a_file_over_the_size_limit_is_refused(app, client, alice, media_root, monkeypatch):
    monkeypatch.setitem(app.config, "MEDIA_MAX_BYTES", 30_000)
    data = jpeg_bytes(1600, 1200)
    assert len(data) > 30_000
    answer = upload(client, alice, data, "big.jpg")
    assert answer.status_code == 413
    assert "at most 0.03 MB" in answer.get_json()["error"]
    far_over = upload(client, alice, data + b"\0" * 200_000, "huge.jpg")  # past the body limit
    assert far_over.status_code == 413
    assert "too large" in far_over.get_json()["error"]
    assert stored(app, media_root) == (0, [])


def test_script_errors_are_json(app, alice, media_root):
    stranger = platform_browser(app)
    # No session, so no CSRF token either: the token check answers first.
    answer = stranger.post("/blogs/alice/media", data={"file": (io.BytesIO(b"x"), "x.jpg")})
    assert answer.status_code == 400
    assert "Reload the page" in answer.get_json()["error"]
    AuthActions(stranger).login(alice.owner_email)
    token = csrf_token(stranger, "/blogs/alice/posts/new")
    no_file = stranger.post(
        "/blogs/alice/media", data={"alt": "no file"}, headers={"X-CSRFToken": token}
    )
    assert no_file.status_code == 400
    assert "Choose an image" in no_file.get_json()["error"]
    stranger.post("/logout", data={"csrf_token": token})
    logged_out = stranger.post(
        "/blogs/alice/media", data={"alt": "x"}, headers={"X-CSRFToken": token}
    )
    assert logged_out.status_code in (400, 401)
    assert logged_out.is_json


def test_every_role_may_upload(app, make_tenant, add_member, media_root):
    blog = make_tenant("alice")
    author = add_member(blog, "writer@example.com", "author")
    browser = platform_browser(app)
    AuthActions(browser).login(author)
    assert upload(browser, blog, png_bytes(100, 80), "a.png").status_code == 201
