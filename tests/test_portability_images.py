"""Images in exports and imports (issue 17, point 5): an export carries the library's
originals as `media/<name>` and posts point at them relatively; importing it, or
an Obsidian vault or a Jekyll site with its images, brings them into the blog's
library and points the posts at them; export -> import -> export gives the same
bytes; missing and refused images are named, never a 500."""

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from fixtures.images import GPS_MARKER, gif_bytes, jpeg_bytes, png_bytes, webp_bytes
from fixtures.mirrors import edit_post
from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Media, Post, Tenant
from inkwell.platform.core.portability.markdown_io import (
    ImportReport,
    export_markdown,
    import_markdown,
    plan_import,
)


def export_bytes(app, blog) -> bytes:
    out = io.BytesIO()
    with app.app_context():
        export_markdown(db.session.get_one(Tenant, blog.id), out)
    return out.getvalue()


def run_import(app, blog, bundle: Path) -> ImportReport:
    with app.app_context():
        return import_markdown(db.session.get_one(Tenant, blog.id), None, bundle)


def library(app, blog) -> dict[str, tuple[str, str]]:
    """name -> (alt, state) of each image in the blog's library."""
    with app.app_context(), tenancy.tenant_scope(blog.id):
        return {m.name: (m.alt, m.state) for m in db.session.scalars(select(Media))}


def bodies(app, blog) -> dict[str, tuple[str, str]]:
    """slug -> (Markdown, stored HTML) of each post."""
    with app.app_context(), tenancy.tenant_scope(blog.id):
        return {p.slug: (p.body_md, p.body_html) for p in db.session.scalars(select(Post))}


def entries(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def zip_file(path: Path, files: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return path


@pytest.fixture
def illustrated(make_tenant, make_post, make_media, app):
    """A blog with a rotated GPS-tagged photo, a PNG, two files both named photo.jpg,
    a WebP only the library has, tags, an old address and a right-to-left post."""
    blog = make_tenant("alice")
    photo = make_media(blog, jpeg_bytes(1200, 800, orientation=6, gps=True), "photo.jpg", "Dusk")
    other = make_media(blog, jpeg_bytes(640, 480), "photo.jpg")
    chart = make_media(blog, png_bytes(500, 300), "chart (v2).png")
    make_media(blog, webp_bytes(400, 300), "unused.webp", alt="Kept in the library")
    make_media(blog, gif_bytes(120, 90, frames=1), "dot.gif")
    trip = make_post(
        blog,
        "Trip",
        f'![Dusk [at sea]](media:{photo} "The bay")\n\n![](media:{other})\n\n'
        f"Twice: ![Dusk again](media:{photo})\n\n```\n![code](media:{photo})\n```\n",
        tags=["Travel", "日本"],
        cover_media_id=chart,
    )
    edit_post(app, blog.id, trip, slug="the-trip")  # "trip" stays as an old address
    make_post(blog, "رحلة", f"صورة: ![رسم](media:{chart})", tags=["سفر"])
    make_post(blog, "Draft", f"![gone](media:999999) and ![chart](media:{chart})", status="draft")
    return blog


def test_export_carries_originals_and_relative_references(app, illustrated) -> None:
    archive = zipfile.ZipFile(io.BytesIO(export_bytes(app, illustrated)))
    names = archive.namelist()
    media = [n for n in names if n.startswith("media/") and not n.endswith(".yaml")]
    assert media == [
        "media/chart (v2).png", "media/dot.gif", "media/photo-2.jpg", "media/photo.jpg",
        "media/unused.webp",
    ]  # fmt: skip
    alts = archive.read("media/alt-text.yaml").decode()
    assert alts == "photo.jpg: Dusk\nunused.webp: Kept in the library\n"
    trip = archive.read("posts/the-trip.md").decode()
    assert '![Dusk [at sea]](../media/photo.jpg "The bay")' in trip
    assert (
        "![](../media/photo-2.jpg)" in trip and "Twice: ![Dusk again](../media/photo.jpg)" in trip
    )
    assert "```\n![code](media:" in trip  # code stays code
    assert "cover: ../media/chart (v2).png\naliases:\n- trip\n" in trip
    assert (
        "![رسم](../media/chart%20%28v2%29.png)"
        in archive.read(f"posts/{_slug('رحلة')}.md").decode()
    )
    draft = archive.read("posts/draft.md").decode()
    assert "![gone](media:999999)" in draft  # no such image: as written
    # The originals: upright (rotated 1200 x 800 shows 800 x 1200), and no GPS left.
    from PIL import Image

    with Image.open(io.BytesIO(archive.read("media/photo.jpg"))) as image:
        assert image.size == (800, 1200)
    assert all(GPS_MARKER not in archive.read(name) for name in media)


def _slug(title: str) -> str:
    from inkwell.platform.core.content.posts import slugify

    return slugify(title)


def test_export_import_export_gives_the_same_bytes(app, illustrated, make_tenant, tmp_path) -> None:
    first = export_bytes(app, illustrated)
    bundle = tmp_path / "alice.zip"
    bundle.write_bytes(first)
    bob = make_tenant("bob")
    report = run_import(app, bob, bundle)
    assert report.errors == [] and (report.images, report.created) == (5, 3)
    assert library(app, bob)["photo.jpg"] == ("Dusk", "ready")  # the library's alt came along
    assert library(app, bob)["unused.webp"][1] == "ready"
    second = export_bytes(app, bob)
    assert entries(second) == entries(first)  # file by file first: readable when it fails
    assert second == first
    # The posts show bob's own copies, and the cover is bob's.
    with app.app_context(), tenancy.tenant_scope(bob.id):
        trip = db.session.scalars(select(Post).where(Post.slug == "the-trip")).one()
        assert trip.cover is not None and trip.cover.name == "chart (v2).png"
    html = bodies(app, bob)["the-trip"][1]
    assert 'srcset="/media/' in html and "Image not found" not in html
    with app.app_context(), tenancy.tenant_scope(bob.id):
        ids = set(db.session.scalars(select(Media.id)))
    assert {int(i) for i in _ids(bodies(app, bob)["the-trip"][0])} <= ids


def _ids(markdown: str) -> list[str]:
    import re

    return re.findall(r"\]\(media:(\d+)", markdown.split("```")[0])


def test_importing_a_blogs_own_export_changes_nothing(app, illustrated, tmp_path) -> None:
    bundle = tmp_path / "alice.zip"
    bundle.write_bytes(export_bytes(app, illustrated))
    before = (library(app, illustrated), bodies(app, illustrated))
    report = run_import(app, illustrated, bundle)
    assert (report.images, report.created, report.updated, report.errors) == (0, 0, 0, [])
    assert (library(app, illustrated), bodies(app, illustrated)) == before


def test_an_obsidian_vault_brings_its_images(app, make_tenant, media_root, tmp_path) -> None:
    blog = make_tenant("alice")
    note = (
        "---\ntitle: Beach day\ntags: [summer]\ncover: ../Attachments/nowhere.png\n---\n"
        "![[beach.png]]\n\nSmaller: ![[beach.png|300]]\n\n"
        "![Map of the bay](../Attachments/map%20v2.jpg)\n\n![[not here.png]]\n"
    )
    vault = zip_file(
        tmp_path / "vault.zip",
        {
            "Vault/Daily/Beach day.md": note,
            "Vault/Attachments/beach.png": png_bytes(700, 400),
            "Vault/Attachments/map v2.jpg": jpeg_bytes(900, 600),
            "Vault/Attachments/unrelated.png": png_bytes(100, 100),
            "Vault/.obsidian/app.json": "{}",
        },
    )
    with app.app_context():
        plan = plan_import(db.session.get_one(Tenant, blog.id), vault)
    [step] = plan.steps
    assert step.notes == (
        "“not here.png” is not in the bundle",
        "cover “../Attachments/nowhere.png” is not in the bundle: the cover stays as it is",
    )
    assert [(i.name, i.action) for i in plan.images] == [
        ("Vault/Attachments/beach.png", "new"), ("Vault/Attachments/map v2.jpg", "new"),
    ]  # fmt: skip
    report = run_import(app, blog, vault)
    assert (report.created, report.images, report.errors) == (1, 2, [])
    assert set(library(app, blog)) == {"beach.png", "map v2.jpg"}
    assert library(app, blog)["map v2.jpg"][0] == "Map of the bay"
    body, html = bodies(app, blog)["beach-day"]
    assert body.count("](media:") == 3 and "![[not here.png]]" in body
    assert html.count("<img") == 3


def test_a_jekyll_site_folder_brings_the_images_its_posts_show(app, make_tenant, tmp_path) -> None:
    blog = make_tenant("alice")
    site = tmp_path / "site"
    files = {
        "_posts/2024-03-01-hello.md": (
            "---\ntitle: Hello\ndate: 2024-03-01\nimage: /images/photo.jpg\n---\n"
            "![Logo]({{ site.baseurl }}/assets/img/logo.png)\n\n![Photo](/images/photo.jpg)\n"
        ),
        "assets/img/logo.png": png_bytes(200, 200),
        "images/photo.jpg": jpeg_bytes(1000, 700),
        "assets/favicon.png": png_bytes(32, 32),  # the theme's, no post shows it
    }
    for name, content in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(content.encode() if isinstance(content, str) else content)
    report = run_import(app, blog, site)
    assert (report.created, report.images, report.errors) == (1, 2, [])
    assert set(library(app, blog)) == {"logo.png", "photo.jpg"}
    body = bodies(app, blog)["2024-03-01-hello"][0]
    assert body.count("](media:") == 2 and "site.baseurl" not in body
    with app.app_context(), tenancy.tenant_scope(blog.id):
        post = db.session.scalars(select(Post)).one()
        assert post.cover is not None and post.cover.name == "photo.jpg"  # Jekyll's `image`


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def test_refused_images_are_named_and_the_posts_keep_them_as_written(
    app, make_tenant, media_root, tmp_path
) -> None:
    blog = make_tenant("alice")
    good, truncated = png_bytes(300, 200), png_bytes(600, 400)[:700]
    post = "---\ntitle: Mixed\n---\n![a](ok.png) ![b](evil.svg) ![c](cut.png) ![d](notes.png)\n"
    bundle = zip_file(
        tmp_path / "b.zip",
        {"mixed.md": post, "ok.png": good, "evil.svg": SVG, "cut.png": truncated,
         "notes.png": b"just some text, not a picture"},
    )  # fmt: skip
    report = run_import(app, blog, bundle)
    errors = dict(report.errors)
    assert set(errors) == {"evil.svg", "cut.png", "notes.png"} and report.images == 1
    assert "SVG images are not accepted" in errors["evil.svg"]
    assert "damaged or incomplete" in errors["cut.png"]
    assert "not an image" in errors["notes.png"]
    assert set(library(app, blog)) == {"ok.png"}
    body = bodies(app, blog)["mixed"][0]
    assert "![b](evil.svg) ![c](cut.png) ![d](notes.png)" in body and "![a](media:" in body
    stored = [p.name for p in media_root.rglob("*") if p.is_file()]
    assert len(stored) == 2  # ok.png's: its original, its WebP; nothing of the others
    assert not any(p.name.startswith(("evil", "cut", "notes")) for p in media_root.rglob("*"))


def test_images_over_the_storage_quota_are_refused_by_name(
    app, make_tenant, media_root, tmp_path
) -> None:
    from inkwell.platform.core.models import Quota

    blog = make_tenant("alice")
    with app.app_context():
        db.session.merge(Quota(tenant_id=blog.id, storage_bytes=20_000))
        db.session.commit()
    big = jpeg_bytes(1600, 1200)
    assert len(big) > 20_000
    bundle = zip_file(
        tmp_path / "b.zip", {"p.md": "---\ntitle: P\n---\n![x](big.jpg)\n", "big.jpg": big}
    )
    with app.app_context():
        plan = plan_import(db.session.get_one(Tenant, blog.id), bundle)
    [image] = plan.images
    assert image.action == "error" and "storage limit" in image.message
    report = run_import(app, blog, bundle)
    assert report.created == 1 and report.images == 0 and library(app, blog) == {}
    assert "storage limit" in dict(report.errors)["big.jpg"]
    assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))


def _plain_jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.linear_gradient("L").resize((900, 600)).convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "kept"),
    [
        (_plain_jpeg(), True),  # nothing but the image: encoding it again only loses quality
        (webp_bytes(500, 400), True),
        (jpeg_bytes(900, 600, gps=True), False),  # EXIF and a comment: encoded again
        (_plain_jpeg() + b"<html><script>alert(1)</script></html>", False),  # a polyglot's tail
        (png_bytes(300, 200), True),  # no rule: the same pixels encode to the same bytes
    ],
    ids=["jpeg", "webp", "jpeg-with-exif", "jpeg-polyglot", "png"],
)
def test_an_original_holding_only_its_image_is_stored_as_it_is(
    app, make_tenant, make_media, media_root, data, kept
) -> None:
    from inkwell.platform.core.media.library import original_name

    blog = make_tenant("alice")
    media_id = make_media(blog, data, "upload")
    with app.app_context(), tenancy.tenant_scope(blog.id):
        name = original_name(db.session.get_one(Media, media_id))
        uuid = db.session.get_one(Tenant, blog.id).uuid
    original = (media_root / str(uuid) / name).read_bytes()
    assert (original == data) is kept
    assert b"<html" not in original and GPS_MARKER not in original
