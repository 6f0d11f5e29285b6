"""Images of the blog's library in a post: `![alt](media:<id>)` becomes an `<img>`
with every variant in `srcset`, its size (no layout shift) and lazy loading.

Run by `rendering` at save time, inside the blog's tenant scope: an id of another
blog, or of no image, finds nothing (tenancy filters every query) and renders as
a visible note instead. The names of an image's files are fixed when its upload
is accepted, so a post saved while the image is still being processed is right
as stored. Here, below `core.media`, because rendering is content's.
"""

import re
import xml.etree.ElementTree as etree
from uuid import UUID

from flask import current_app
from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from sqlalchemy import select

from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Media, Tenant

SCHEME = "media:"
REFERENCE_RE = re.compile(r"media:(\d{1,18})(?!\d)")
# What a page column shows at most (site.css --measure), so browsers pick a variant
# of the width the image is shown at, not the screen's.
SIZES = "(max-width: 40rem) 100vw, 40rem"
# The `src` for browsers without srcset: the variant nearest this width.
FALLBACK_WIDTH = 1024
MISSING = "[Image not found: {alt}]"


def referenced_ids(markdown_text: str) -> set[int]:
    """Ids of the library images a Markdown text refers to."""
    return {int(found) for found in REFERENCE_RE.findall(markdown_text)}


def variant_url(media: Media, width: int, ext: str, blog: UUID | None = None) -> str:
    """Where a reader gets one file of `media`: /media/<file> on the blog's host, or
    straight from the store under MEDIA_PUBLIC_URL (`blog`: the blog's UUID, looked
    up when not given)."""
    name = media.file_name(width, ext)
    public = current_app.config["MEDIA_PUBLIC_URL"].rstrip("/")
    if not public:
        return f"/media/{name}"
    if blog is None:
        blog = db.session.scalar(select(Tenant.uuid).where(Tenant.id == media.tenant_id))
    return f"{public}/{blog}/{name}"


def srcset(media: Media, blog: UUID | None = None) -> str:
    """Every WebP variant with its width, for `<img srcset>`."""
    return ", ".join(f"{variant_url(media, w, 'webp', blog)} {w}w" for w in media.widths)


def fallback_width(media: Media) -> int:
    """The variant `src` names: the widest up to FALLBACK_WIDTH, else the narrowest."""
    fitting = [w for w in media.widths if w <= FALLBACK_WIDTH]
    return max(fitting) if fitting else min(media.widths)


def _image_attributes(media: Media, alt: str, blog: UUID | None) -> dict[str, str]:
    return {
        "src": variant_url(media, fallback_width(media), media.extension, blog),
        "srcset": srcset(media, blog),
        "sizes": SIZES,
        "width": str(media.width),
        "height": str(media.height),
        "alt": alt,
        "loading": "lazy",
        "decoding": "async",
    }


class _LibraryImages(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        images = [el for el in root.iter("img") if el.get("src", "").startswith(SCHEME)]
        found = _load(images)
        blog = _current_blog_uuid() if found and current_app.config["MEDIA_PUBLIC_URL"] else None
        for element in images:
            media, alt = found.get(element.get("src", "")), element.get("alt", "")
            element.attrib.clear()
            if media is None:  # another blog's id, a deleted image, a typo
                element.tag, element.text = "span", MISSING.format(alt=alt or "no description")
                element.set("class", "missing-image")
            else:
                element.attrib.update(_image_attributes(media, alt, blog))


def _load(images: list[etree.Element]) -> dict[str, Media]:
    """The blog's Media rows the references name, by reference."""
    ids = {
        ref: int(m[1]) for el in images if (m := REFERENCE_RE.fullmatch(ref := el.get("src", "")))
    }
    if not ids or tenancy.current_tenant_id() is None:
        return {}
    rows = db.session.scalars(select(Media).where(Media.id.in_(set(ids.values()))))
    by_id = {media.id: media for media in rows}
    return {ref: by_id[i] for ref, i in ids.items() if i in by_id}


def _current_blog_uuid() -> UUID | None:
    return db.session.scalar(select(Tenant.uuid).where(Tenant.id == tenancy.current_tenant_id()))


class LibraryImages(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After the inline processor (20) has made the <img> elements.
        md.treeprocessors.register(_LibraryImages(md), "library_images", 15)
