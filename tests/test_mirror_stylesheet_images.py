"""The blog's own CSS in the mirror (issue 19, point 5): the images its url()s name
(`/media/<file>`) are copied into the mirror and its copy of the stylesheet links
them relatively, so the mirror looks the same opened from disk, under a prefix and
on S3; an image the CSS no longer names (and no post shows) is withdrawn.
Folder and S3 (moto's server) targets."""

import pytest

from fixtures.images import css_with_image, file_of, jpeg_bytes
from fixtures.mirrors import blog_uuid, broken_links, publish
from inkwell.tenants.mirror.images import in_stylesheet, stylesheet_links

HASH = "ab" * 32


def custom_css(files: dict[str, bytes]) -> str:
    [name] = [key for key in files if key.startswith("assets/custom-")]
    return files[name].decode()


@pytest.fixture
def styled_blog(make_tenant, make_post, make_media, change_blog, app):
    blog = make_tenant("alice")
    make_post(blog, "Hello", "No image in the text.")
    css = 'body { background: url({image}) }\nh1 { mask: url("{image}") }\n'
    blog.paper = css_with_image(app, blog, make_media, change_blog, css, 300)
    return blog


def test_the_images_the_css_names_are_in_the_mirror_linked_relatively(
    app, styled_blog, mirror_of, media_root
) -> None:
    [run] = publish(app, styled_blog.id)
    files, paper = mirror_of(styled_blog), styled_blog.paper
    assert run.status == "succeeded", run.error
    css = custom_css(files)
    assert f"url(../media/{paper})" in css and f'url("../media/{paper}")' in css
    assert "/media/" not in css.replace("../media/", "")
    stored = media_root / blog_uuid(app, styled_blog) / paper
    assert files[f"media/{paper}"] == stored.read_bytes()
    assert broken_links(files) == []  # the stylesheet's url()s too


def test_an_image_the_css_no_longer_names_leaves_the_mirror(
    app, styled_blog, make_media, change_blog, mirror_of
) -> None:
    publish(app, styled_blog.id)
    other = file_of(app, styled_blog, make_media(styled_blog, jpeg_bytes(400, 300), "dots.jpg"))
    css = f"main {{ background-image: url(/media/{other}) }}\n"
    change_blog(styled_blog, custom_css_source=css, custom_css=css)
    [run] = publish(app, styled_blog.id)
    files = mirror_of(styled_blog)
    assert run.status == "succeeded", run.error
    assert {key for key in files if key.startswith("media/")} == {f"media/{other}"}
    assert f"url(../media/{other})" in custom_css(files) and broken_links(files) == []

    change_blog(styled_blog, custom_css_source="", custom_css="")
    [run] = publish(app, styled_blog.id)
    files = mirror_of(styled_blog)
    assert run.status == "succeeded", run.error
    assert not [key for key in files if key.startswith(("media/", "assets/custom-"))]


def test_the_live_stylesheet_keeps_its_links_as_written(styled_blog, site_client) -> None:
    reader = site_client(styled_blog)
    page = reader.get("/")
    [href] = [h for h in page.text.split('"') if h.startswith("/assets/custom-")]
    assert f"url(/media/{styled_blog.paper})" in reader.get(href).text


@pytest.mark.parametrize(
    ("css", "named"),
    [
        (f"a {{ background: url(/media/{HASH}-320.webp) }}", [f"{HASH}-320.webp"]),
        (f"a {{ background: URL( '/media/{HASH}-9.png' ) }}", [f"{HASH}-9.png"]),
        ("a { background: url(/media/logo.png) }", []),  # not a library file: none to copy
        ("a { background: url(data:image/png;base64,AAAA) }", []),
        (None, []),
    ],
)
def test_in_stylesheet(css: str | None, named: list[str]) -> None:
    assert in_stylesheet(css) == named


def test_stylesheet_links_rewrites_only_media_urls() -> None:
    css = 'a { background: url(/media/x.png) } b { background: url("data:image/png;,") }'
    relative = stylesheet_links(css, lambda path: ".." + path)
    assert relative == css.replace("(/media/", "(../media/")
