"""Withdrawn posts leave the mirror, however small the blog (issue #16, point 1):
deleting or unpublishing the only post of a blog removes its page, its feed entry
and its tag pages from the folder and the S3 mirror, and later changes still
publish; a build that lost pages that should exist is still refused."""

import feedparser
import pytest

from fixtures.images import png_bytes
from fixtures.mirrors import blog_uuid, edit_post, lose_pages, post_id, publish, read_folder

TAGS = ["python", "travel", "notes", "life"]  # 8 tag pages: most of a one-post mirror
TAG_PAGES = {f"tags/{tag}/{page}" for tag in TAGS for page in ("index.html", "latest.atom")}


@pytest.fixture
def one_post_blog(make_tenant, make_post):
    blog = make_tenant("alice")
    make_post(blog, "Only post", "Words I take back.", tags=TAGS)
    return blog


def delete(app, blog, slug: str) -> None:
    from inkwell.platform.core import tenancy
    from inkwell.platform.core.content.posts import delete_post
    from inkwell.platform.core.content.revisions import Actor
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Post, Tenant

    with app.app_context(), tenancy.tenant_scope(blog.id):
        post = db.session.get_one(Post, post_id(app, blog.id, slug))
        delete_post(post, db.session.get_one(Tenant, blog.id), actor=Actor("editor"))
        db.session.commit()


def unpublish(app, blog, slug: str) -> None:
    edit_post(app, blog.id, post_id(app, blog.id, slug), status="draft")


@pytest.mark.parametrize("withdraw", [delete, unpublish], ids=["deleted", "unpublished"])
def test_a_withdrawn_post_leaves_the_mirror_of_a_one_post_blog(
    app, one_post_blog, mirror_of, make_post, withdraw
) -> None:
    [first] = publish(app, one_post_blog.id)
    before = mirror_of(one_post_blog)
    assert first.status == "succeeded" and {"only-post/index.html"} | TAG_PAGES <= set(before)

    withdraw(app, one_post_blog, "only-post")
    [run] = publish(app, one_post_blog.id)
    after = mirror_of(one_post_blog)
    assert run.status == "succeeded", run.error
    assert run.deleted == 9 and not ({"only-post/index.html"} | TAG_PAGES) & set(after)
    assert feedparser.parse(after["latest.atom"]).entries == []
    assert all(b"Only post" not in body for body in after.values())

    # Every later change reaches the mirror too.
    make_post(one_post_blog, "A new start", "Fresh words.")
    [later] = publish(app, one_post_blog.id)
    after = mirror_of(one_post_blog)
    assert later.status == "succeeded", later.error
    assert b"Fresh words." in after["a-new-start/index.html"]
    assert [e.title for e in feedparser.parse(after["latest.atom"]).entries] == ["A new start"]


def test_the_old_about_page_leaves_a_mirror_whose_blog_has_no_about_page(
    app, one_post_blog, make_post, mirror_root
) -> None:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Mirror

    publish(app, one_post_blog.id)
    root = mirror_root / blog_uuid(app, one_post_blog)
    # As a mirror published before About became a page holds it: no page of the blog now.
    (root / "about").mkdir()
    (root / "about" / "index.html").write_text("<p>This blog has no description yet.</p>")
    with app.app_context():
        mirror = db.session.get_one(Mirror, one_post_blog.id)
        mirror.manifest = {**mirror.manifest, "about/index.html": ["0" * 64, "text/html"]}
        db.session.commit()
    make_post(one_post_blog, "Later", "A change to publish.")
    [run] = publish(app, one_post_blog.id)
    assert run.status == "succeeded", run.error
    assert "about/index.html" not in read_folder(root) and run.deleted == 1


def test_withdrawing_one_of_two_posts_leaves_the_other(app, make_tenant, make_post, mirror_of):
    blog = make_tenant("alice")
    make_post(blog, "Kept", "Still here.", tags=["kept"])
    make_post(blog, "Taken back", "Gone.", tags=TAGS)
    publish(app, blog.id)
    delete(app, blog, "taken-back")
    [run] = publish(app, blog.id)
    after = mirror_of(blog)
    assert run.status == "succeeded", run.error
    assert "taken-back/index.html" not in after and not TAG_PAGES & set(after)
    assert {"kept/index.html", "tags/kept/index.html", "tags/kept/latest.atom"} <= set(after)


def test_a_build_that_lost_the_home_page_and_posts_is_refused(
    app, make_tenant, make_post, make_media, mirror_root, monkeypatch, client, auth
) -> None:
    blog = make_tenant("alice")
    image = make_media(blog, png_bytes(300, 200), "image.png")
    make_post(blog, "Only post", f"Words. ![An image](media:{image})", tags=TAGS)
    publish(app, blog.id)
    before = read_folder(mirror_root / blog_uuid(app, blog))
    assert any(key.startswith("media/") for key in before)  # kept too, below

    with monkeypatch.context() as broken:
        lose_pages(broken, lambda url: url in ("/", "/only-post/"))
        [refused] = publish(app, blog.id, full=True)
        assert refused.status == "refused"
        lacks = "lacks 2 of the pages that should exist (index.html, only-post/index.html)"
        assert lacks in refused.error
        assert read_folder(mirror_root / blog_uuid(app, blog)) == before  # nothing changed
        # The blogger sees why on the mirror page; the operator in the command's summary.
        auth.login(blog.owner_email)
        assert lacks in client.get("/blogs/alice/mirror/").text
        result = app.test_cli_runner().invoke(args=["publish", "alice"])
        assert result.exit_code == 1 and "alice: refused" in result.output
        assert lacks in result.output

    [fixed] = publish(app, blog.id)  # the build is whole again: it goes through
    assert fixed.status == "succeeded" and fixed.deleted == 0


def test_a_snapshot_that_lost_a_public_post_does_not_delete_its_page(
    app, make_tenant, make_post, mirror_root, monkeypatch
) -> None:
    from inkwell.tenants.mirror import pages

    blog = make_tenant("alice")
    make_post(blog, "Only post", "Words.", tags=TAGS)
    publish(app, blog.id)
    snapshot = pages.snapshot
    monkeypatch.setattr(pages, "snapshot", lambda *a: {**snapshot(*a), "posts": []})
    [refused] = publish(app, blog.id, full=True)
    assert refused.status == "refused" and "only-post/index.html" in refused.error
    assert (mirror_root / blog_uuid(app, blog) / "only-post" / "index.html").exists()
