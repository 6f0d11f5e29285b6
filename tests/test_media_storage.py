"""Where images live: S3 (moto's server) as well as the folder, always under the
blog's UUID; straight from the store when MEDIA_PUBLIC_URL names it; gone with a
purged blog; counted in the blog's storage and shown with it."""

import pytest
from sqlalchemy import select

from fixtures.blogs import purge_blog
from fixtures.images import (
    MEDIA_PREFIX,
    jpeg_bytes,
    png_bytes,
    s3_keys,
    srcset_urls,
    upload,
)
from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits.quotas import format_bytes
from inkwell.platform.core.limits.usage import usage
from inkwell.platform.core.models import Media, Tenant


def blog_uuid(app, blog) -> str:
    with app.app_context():
        return str(db.session.get_one(Tenant, blog.id).uuid)


@pytest.fixture
def alice(make_tenant, auth):
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    return blog


def test_on_s3_under_the_blogs_uuid_and_served_from_there(
    app, client, alice, media_s3, make_post, site_client
):
    answer = upload(client, alice, jpeg_bytes(1300, 900, gps=True), "s3.jpg")
    assert answer.status_code == 201, answer.text
    assert answer.get_json()["state"] == "ready"
    keys = s3_keys(media_s3)
    prefix = f"{MEDIA_PREFIX}/{blog_uuid(app, alice)}/"
    assert keys and all(key.startswith(prefix) for key in keys)
    assert not any("/incoming/" in key for key in keys)  # the upload with its GPS is gone
    head = media_s3.head_object(
        Bucket="inkwell-media", Key=next(k for k in keys if k.endswith(".webp"))
    )
    assert head["ContentType"] == "image/webp"
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    make_post(alice, "Cloud", answer.get_json()["markdown"])
    reader = site_client(alice)
    urls = srcset_urls(reader.get("/cloud/").text)
    assert len(urls) == 4  # 320, 640, 1024, 1300
    for url in urls:
        assert reader.get(url).status_code == 200, url


def test_pages_link_the_public_store_when_it_is_set(
    app, client, alice, media_root, make_post, site_client, monkeypatch
):
    public = "https://cdn.example.net/media"
    monkeypatch.setitem(app.config, "MEDIA_PUBLIC_URL", public)
    answer = upload(client, alice, png_bytes(700, 400), "cdn.png").get_json()
    make_post(alice, "CDN", answer["markdown"])
    urls = srcset_urls(site_client(alice).get("/cdn/").text)
    assert urls and all(u.startswith(f"{public}/{blog_uuid(app, alice)}/") for u in urls)
    assert answer["thumb_url"].startswith(f"{public}/")


def test_image_bytes_count_in_the_blogs_storage_and_show_in_the_dashboard(
    app, client, alice, media_root
):
    with app.app_context():
        before = usage([alice.id])[alice.id].storage_bytes
    upload(client, alice, jpeg_bytes(1600, 1000), "big.jpg")
    files = sum(path.stat().st_size for path in media_root.rglob("*") if path.is_file())
    with app.app_context():
        assert usage([alice.id])[alice.id].storage_bytes - before == files
    page = client.get("/blogs/alice/").text
    assert f"(images: {format_bytes(files)})" in page


def test_a_purge_deletes_the_blogs_images(app, client, alice, media_root):
    upload(client, alice, jpeg_bytes(), "gone.jpg")
    assert any(path.is_file() for path in media_root.rglob("*"))
    purge_blog(app, alice)
    with app.app_context(), tenancy.across_tenants():
        assert db.session.scalars(select(Media)).all() == []
    assert not any(path.is_file() for path in media_root.rglob("*"))
