"""Images in static mirrors (issue 17, point 5): a mirror holds every file a public
page's `<img src srcset>` names, linked relatively (from disk, under a prefix),
uploaded once by its content-hashed name, and an image no public post shows any
more leaves like a withdrawn post's page (a broken build deleting no image either:
test_mirror_withdrawn).
Folder and S3 (moto's server) targets."""

import re

import pytest

from fixtures.images import jpeg_bytes, png_bytes
from fixtures.mirrors import (
    PREFIX,
    blog_uuid,
    broken_links,
    download,
    edit_post,
    post_id,
    publish,
    read_folder,
)

SRCSET_RE = re.compile(r'srcset="([^"]*)"')
SRC_RE = re.compile(r'<img [^>]*src="([^"]*)"')


def shown_files(page: bytes) -> set[str]:
    """Every image file a mirror page links to, relative to the page as written."""
    html = page.decode()
    links = set(SRC_RE.findall(html))
    for srcset in SRCSET_RE.findall(html):
        links |= {part.split()[0] for part in srcset.split(",")}
    return links


def media_keys(files: dict[str, bytes]) -> set[str]:
    return {key for key in files if key.startswith("media/")}


@pytest.fixture
def photo_blog(make_tenant, make_post, make_media):
    blog = make_tenant("alice")
    photo = make_media(blog, jpeg_bytes(2400, 1600), "photo.jpg")
    make_post(blog, "With a photo", f"Look:\n\n![A photo](media:{photo})\n", tags=["trips"])
    make_post(blog, "Words only", "No images here.")
    return blog


def store_file(media_root, app, blog, name: str) -> bytes:
    return (media_root / blog_uuid(app, blog) / name).read_bytes()


def test_a_mirror_holds_every_file_its_pages_show_linked_relatively(
    app, photo_blog, mirror_of, media_root
) -> None:
    [run] = publish(app, photo_blog.id)
    assert run.status == "succeeded", run.error
    files = mirror_of(photo_blog)
    page = files["with-a-photo/index.html"]
    links = shown_files(page)
    # The fallback JPEG and the four WebP widths of a 2400 px photo, all inside the mirror.
    assert len(links) == 5 and all(link.startswith("../media/") for link in links)
    assert b'="/media/' not in page and b" /media/" not in page
    assert media_keys(files) == {link.removeprefix("../") for link in links}
    for key in media_keys(files):
        assert files[key] == store_file(media_root, app, photo_blog, key.removeprefix("media/"))
    assert broken_links(files) == []  # srcset entries included


def test_images_on_s3_are_typed_and_immutable(app, photo_blog, s3, media_root) -> None:
    publish(app, photo_blog.id)
    prefix = f"{PREFIX}/{blog_uuid(app, photo_blog)}/media/"
    images = {key: obj for key, obj in download(s3).items() if key.startswith(prefix)}
    assert len(images) == 5
    for key, obj in images.items():
        kind = "image/webp" if key.endswith(".webp") else "image/jpeg"
        assert (obj["type"], obj["cache"]) == (kind, "public, max-age=31536000, immutable")


@pytest.fixture
def puts(monkeypatch):
    """The keys every target (folder or S3) is asked to write, in order: a spy,
    the writes still happen."""
    from inkwell.platform.core.storage import targets

    written: list[str] = []
    for cls in (targets.FolderTarget, targets.S3Target):
        real = cls.put

        def put(self, key, *args, real=real, **kwargs):
            written.append(key)
            return real(self, key, *args, **kwargs)

        monkeypatch.setattr(cls, "put", put)
    return written


def test_each_image_is_uploaded_once(
    app, photo_blog, mirror_of, make_post, make_media, puts
) -> None:
    publish(app, photo_blog.id)
    first = [key for key in puts if key.startswith("media/")]
    assert len(first) == 5
    assert puts.index(first[-1]) < puts.index("with-a-photo/index.html")  # images before pages
    puts.clear()
    # An edit elsewhere (a few pages), then a new post that shows the same photo
    # and another (every page is built again): only the new image's files go up.
    edit_post(app, photo_blog.id, post_id(app, photo_blog.id, "words-only"), body_md="Edited.")
    [edited] = publish(app, photo_blog.id)
    assert edited.status == "succeeded" and puts and not any(k.startswith("media/") for k in puts)
    with app.app_context():
        from inkwell.platform.core import tenancy
        from inkwell.platform.core.extensions import db
        from inkwell.platform.core.models import Media

        with tenancy.tenant_scope(photo_blog.id):
            photo = db.session.scalars(db.select(Media.id)).one()
    icon = make_media(photo_blog, png_bytes(300, 200), "icon.png")
    make_post(photo_blog, "Both", f"![again](media:{photo}) ![icon](media:{icon})")
    puts.clear()
    [full] = publish(app, photo_blog.id)
    assert full.status == "succeeded"
    # A 300 px PNG: its own width in PNG (src) and WebP, and 320 px is never made.
    assert sorted(k.rsplit(".", 1)[1] for k in puts if k.startswith("media/")) == ["png", "webp"]
    assert broken_links(mirror_of(photo_blog)) == []


def test_an_image_no_public_post_shows_leaves_the_mirror(
    app, make_tenant, make_post, make_media, mirror_of
) -> None:
    blog = make_tenant("alice")
    shared = make_media(blog, png_bytes(500, 400), "shared.png")
    own = make_media(blog, jpeg_bytes(700, 500), "own.jpg")
    first = make_post(blog, "First", f"![s](media:{shared}) ![o](media:{own})")
    make_post(blog, "Second", f"![s](media:{shared})")
    publish(app, blog.id)
    before = media_keys(mirror_of(blog))
    assert len(before) == 7  # shared: 320 + 500 in WebP, 500 PNG; own: 320, 640, 700 WebP + JPEG

    edit_post(app, blog.id, first, body_md="Images gone from this one.")
    [run] = publish(app, blog.id)
    files = mirror_of(blog)
    assert run.status == "succeeded", run.error
    still = {link.removeprefix("../") for link in shown_files(files["second/index.html"])}
    assert media_keys(files) == still and len(still) == 3 and run.deleted == 4

    # The last post showing it goes back to draft: its page and its image leave.
    edit_post(app, blog.id, post_id(app, blog.id, "second"), status="draft")
    [run] = publish(app, blog.id)
    files = mirror_of(blog)
    assert run.status == "succeeded", run.error
    assert media_keys(files) == set() and "second/index.html" not in files


def test_pages_linking_to_the_bucket_link_to_the_mirrors_copies(
    app, make_tenant, make_post, make_media, mirror_root, site_client, monkeypatch
) -> None:
    for each in (app, app.extensions["inkwell.site_app"]):
        monkeypatch.setitem(each.config, "MEDIA_PUBLIC_URL", "https://cdn.example.org/img")
    blog = make_tenant("alice")
    photo = make_media(blog, jpeg_bytes(900, 600), "photo.jpg")
    make_post(blog, "Photo", f"![p](media:{photo})")
    uuid = blog_uuid(app, blog)
    assert f'src="https://cdn.example.org/img/{uuid}/' in site_client(blog).get("/photo/").text
    [run] = publish(app, blog.id)
    files = read_folder(mirror_root / uuid)
    page = files["photo/index.html"]
    assert run.status == "succeeded" and b"cdn.example.org" not in page
    assert {link.removeprefix("../") for link in shown_files(page)} == media_keys(files) != set()
    assert broken_links(files) == []


def test_an_image_processed_after_its_post_went_live_reaches_the_mirror(
    app, make_tenant, make_post, make_media, mirror_root, media_root
) -> None:
    from inkwell.platform.core import tenancy
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.media import processing
    from inkwell.platform.core.media.library import file_names, incoming_key
    from inkwell.platform.core.models import Media

    blog = make_tenant("alice")
    upload = jpeg_bytes(800, 600)
    photo = make_media(blog, upload, "photo.jpg")
    store = media_root / blog_uuid(app, blog)
    with app.app_context(), tenancy.tenant_scope(blog.id):  # as a worker had not run yet
        media = db.session.get_one(Media, photo)
        for name in file_names(media):
            (store / name).unlink()
        (store / incoming_key(media)).parent.mkdir(exist_ok=True)
        (store / incoming_key(media)).write_bytes(upload)
        media.state = "processing"
        db.session.commit()
    make_post(blog, "Photo", f"![p](media:{photo})")
    [early] = publish(app, blog.id)
    assert early.status == "succeeded" and not media_keys(read_folder(mirror_root / store.name))

    with app.app_context():
        assert processing.process(blog.id, photo) == "ready"
    # Processing told the mirror: the next publish (due by itself) brings the files.
    with app.app_context():
        from inkwell.platform.core.models import Mirror

        assert db.session.get_one(Mirror, blog.id).changed_at is not None
    [late] = publish(app, blog.id)
    files = read_folder(mirror_root / store.name)
    assert late.status == "succeeded" and len(media_keys(files)) == 4
    assert broken_links(files) == []


def test_purging_a_blog_deletes_its_mirror_images_and_library(
    app, photo_blog, mirror_root, media_root
) -> None:
    from inkwell.platform.core.administration import lifecycle
    from inkwell.platform.core.administration.purge import purge
    from inkwell.platform.core.audit import cli_actor
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant

    publish(app, photo_blog.id)
    uuid = blog_uuid(app, photo_blog)
    assert media_keys(read_folder(mirror_root / uuid)) and any((media_root / uuid).iterdir())
    with app.app_context():
        tenant = db.session.get_one(Tenant, photo_blog.id)
        lifecycle.delete(tenant, "Spam", cli_actor())
        db.session.commit()
        purge(tenant, cli_actor())
    assert not (mirror_root / uuid).exists() and not (media_root / uuid).exists()


def test_a_posts_cover_is_in_the_mirror_where_its_og_image_names_it(
    app, make_tenant, make_post, make_media, mirror_root
) -> None:
    blog = make_tenant("alice")
    cover = make_media(blog, jpeg_bytes(2400, 1600), "cover.jpg")
    make_post(blog, "Covered", "No image in the text.", cover_media_id=cover)
    [run] = publish(app, blog.id)
    files = read_folder(mirror_root / blog_uuid(app, blog))
    [og_image] = re.findall(
        r'property="og:image" content="([^"]+)"', files["covered/index.html"].decode()
    )
    assert run.status == "succeeded" and og_image.startswith("http://alice.blogs.test/media/")
    assert media_keys(files) == {og_image.removeprefix("http://alice.blogs.test/")}
