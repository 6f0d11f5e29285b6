"""Links a writer puts in a post as `/other-post/` work in the static mirror too:
opened from disk or served under a prefix, where a root-relative link leads out
of the blog. The blog itself and its feeds keep them as written (absolute in feeds)."""

import feedparser
import pytest

from fixtures.mirrors import broken_links, publish, read_folder
from inkwell.tenants.mirror.freeze import relative_body_links

BODY = (
    "See [the other post](/other-post/), [its tag](/tags/notes#top), "
    "[the home page](/), [a site](https://example.org/x/) and [a note](#fn)."
)


@pytest.fixture
def blog(make_tenant, make_post):
    blog = make_tenant("alice")
    make_post(blog, "Other post", "Linked to.", tags=["notes"])
    make_post(blog, "Linking post", BODY)
    return blog


def mirror_files(app, blog, mirror_root) -> dict[str, bytes]:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant

    [run] = publish(app, blog.id)
    assert run.status == "succeeded", run.error
    with app.app_context():
        uuid = str(db.session.get_one(Tenant, blog.id).uuid)
    return read_folder(mirror_root / uuid)


def test_a_posts_root_relative_links_become_relative_in_the_mirror(app, blog, mirror_root) -> None:
    files = mirror_files(app, blog, mirror_root)
    page = files["linking-post/index.html"].decode()
    assert 'href="../other-post/index.html"' in page
    assert 'href="../tags/notes/index.html#top"' in page
    assert 'href="../index.html"' in page
    assert 'href="https://example.org/x/"' in page and 'href="#fn"' in page
    assert 'href="/' not in page  # nothing left that leaves the mirror's folder
    assert broken_links(files) == []


def test_the_blog_and_its_feed_keep_the_links_as_written(blog, site_client) -> None:
    reader = site_client(blog)
    assert 'href="/other-post/"' in reader.get("/linking-post/").text
    feed = feedparser.parse(reader.get("/latest.atom").data)
    linking = next(e for e in feed.entries if e.title == "Linking post")
    assert 'href="http://alice.blogs.test/other-post/"' in linking.content[0].value


@pytest.mark.parametrize(
    ("link", "page", "relative"),
    [
        ("/other-post/", "/", "other-post/index.html"),
        ("/other-post", "/deep/post/", "../../other-post/index.html"),
        ("/feed.atom?x=1", "/post/", "../feed.atom?x=1"),
        ("/media/a.png", "/post/", "../media/a.png"),
        ("//cdn.example/a.png", "/post/", "//cdn.example/a.png"),
        ("mailto:a@example.org", "/post/", "mailto:a@example.org"),
    ],
)
def test_relative_body_links(link: str, page: str, relative: str) -> None:
    html = f'<p><a href="{link}">x</a></p>'
    assert relative_body_links(html, page) == f'<p><a href="{relative}">x</a></p>'
