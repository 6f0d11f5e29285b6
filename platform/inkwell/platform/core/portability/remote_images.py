"""The images a post from another platform shows by URL, brought into the blog.

`ImageLocalizer` is built once per import, for its blog, and called on each
`ForeignPost` (the writer's `localize`): it finds the images the post names
(an HTML body's `<img src>`, a Markdown body's `![alt](url)` outside code, the
cover), fetches each through `public_fetch` (only public http(s) addresses,
within IMPORT_FETCH_TIMEOUT and MEDIA_MAX_BYTES), stores it with
`library.accept_upload` (the upload's checks and the storage quota), and
returns the post pointing at `media:<id>`: an `<img>` keeps its alt and loses
its srcset and sizes (the library makes its own variants), so the writer's HTML
to Markdown conversion yields `![alt](media:<id>)`; the cover becomes
`cover_url="media:<id>"`. A URL is fetched once per import, whichever posts name
it. An image not brought in stays as written (its URL), or for a cover is
dropped, and the notes say which and why. The caller commits, in the blog's
tenant scope.
"""

import re
from dataclasses import replace
from html import escape
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from flask import current_app

from inkwell.platform.core.content.revisions import Actor
from inkwell.platform.core.limits.quotas import QuotaExceeded
from inkwell.platform.core.media import library
from inkwell.platform.core.models import Tenant
from inkwell.platform.core.portability.foreign import ForeignPost
from inkwell.platform.core.portability.image_refs import Reference, references, rewrite
from inkwell.platform.core.portability.public_fetch import FetchRefused, fetch_public

# An <img> tag, its attributes quoted or not (a quoted ">" does not end it).
_IMG_RE = re.compile(r"<img\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.I)
_DROPPED = ("srcset", "sizes")  # the remote variants; the library makes its own


class ImageLocalizer:
    """`localize` for one import into `tenant`, by `actor`."""

    def __init__(self, tenant: Tenant, actor: Actor) -> None:
        config = current_app.config
        self.tenant, self.actor = tenant, actor
        self.max_bytes = config["MEDIA_MAX_BYTES"]
        self.timeout = float(config["IMPORT_FETCH_TIMEOUT"])
        self.allowed = frozenset(
            h.lower().rstrip(".") for h in config["IMPORT_FETCH_ALLOWED_HOSTS"]
        )
        self.done: dict[str, int | str] = {}  # URL -> its image's id, or why it has none

    def __call__(self, post: ForeignPost) -> tuple[ForeignPost, list[str]]:
        """`post` showing library images where it can, and a note per image it cannot."""
        notes: dict[str, None] = {}
        if post.body_format == "html":
            body = _IMG_RE.sub(lambda m: self._img(m[0], notes), post.body)
        else:
            refs = references(post.body)
            body = rewrite(post.body, refs, lambda ref: self._markdown(post.body, ref, notes))
        cover = post.cover_url
        if cover and not cover.startswith("media:"):
            found = self.media(cover)
            if isinstance(found, str):
                notes[f"cover image {_shown(cover)} not fetched: {found}"] = None
            cover = f"media:{found}" if isinstance(found, int) else None
        return replace(post, body=body, cover_url=cover), list(notes)

    def media(self, url: str, alt: str = "") -> int | str:
        """The id of the library image `url` became, or why it did not; the first
        alt text a post gives it is its alt in the library."""
        if url not in self.done:
            self.done[url] = self._stored(url, alt)
        return self.done[url]

    def _stored(self, url: str, alt: str) -> int | str:
        try:
            fetched = fetch_public(url, self.max_bytes, self.timeout, self.allowed)
            media = library.accept_upload(
                self.tenant, _file_name(fetched.url), fetched.data, self.actor, alt=alt
            )
        except (FetchRefused, library.MediaRefused, QuotaExceeded) as refused:
            return str(refused)
        return media.id

    def _img(self, tag: str, notes: dict[str, None]) -> str:
        attributes = _attributes(tag)
        url = (attributes.get("src") or "").strip()
        if not url or url.startswith("media:"):
            return tag
        found = self.media(url, attributes.get("alt") or "")
        if isinstance(found, str):
            notes[f"image {_shown(url)} not fetched: {found}"] = None
            return tag
        attributes["src"] = f"media:{found}"
        kept = "".join(
            f' {name}="{escape(value or "")}"' if value is not None else f" {name}"
            for name, value in attributes.items()
            if name not in _DROPPED
        )
        return f"<img{kept}>"

    def _markdown(self, body: str, ref: Reference, notes: dict[str, None]) -> str | None:
        if ref.wiki or not ref.target.startswith(("http://", "https://")):
            return None
        found = self.media(ref.target, ref.alt)
        if isinstance(found, str):
            notes[f"image {_shown(ref.target)} not fetched: {found}"] = None
            return None
        return ref.with_target(body, f"media:{found}")


class _TagAttributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            self.found.setdefault(name, value)

    handle_startendtag = handle_starttag


def _attributes(tag: str) -> dict[str, str | None]:
    """The attributes of the one tag `tag`, in order, their values unescaped."""
    parser = _TagAttributes()
    parser.feed(tag)
    parser.close()
    return parser.found


def _file_name(url: str) -> str:
    """The image's name in the library: the URL's last part (a CDN's `.../https%3A
    %2F%2F...%2Fphoto.jpeg` too), without an extension that is no image's."""
    name = PurePosixPath(unquote(urlsplit(url).path)).name
    stem, dot, extension = name.rpartition(".")
    looks_like_extension = extension.isalnum() and not extension.isdigit()
    if dot and looks_like_extension and extension.lower() not in library.IMAGE_EXTENSIONS:
        return stem or "image"
    return name or "image"


def _shown(url: str) -> str:
    """`url` as a note names it: a `data:` URL can be megabytes long."""
    return url if len(url) <= 200 else f"{url[:200]}…"
