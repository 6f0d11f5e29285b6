"""Everything shows the same in the mirror (issue 19, point 6): a blog with a post,
a page, its own CSS naming one of its images and a post's cover, published to a
folder and to S3 under a prefix. Every page of the mirror has the main text of the
live site's page at the same address, and every stylesheet, image and link it
names resolves inside the mirror; opened from disk, Chromium applies the blog's
CSS, its image included."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from fixtures.images import css_with_image, jpeg_bytes
from fixtures.mirrors import blog_uuid, broken_links, publish

BACKGROUND = "rgb(250, 240, 230)"


class _MainText(HTMLParser):
    """The text inside <main>, its whitespace collapsed."""

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.parts = 0, []

    def handle_starttag(self, tag: str, _attrs: object) -> None:
        self.depth += tag == "main"

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag == "main"

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def main_text(html: str) -> str:
    parser = _MainText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts)).strip()


def address(path: str) -> str:
    """The live site's address of the mirror's page at `path`."""
    return "/" + path.removesuffix("index.html")


@pytest.fixture
def full_blog(app, make_tenant, make_post, make_media, change_blog):
    blog = make_tenant("alice")
    cover = make_media(blog, jpeg_bytes(1200, 800), "cover.jpg")
    css = f"body {{ background: {BACKGROUND} url({{image}}) repeat }}\n"
    blog.paper = css_with_image(app, blog, make_media, change_blog, css, 64)
    make_post(blog, "A walk", "By the *river*, [see the page](/now/).", tags=["walks"],
              cover_media_id=cover)  # fmt: skip
    make_post(blog, "Now", "Reading these days.", is_page=True)
    return blog


def test_every_page_of_the_mirror_reads_as_the_live_one(
    app, full_blog, mirror_of, site_client
) -> None:
    [run] = publish(app, full_blog.id)
    assert run.status == "succeeded", run.error
    files, reader = mirror_of(full_blog), site_client(full_blog)
    pages = sorted(path for path in files if path.endswith(".html"))
    assert {"index.html", "a-walk/index.html", "now/index.html", "tags/walks/index.html"} <= set(
        pages
    )
    for path in pages:
        live = reader.get(address(path))
        assert live.status_code == 200, path
        assert main_text(files[path].decode()) == main_text(live.text) != "", path
    assert broken_links(files) == []
    media = {key for key in files if key.startswith("media/")}
    assert f"media/{full_blog.paper}" in media and len(media) > 1  # the cover's files too


def test_chromium_applies_the_blogs_css_to_the_mirror_opened_from_disk(
    app, full_blog, mirror_root, chromium
) -> None:
    [run] = publish(app, full_blog.id)
    assert run.status == "succeeded", run.error
    root: Path = mirror_root / blog_uuid(app, full_blog)
    page = chromium.new_context(viewport={"width": 390, "height": 900}).new_page()
    for path in ("index.html", "a-walk/index.html", "now/index.html"):
        page.goto((root / path).as_uri())
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == BACKGROUND
        picture = page.evaluate("getComputedStyle(document.body).backgroundImage")
        assert picture == f'url("{(root / "media" / full_blog.paper).as_uri()}")', path
        loaded = page.evaluate(
            "url => new Promise(done => { const image = new Image();"
            " image.onload = () => done(image.naturalWidth); image.onerror = () => done(0);"
            " image.src = url; })",
            (root / "media" / full_blog.paper).as_uri(),
        )
        assert loaded == 64, path
