"""The media library's API as the library page and imports call it: which posts
use an image, alt text, deleting an image (its files, its row, and the posts that
showed it say it is gone)."""

import pytest
from sqlalchemy import select

from fixtures.images import jpeg_bytes, png_bytes, srcset_urls
from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.media.library import (
    delete_media,
    markdown_reference,
    media_in_use,
    posts_using,
    set_alt,
)
from inkwell.platform.core.models import Media, Tenant


@pytest.fixture
def alice(make_tenant, media_root):
    return make_tenant("alice")


def test_posts_using_an_image_are_found_by_its_id_alone(app, alice, make_post, make_media):
    first = make_media(alice, jpeg_bytes(400, 300), "one.jpg")
    others = [make_media(alice, png_bytes(100 + n, 80), f"{n}.png") for n in range(11)]
    eleventh = others[-1]  # an id that starts with the first's digits once ids reach 10
    make_post(alice, "Uses one", f"![a](media:{first})")
    make_post(alice, "Uses the eleventh", f"![b](media:{eleventh})")
    make_post(alice, "Uses both", f"![a](media:{first}) and ![b](media:{eleventh})")
    make_post(alice, "Uses none", "media: is just a word here")
    with app.app_context(), tenancy.tenant_scope(alice.id):
        one = db.session.get_one(Media, first)
        assert [p.title for p in posts_using(one)] == ["Uses both", "Uses one"]
        using = media_in_use(db.session.get_one(Tenant, alice.id))
        assert {media: [p.title for p in posts] for media, posts in using.items()} == {
            first: ["Uses both", "Uses one"],
            eleventh: ["Uses both", "Uses the eleventh"],
        }


def test_alt_text_is_kept_on_one_line_and_escaped_in_the_reference(app, alice, make_media):
    image = make_media(alice)
    with app.app_context(), tenancy.tenant_scope(alice.id):
        media = db.session.get_one(Media, image)
        set_alt(media, "  Sunset\nover the\x00 [bay]\u202e ")
        assert media.alt == "Sunset over the [bay]"
        assert markdown_reference(media) == f"![Sunset over the \\[bay\\]](media:{image})"
        assert markdown_reference(media, "other") == f"![other](media:{image})"


def test_deleting_an_image_removes_its_files_and_posts_show_it_is_gone(
    app, alice, make_post, make_media, site_client, media_root
):
    image = make_media(alice, jpeg_bytes(900, 600), "gone.jpg")
    kept = make_media(alice, png_bytes(300, 200), "kept.png")
    make_post(alice, "Trip", f"![The bay](media:{image})\n\n![Kept](media:{kept})")
    reader = site_client(alice)
    urls = srcset_urls(reader.get("/trip/").text)
    assert all(reader.get(url).status_code == 200 for url in urls)
    files_before = {p.name for p in media_root.rglob("*") if p.is_file()}
    with app.app_context(), tenancy.tenant_scope(alice.id):
        media = db.session.get_one(Media, image)
        users = delete_media(db.session.get_one(Tenant, alice.id), media)
        db.session.commit()
        assert [post.title for post in users] == ["Trip"]
        assert db.session.scalars(select(Media.id)).all() == [kept]
    deleted_hash = urls[0].rsplit("/", 1)[1].split("-")[0]
    files_after = {p.name for p in media_root.rglob("*") if p.is_file()}
    assert files_after == {name for name in files_before if not name.startswith(deleted_hash)}
    assert len(files_after) == 2  # the kept image: its original (300 px PNG) and a WebP
    page = reader.get("/trip/").text
    assert "[Image not found: The bay]" in page
    assert 'alt="Kept"' in page
    answers = {url: reader.get(url).status_code for url in urls}
    assert answers == {url: 404 if deleted_hash in url else 200 for url in urls}
