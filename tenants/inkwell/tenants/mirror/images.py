"""The images of a blog's mirror: every file of the media library that a public
post's HTML names (its `src` and each `srcset` entry), and its cover's (whose
`og:image` stays absolute, as previews need: the mirror holds the file at that
path), copied from the `media` store into the mirror's `media/` folder, where the
blog serves them, so a page's relative link finds them from disk and under any
prefix. Links straight to the store (MEDIA_PUBLIC_URL) are pointed at that
folder too (`served_locally`).

File names are content hashes, so a file the mirror holds never changes: a
publish fetches only the files its manifest lacks. Which files each post shows
is kept in the snapshot next to the post's stamp, so a publish that rebuilds a
few pages reads only those posts' HTML. A file no public post shows any more is
withdrawn content (it leaves the mirror like a deleted post's page). The blog's
icon (`content.blog_icons`), which every page links, is held the same way, under
ICON_KEY instead of a post's uuid.

The blog's own CSS may name its files too (`url(/media/<file>)`): the mirror holds
those as well, kept in the snapshot under STYLESHEET, and its copy of the
stylesheet links them relatively (`stylesheet_links`), so the mirror looks the same.
"""

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

from flask import current_app
from sqlalchemy import select

from inkwell.platform.core.content.blog_icons import icon_file, icon_of
from inkwell.platform.core.extensions import db
from inkwell.platform.core.media.images import CONTENT_TYPES
from inkwell.platform.core.models import Media, Post, Tenant
from inkwell.platform.core.storage import StorageError, open_area
from inkwell.tenants.covers import cover_width
from inkwell.tenants.links import rewrite_links
from inkwell.tenants.mirror import pages

log = logging.getLogger(__name__)

FOLDER = "media/"  # in the mirror as on the blog's host: /media/<file>
_FILE = r"[0-9a-f]{64}-[0-9]{1,5}\.(?:jpg|png|gif|webp)"
_LOCAL_RE = re.compile(rf"/media/({_FILE})")
_ATTR_RE = re.compile(r'\s(?:src|srcset)="([^"]*)"')
ICON_KEY = "blog-icon"  # among the snapshot's images, which are by post uuid otherwise
# A url() of the blog's own CSS naming a /media/ path, as the cleaner keeps it:
# `url(/media/x)` or `url("/media/x")` (core.content.custom_css).
_CSS_URL_RE = re.compile(r"""(url\(\s*(["']?))(/media/[^"')\s]+)(\2\s*\))""", re.IGNORECASE)
STYLESHEET = "stylesheet"  # the key of the blog's own CSS among the snapshot's images


def public_prefix(blog: UUID) -> str:
    """Where pages link to the blog's files in the store (MEDIA_PUBLIC_URL), or ""."""
    public = current_app.config["MEDIA_PUBLIC_URL"].rstrip("/")
    return f"{public}/{blog}/" if public else ""


def served_locally(html: str, blog: UUID) -> str:
    """`html` with links straight to the store made `/media/<file>` links."""
    prefix = public_prefix(blog)
    if not prefix:
        return html
    return rewrite_links(
        html, lambda url: "/media/" + url[len(prefix) :] if url.startswith(prefix) else url
    )


def files_in(html: str, blog: UUID) -> list[str]:
    """The library files `html` shows, sorted."""
    found = set()
    for value in _ATTR_RE.findall(served_locally(html, blog)):
        for candidate in value.split(","):  # a src is a srcset of one
            if match := _LOCAL_RE.fullmatch(candidate.strip().split(" ")[0]):
                found.add(match[1])
    return sorted(found)


def in_stylesheet(css: str | None) -> list[str]:
    """The library files the blog's own CSS names in its url()s, sorted."""
    paths = (match[3] for match in _CSS_URL_RE.finditer(css or ""))
    return sorted({match[1] for path in paths if (match := _LOCAL_RE.fullmatch(path))})


def stylesheet_links(css: str, relative: Callable[[str], str]) -> str:
    """`css` with each url() of a /media/ path made `relative(path)`: the mirror's copy."""
    return _CSS_URL_RE.sub(lambda m: m[1] + relative(m[3]) + m[4], css)


def with_stylesheet(images: dict[str, list[str]], css: str | None) -> dict[str, list[str]]:
    """The snapshot's `images` (`by_post`) and the files the blog's own CSS names."""
    shown = in_stylesheet(css)
    return images | {STYLESHEET: shown} if shown else images


def by_post(
    posts: Sequence[Any], entries: list[list[Any]], previous: dict[str, Any] | None, blog: UUID
) -> dict[str, list[str]]:
    """The library files each post of the snapshot `entries` shows, by uuid (posts
    without any left out): those its HTML names, and its cover (`og:image`). A post
    whose stamp is the one in `previous` keeps the files it had there; the others
    are read (their HTML from `posts` when those are loaded `Post`s)."""
    known: dict[str, list[str]] | None = previous.get("images") if previous else None
    stamps = {}
    if previous is not None and known is not None:  # older snapshots have no images
        stamps = {
            e[pages.UUID]: e[pages.STAMP] for e in previous["posts"] + previous.get("pages", [])
        }
    found: dict[str, set[str]] = {}
    read = []
    for entry in entries:
        key = entry[pages.UUID]
        if known is not None and stamps.get(key) == entry[pages.STAMP]:
            found[key] = set(known.get(key, []))
        else:
            read.append(key)
    for key, html in _bodies(posts, read).items():
        found[key] = set(files_in(html, blog))
    for key, name in _covers(read).items():
        found.setdefault(key, set()).add(name)
    return {key: sorted(names) for key, names in found.items() if names}


def _bodies(posts: Sequence[Any], keys: list[str]) -> dict[str, str]:
    """The stored HTML of the posts `keys` (uuids), from `posts` where loaded."""
    loaded = {str(post.uuid): post.body_html for post in posts if isinstance(post, Post)}
    bodies = {key: loaded[key] for key in keys if key in loaded}
    if unread := [UUID(key) for key in keys if key not in loaded]:
        rows = db.session.execute(select(Post.uuid, Post.body_html).where(Post.uuid.in_(unread)))
        bodies |= {str(key): html for key, html in rows}
    return bodies


def _covers(keys: list[str]) -> dict[str, str]:
    """The cover's file each of the posts `keys` (uuids) names, where one is ready."""
    if not keys:
        return {}
    query = (
        select(Post.uuid, Media)
        .join(Media, Media.id == Post.cover_media_id)
        .where(Post.uuid.in_([UUID(key) for key in keys]), Media.state == "ready")
    )
    rows = db.session.execute(query)
    return {str(key): media.file_name(cover_width(media), media.extension) for key, media in rows}


def blog_icon(tenant: Tenant) -> dict[str, list[str]]:
    """The blog's icon file under ICON_KEY, to join `by_post`'s files; {} without one."""
    media = icon_of(tenant)
    return {ICON_KEY: [icon_file(media)]} if media is not None else {}


def keys(images: dict[str, list[str]]) -> frozenset[str]:
    """The mirror's keys of these files."""
    return frozenset(FOLDER + name for names in images.values() for name in names)


def fetch(
    config: dict[str, Any], blog: UUID, wanted: Iterable[str], build: Path
) -> Iterator[tuple[str, str]]:
    """Copy the files at the mirror keys `wanted` from the blog's media store into
    `build`, yielding (key, Content-Type) of each. A file the store lacks (its
    image deleted, or still being processed) is left out: the mirror is then as
    the blog, whose page shows no image either, and the next publish tries again."""
    store = open_area(config, "media", blog)
    for key in sorted(wanted):
        name = key.removeprefix(FOLDER)
        try:
            data = store.read(name)
        except FileNotFoundError:
            log.warning("mirror of %s: image %s is not in the media store", blog, name)
            continue
        except StorageError as error:
            raise StorageError(f"image {name} could not be read: {error}") from error
        path = build / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        yield key, CONTENT_TYPES[name.rsplit(".", 1)[1]]
