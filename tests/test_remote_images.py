"""Images an imported post names by URL (issue 23): fetched from a local server into
the blog's library and the post pointed at them; never from this server's own
network (loopback, private, link-local, metadata addresses, a redirect there), never
over another scheme, never more than the media limit or for longer than the
timeout; what is not fetched is listed with its URL and why."""

import ipaddress
import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from fixtures.foreign_exports import GHOST_EXPORT, read, substack_zip
from fixtures.image_server import ImageServer
from fixtures.services import free_port
from inkwell.platform.core import tenancy
from inkwell.platform.core.content.revisions import IMPORT
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Media, Post, Tenant
from inkwell.platform.core.portability.foreign import ForeignPost, foreign_uuid
from inkwell.platform.core.portability.public_fetch import FetchRefused, fetch_public, is_public
from inkwell.platform.core.portability.readers.ghost import GhostReader
from inkwell.platform.core.portability.readers.substack import SubstackReader
from inkwell.platform.core.portability.remote_images import ImageLocalizer

LOCAL = frozenset(["127.0.0.1"])
NOBODY: frozenset[str] = frozenset()


def fetch(
    url: str, allowed: frozenset[str] = LOCAL, max_bytes: int = 10_000_000, timeout: float = 5
):
    return fetch_public(url, max_bytes, timeout, allowed)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("169.254.169.254", False),  # cloud metadata
        ("0.0.0.0", False),  # noqa: S104 (an address refused, not bound)
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4 inside IPv6
        ("::ffff:10.0.0.1", False),
        ("::ffff:93.184.216.34", True),
        ("2002:7f00:1::", False),  # 6to4 around 127.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
    ],
)
def test_only_addresses_anyone_reaches_are_public(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


def test_an_image_from_an_allowed_host_is_fetched(image_server: ImageServer) -> None:
    fetched = fetch(f"{image_server.url}/images/photo.jpg")
    assert fetched.data == image_server.files["/images/photo.jpg"][1]
    assert fetched.content_type == "image/jpeg"
    # A name is allowed as a name: the address it resolves to is connected to.
    by_name = f"http://localhost:{image_server.port}/images/diagram.png"
    assert (
        fetch(by_name, allowed=frozenset(["localhost"])).data
        == image_server.files["/images/diagram.png"][1]
    )


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "2130706433", "0.0.0.0"],  # noqa: S104
    ids=["loopback", "a name for it", "mapped into IPv6", "as one number", "unspecified"],
)
def test_this_machine_is_never_fetched_without_the_setting(
    image_server: ImageServer, host: str
) -> None:
    """The server is there and would answer: only the check stops the fetch."""
    with pytest.raises(FetchRefused, match="a private or local address: only public addresses"):
        fetch(f"http://{host}:{image_server.port}/images/photo.jpg", allowed=NOBODY)
    assert image_server.hits == {}


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/photo.jpg",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[::1]/photo.jpg",
        "http://[fe80::1]/photo.jpg",
        "https://192.168.0.1/photo.jpg",
    ],
)
def test_private_addresses_are_refused_before_any_connection(url: str) -> None:
    with pytest.raises(FetchRefused, match="private or local address"):
        fetch(url)


def test_a_redirect_into_the_private_network_is_refused(image_server: ImageServer) -> None:
    with pytest.raises(FetchRefused, match=r"“169\.254\.169\.254” is at 169\.254\.169\.254"):
        fetch(f"{image_server.url}/redirect?to=http://169.254.169.254/latest/meta-data/")
    # Each hop is checked: "localhost" is not an allowed name, though 127.0.0.1 is.
    to_local = f"http://localhost:{image_server.port}/images/photo.jpg"
    with pytest.raises(FetchRefused, match="“localhost” is at"):
        fetch(f"{image_server.url}/redirect?to={to_local}")
    assert image_server.hits["/images/photo.jpg"] == 0


def test_redirects_are_followed_three_times_at_most(image_server: ImageServer) -> None:
    assert fetch(f"{image_server.url}/chain/2").url == f"{image_server.url}/images/photo.jpg"
    with pytest.raises(FetchRefused, match="more than 3 redirects"):
        fetch(f"{image_server.url}/chain/3")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "“file:” is not http or https"),
        ("ftp://example.com/photo.jpg", "“ftp:” is not http or https"),
        ("gopher://127.0.0.1:6379/_INFO", "“gopher:” is not http or https"),
        ("data:image/png;base64,iVBORw0KGgo=", "“data:” is not http or https"),
        ("/content/images/photo.jpg", "not an absolute URL"),
        ("http:///photo.jpg", "names no host"),
        ("http://no-such-host.invalid/photo.jpg", "“no-such-host.invalid” was not found"),
    ],
)
def test_other_schemes_and_broken_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(FetchRefused, match=re.escape(message)):
        fetch(url)


def test_an_image_over_the_limit_is_refused_declared_or_not(image_server: ImageServer) -> None:
    with pytest.raises(FetchRefused, match=r"larger than 1 kB \(\d\d kB\)"):
        fetch(f"{image_server.url}/images/photo.jpg", max_bytes=1000)
    with pytest.raises(FetchRefused, match=r"larger than 1 kB$"):
        fetch(f"{image_server.url}/unsized/images/photo.jpg", max_bytes=1000)


@pytest.mark.parametrize("path", ["/slow", "/trickle"], ids=["silent", "a byte at a time"])
def test_a_tarpit_is_given_up_at_the_timeout(image_server: ImageServer, path: str) -> None:
    with pytest.raises(FetchRefused, match=r"no answer within 0\.5 seconds"):
        fetch(f"{image_server.url}{path}", timeout=0.5)


def test_an_error_answer_or_no_server_is_named(image_server: ImageServer) -> None:
    with pytest.raises(FetchRefused, match="the server answered 404 Not Found"):
        fetch(f"{image_server.url}/images/gone.jpg")
    with pytest.raises(FetchRefused, match=r"the server could not be reached \(Connection refused"):
        fetch(f"http://127.0.0.1:{free_port()}/images/photo.jpg")


# Into the blog's library


def localized(app: Flask, blog, posts: list[ForeignPost]) -> list[tuple[ForeignPost, list[str]]]:
    """Each post as ImageLocalizer returns it, for one import into `blog` (committed)."""
    with app.app_context(), tenancy.tenant_scope(blog.id):
        localize = ImageLocalizer(db.session.get_one(Tenant, blog.id), IMPORT)
        done = [localize(post) for post in posts]
        db.session.commit()
        return done


def library(app: Flask, blog) -> dict[int, tuple[str, str]]:
    """id -> (name, state) of each image in the blog's library."""
    with app.app_context(), tenancy.tenant_scope(blog.id):
        return {m.id: (m.name, m.state) for m in db.session.scalars(select(Media))}


def img_tags(html: str) -> list[str]:
    return re.findall(r"<img\b[^>]*>", html)


def test_a_ghost_posts_images_and_cover_come_into_the_library(
    app: Flask, make_tenant, media_root: Path, image_server: ImageServer, allow_local: None
) -> None:
    blog = make_tenant("alice")
    site = image_server.url
    image_server.files["/content/images/2024/07/pool.png"] = image_server.files[
        "/images/diagram.png"
    ]
    image_server.files["/content/images/2024/07/cover.jpg"] = image_server.files[
        "/images/photo.jpg"
    ]
    posts, _ = read(GhostReader(GHOST_EXPORT, site))
    (tide, notes), *others = localized(app, blog, posts)
    assert notes == [] and all(n == [] for _, n in others)
    names = {name: media_id for media_id, (name, _state) in library(app, blog).items()}
    assert set(names) == {"pool.png", "cover.jpg"}
    with app.app_context(), tenancy.tenant_scope(blog.id):
        pool = db.session.get_one(Media, names["pool.png"])
        assert pool.alt == "A pool full of anemones"  # the library's alt, from the post
    # The <img> points at the library image, alt and size kept; the remote
    # variants (srcset, sizes) are gone: the library makes its own.
    (img,) = img_tags(tide.body)
    assert f'src="media:{names["pool.png"]}"' in img and 'alt="A pool full of anemones"' in img
    assert "srcset" not in img and "sizes" not in img and site not in tide.body
    assert (
        tide.body.startswith("<p>Low tide at six.</p><figure")
        and "<figcaption>Anemones" in tide.body
    )
    assert tide.cover_url == f"media:{names['cover.jpg']}"
    # The rest of the post is as it was.
    assert (tide.title, tide.tags, tide.old_paths) == (
        posts[0].title,
        posts[0].tags,
        posts[0].old_paths,
    )


def test_the_markdown_a_converted_post_gets_renders_the_library_image(
    app: Flask,
    make_tenant,
    make_post,
    media_root: Path,
    image_server: ImageServer,
    allow_local: None,
) -> None:
    """`<img src="media:<id>" alt>` converts to `![alt](media:<id>)`, which the
    renderer shows with the library's variants."""
    blog = make_tenant("alice")
    body = f'<p>Look:</p><img src="{image_server.url}/images/photo.jpg" alt="A gradient">'
    ((post, notes),) = localized(app, blog, [foreign(body, "html")])
    assert notes == []
    media_id = re.search(r'src="media:(\d+)"', post.body)[1]
    post_id = make_post(blog, "Converted", f"Look:\n\n![A gradient](media:{media_id})\n")
    with app.app_context(), tenancy.tenant_scope(blog.id):
        html = db.session.get_one(Post, post_id).body_html
    (img,) = img_tags(html)
    assert 'alt="A gradient"' in img and re.search(r'srcset="/media/[0-9a-f]+-\d+\.webp \d+w', img)


def foreign(
    body: str, body_format: str = "markdown", cover: str | None = None, n: int = 1
) -> ForeignPost:
    return ForeignPost(
        uuid=foreign_uuid("test", str(n)), title=f"Post {n}", body=body,
        body_format=body_format, status="published", cover_url=cover,
    )  # fmt: skip


def test_an_image_named_by_many_posts_is_fetched_and_stored_once(
    app: Flask, make_tenant, media_root: Path, image_server: ImageServer, allow_local: None
) -> None:
    blog = make_tenant("alice")
    url = f"{image_server.url}/images/photo.jpg"
    posts = [foreign(f"![one]({url})", n=1), foreign(f"<img src='{url}'>", "html", cover=url, n=2)]
    (first, _), (second, _) = localized(app, blog, posts)
    (media_id,) = library(app, blog)
    assert first.body == f"![one](media:{media_id})"
    assert (
        second.body == f'<img src="media:{media_id}">' and second.cover_url == f"media:{media_id}"
    )
    assert image_server.hits["/images/photo.jpg"] == 1


def test_images_not_fetched_stay_as_written_and_are_listed(
    app: Flask, make_tenant, media_root: Path, image_server: ImageServer, allow_local: None
) -> None:
    site = image_server.url
    image_server.files["/images/page.png"] = ("text/html", b"<html><body>Not found</body></html>")
    body = (
        f"![ok]({site}/images/diagram.png)\n\n![gone]({site}/images/gone.png)\n\n"
        "![metadata](http://169.254.169.254/latest/)\n\n"
        f"![a page]({site}/images/page.png)\n\n"
        f"```\n![in code]({site}/images/photo.jpg)\n```\n\n![local](photos/beach.png)\n"
    )
    blog = make_tenant("alice")
    ((post, notes),) = localized(app, blog, [foreign(body, cover=f"{site}/images/gone.png")])
    (media_id,) = library(app, blog)
    assert post.body == body.replace(f"{site}/images/diagram.png", f"media:{media_id}")
    assert post.cover_url is None
    assert notes == [
        f"image {site}/images/gone.png not fetched: the server answered 404 Not Found",
        "image http://169.254.169.254/latest/ not fetched: “169.254.169.254” is at "
        "169.254.169.254, a private or local address: only public addresses are fetched",
        f"image {site}/images/page.png not fetched: This is not an image we can use: "
        "upload a JPEG, PNG, GIF or WebP file.",
        f"cover image {site}/images/gone.png not fetched: the server answered 404 Not Found",
    ]
    assert image_server.hits["/images/photo.jpg"] == 0  # code shows text, not images
    assert image_server.hits["/images/gone.png"] == 1  # asked once, whoever names it


def test_without_the_setting_a_local_image_is_listed_not_fetched(
    app: Flask, make_tenant, media_root: Path, image_server: ImageServer
) -> None:
    blog = make_tenant("alice")
    url = f"{image_server.url}/images/photo.jpg"
    ((post, notes),) = localized(app, blog, [foreign(f'<img src="{url}" alt=x>', "html")])
    assert post.body == f'<img src="{url}" alt=x>' and library(app, blog) == {}
    assert notes == [
        f"image {url} not fetched: “127.0.0.1” is at 127.0.0.1, a private or local address: "
        "only public addresses are fetched"
    ]
    assert image_server.hits == {}


def test_each_blog_gets_its_own_copy(
    app: Flask, make_tenant, media_root: Path, image_server: ImageServer, allow_local: None
) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    url = f"{image_server.url}/images/photo.jpg"
    ((for_alice, _),) = localized(app, alice, [foreign(f"![a]({url})")])
    ((for_bob, _),) = localized(app, bob, [foreign(f"![a]({url})")])
    (alice_id,), (bob_id,) = library(app, alice), library(app, bob)
    assert alice_id != bob_id
    assert (for_alice.body, for_bob.body) == (f"![a](media:{alice_id})", f"![a](media:{bob_id})")


def test_a_substack_posts_images_come_in(
    app: Flask,
    make_tenant,
    media_root: Path,
    image_server: ImageServer,
    allow_local: None,
    tmp_path: Path,
) -> None:
    blog = make_tenant("alice")
    image_server.files["/geese.jpg"] = image_server.files["/images/photo.jpg"]
    posts, _ = read(SubstackReader(substack_zip(tmp_path / "export.zip", image_server.url)))
    (spring, notes), *_ = localized(app, blog, posts)
    (media_id,) = library(app, blog)
    (img,) = img_tags(spring.body)
    assert notes == []
    assert f'src="media:{media_id}"' in img and 'alt="Geese over the marsh"' in img
    assert "srcset" not in img
