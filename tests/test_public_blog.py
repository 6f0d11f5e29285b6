"""What readers see on a blog's host: pages by path, tags, about, sitemap,
code stylesheets, comments; drafts and future posts nowhere."""

import re
from datetime import timedelta

import pytest

from inkwell.platform.core.types import utcnow


@pytest.fixture
def alice(make_tenant):
    return make_tenant("alice")


def titles(page) -> list[str]:
    return re.findall(r'<h2><a href="/[^"]+/">([^<]+)</a></h2>', page.text)


def test_index_paginates_by_path(alice, make_post, site_client) -> None:
    start = utcnow() - timedelta(days=30)
    for n in range(23):
        make_post(alice, f"Post {n:02}", published_at=start + timedelta(hours=n))
    reader = site_client(alice)
    first = reader.get("/")
    assert titles(first) == [f"Post {n:02}" for n in range(22, 12, -1)]
    assert 'href="/page/2/"' in first.text and "Newer posts" not in first.text
    second = reader.get("/page/2/")
    assert titles(second) == [f"Post {n:02}" for n in range(12, 2, -1)]
    assert 'rel="prev" href="/"' in second.text and 'href="/page/3/"' in second.text
    third = reader.get("/page/3/")
    assert titles(third) == ["Post 02", "Post 01", "Post 00"]
    assert "Older posts" not in third.text
    assert reader.get("/page/4/").status_code == 404
    assert reader.get("/page/0/").status_code == 404
    assert reader.get("/page/1/").headers["Location"] == "/"


def test_tag_pages_and_unknown_tags(alice, make_post, site_client) -> None:
    make_post(alice, "Tagged", tags=["Python Tips", "misc"])
    make_post(alice, "Untagged")
    make_post(alice, "Secret draft", status="draft", tags=["hidden"])
    reader = site_client(alice)
    page = reader.get("/tags/python-tips/")
    assert titles(page) == ["Tagged"]
    assert "#Python Tips" in page.text
    for path in ("/tags/hidden/", "/tags/nope/", "/tags/hidden/latest.atom"):
        assert reader.get(path).status_code == 404, path


def test_drafts_and_future_posts_are_nowhere(alice, make_post, site_client) -> None:
    make_post(alice, "Draft", status="draft", tags=["t"])
    make_post(alice, "Future", status="scheduled", tags=["t"],
              published_at=utcnow() + timedelta(days=1))  # fmt: skip
    make_post(alice, "Visible", tags=["t"])
    reader = site_client(alice)
    for path in ("/", "/tags/t/", "/latest.atom", "/tags/t/latest.atom", "/sitemap.xml"):
        text = reader.get(path).text
        assert "Visible" in text or "/visible/" in text, path
        assert "Draft" not in text and "Future" not in text and "/future/" not in text, path
    assert reader.get("/draft/").status_code == 404
    assert reader.get("/future/").status_code == 404


def test_every_page_has_canonical_feed_link_and_open_graph(alice, make_post, site_client) -> None:
    make_post(alice, "Hello", excerpt="A short hello.", tags=["t"])
    make_post(alice, "About", "Who writes here.", is_page=True)
    reader = site_client(alice)
    for path in ("/", "/hello/", "/tags/t/", "/about/"):
        page = reader.get(path).text
        assert f'<link rel="canonical" href="http://alice.blogs.test{path}">' in page, path
        assert 'type="application/atom+xml"' in page and 'href="/latest.atom"' in page, path
        assert '<meta property="og:url"' in page, path
    post = reader.get("/hello/").text
    assert '<meta property="og:type" content="article">' in post
    assert 'content="A short hello."' in post


def test_post_titled_like_a_page_gets_another_address(alice, make_post, site_client) -> None:
    make_post(alice, "Snippets")
    reader = site_client(alice)
    assert "<h1>Snippets</h1>" in reader.get("/snippets-2/").text
    # About is no page of the blog's own any more: a post (or page) may be /about/.
    make_post(alice, "About", "Who writes here.", is_page=True)
    assert "<h1>About</h1>" in reader.get("/about/").text


def test_nav_links_snippets_only_when_there_are_some(alice, make_snippet, site_client) -> None:
    reader = site_client(alice)
    assert 'href="/snippets/"' not in reader.get("/").text
    make_snippet(alice, "Hello", "print('hi')", language="python")
    assert 'href="/snippets/"' in reader.get("/").text


def test_about_sitemap_and_robots(alice, make_post, make_snippet, site_client) -> None:
    make_post(alice, "About", "Notes on things.\n\nSecond para.", is_page=True)
    make_post(alice, "Hello", tags=["greeting"])
    make_snippet(alice, "Quick sort", "def qsort(xs): ...", language="python")
    reader = site_client(alice)
    about = reader.get("/about/").text
    assert (
        '<p dir="auto">Notes on things.</p>' in about and '<p dir="auto">Second para.</p>' in about
    )
    sitemap = reader.get("/sitemap.xml")
    assert sitemap.content_type == "application/xml; charset=utf-8"
    for loc in (
        "/",
        "/about/",
        "/hello/",
        "/tags/greeting/",
        "/snippets/",
        "/snippets/quick-sort/",
    ):
        assert f"<loc>http://alice.blogs.test{loc}</loc>" in sitemap.text
    robots = reader.get("/robots.txt").text
    assert "Sitemap: http://alice.blogs.test/sitemap.xml" in robots


def test_stylesheets_have_hashed_names_and_keep_a_year(change_blog, alice, site_client) -> None:
    # site.css, the theme's file, the code colours (tenants.assets).
    reader = site_client(alice)
    change_blog(alice, code_style="monokai")
    page = reader.get("/").text
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert len(links) == 3 and all(link.startswith("/assets/") for link in links)
    code = next(link for link in links if "/code-monokai." in link)
    css = reader.get(code)
    assert css.status_code == 200 and css.content_type == "text/css; charset=utf-8"
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert ".highlight .k" in css.text
    # Another style is another name; a name whose hash is not today's CSS is not served.
    change_blog(alice, code_style="default")
    assert code not in reader.get("/").text
    assert reader.get(code.replace("code-monokai.", "code-monokai.0")).status_code == 404
    assert reader.get("/assets/code-nope.12345678.css").status_code == 404


@pytest.mark.parametrize(
    ("provider", "target", "expected"),
    [
        ("disqus", "alices-blog", 'data-target="alices-blog"'),
        ("discourse", "https://forum.example.com", 'data-target="https://forum.example.com/"'),
        ("none", "", None),
    ],
)
def test_comment_embeds_use_the_canonical_url(
    change_blog, alice, make_post, site_client, provider, target, expected
) -> None:
    change_blog(alice, comments_provider=provider, comments_target=target)
    make_post(alice, "Hello")
    page = site_client(alice).get("/hello/").text
    if expected is None:
        assert 'id="comments"' not in page
    else:
        assert expected in page
        assert 'data-url="http://alice.blogs.test/hello/"' in page
