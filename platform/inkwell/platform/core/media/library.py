"""The media library's public API: every entry point (the dashboard's upload, an
import, the worker) goes through these functions; the caller commits.

An upload is checked whole before anything is stored (`accept_upload`): its size
(MEDIA_MAX_BYTES), its name (any folders and control characters dropped; an
extension that is no image's refused), its content (a JPEG, PNG, GIF or WebP that
decodes, within MEDIA_MAX_PIXELS: `images.inspect`) and the blog's storage quota.
Then the upload is kept as `incoming/<hash>` in the blog's `media` area, a row
says "processing", and an outbox row asks the `media` queue to make its files
(`processing`). The same file uploaded again is the image the blog already has
(unless that one failed: then it is tried again).
"""

import hashlib
import re
import secrets
import unicodedata
from pathlib import PurePosixPath

from flask import current_app
from sqlalchemy import select

from inkwell.platform.core import outbox
from inkwell.platform.core.content.changes import content_changed
from inkwell.platform.core.content.images import referenced_ids, variant_url
from inkwell.platform.core.content.posts import rerender_post
from inkwell.platform.core.content.revisions import Actor
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits.quotas import Budget
from inkwell.platform.core.media import images
from inkwell.platform.core.models import Media, Post, Tenant
from inkwell.platform.core.storage import Target, open_area

__all__ = [
    "MediaRefused",
    "accept_upload",
    "check_upload",
    "delete_media",
    "markdown_reference",
    "media_in_use",
    "posts_using",
    "set_alt",
    "variant_url",
]

PROCESS_TASK = "inkwell.workers.media.process_media"
INCOMING = "incoming"
ALT_MAX = 1000
NAME_MAX = 200
# A file name's extension -> the format it says.
IMAGE_EXTENSIONS = {
    "jpg": "jpeg", "jpeg": "jpeg", "jpe": "jpeg", "png": "png", "gif": "gif", "webp": "webp"
}  # fmt: skip
MediaRefused = images.ImageRefused


def accept_upload(tenant: Tenant, filename: str, data: bytes, actor: Actor, alt: str = "") -> Media:
    """Check and keep an uploaded image, and ask for its files to be made.
    MediaRefused (with a message and a status) or QuotaExceeded, nothing stored."""
    name, found = check_upload(filename, data)
    digest = hashlib.sha256(data).hexdigest()
    same = db.session.scalar(select(Media).where(Media.content_hash == digest))
    if same is not None and same.state != "failed":  # its files exist or are being made
        if alt and not same.alt:
            set_alt(same, alt)
        return same
    if same is not None:  # it failed before: this upload is another try
        db.session.delete(same)
        db.session.flush()
    Budget(tenant.id).store(len(data))
    media = Media(
        tenant_id=tenant.id,
        content_hash=digest,
        name=name,
        alt=clean_alt(alt),
        format=found.format,
        width=found.width,
        height=found.height,
        widths=images.variant_widths(found.width),
        stored_bytes=len(data),
        state="processing",
        created_by_id=actor.user_id,
    )
    db.session.add(media)
    db.session.flush()
    area(tenant).put_bytes(incoming_key(media), data, "application/octet-stream", "no-store")
    # One row per upload: SQLite may give a new image the id of a deleted one.
    effect = f"media:{media.id}:{secrets.token_hex(8)}"
    outbox.enqueue(PROCESS_TASK, effect, tenant_id=tenant.id, media_id=media.id)
    return media


def check_upload(filename: str, data: bytes) -> tuple[str, images.Inspected]:
    """Every check of an upload but the quota (an import's preview runs them too):
    the name it will have and what the file is, or MediaRefused; nothing stored."""
    config = current_app.config
    limit = config["MEDIA_MAX_BYTES"]
    if len(data) > limit:
        raise MediaRefused(
            f"This file is {len(data) / 1e6:.1f} MB; images may be at most {limit / 1e6:g} MB.",
            413,
        )
    # What the file is decides first: an SVG is refused as such, whatever its name.
    found = images.inspect(data, config["MEDIA_MAX_PIXELS"], config["MEDIA_MAX_ANIMATION_PIXELS"])
    return _named_for(clean_name(filename), found.format), found


def original_name(media: Media) -> str:
    """The key of the image's original (full size, its own format, no metadata)."""
    return media.file_name(media.width, media.extension)


def area(tenant: Tenant) -> Target:
    """The blog's `media` store."""
    return open_area(dict(current_app.config), "media", tenant.uuid)


def incoming_key(media: Media) -> str:
    """Where the upload waits for processing (never served: not a file name)."""
    return f"{INCOMING}/{media.content_hash}"


_UNSAFE_RE = re.compile(r"[\\/]")


def clean_name(filename: str) -> str:
    """The file's own name, as a person would read it: no folders (`../`), no
    control or formatting characters (a right-to-left override), at most NAME_MAX."""
    base = _UNSAFE_RE.split(unicodedata.normalize("NFC", filename or ""))[-1]
    kept = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    kept = " ".join(kept.split()).lstrip(".")
    _stem, dot, ext = kept.rpartition(".")
    # An extension names a kind of file (".html", ".svg", ".exe"); digits after a
    # dot are part of a name ("Screen Shot 2024-05-01 at 10.30.45").
    looks_like_extension = len(ext) <= 5 and ext.isalnum() and not ext.isdigit()
    if dot and looks_like_extension and ext.lower() not in IMAGE_EXTENSIONS:
        raise MediaRefused(
            f"“{kept[:80]}” does not look like an image: upload a JPEG, PNG, GIF or WebP file.",
            415,
        )
    return kept[-NAME_MAX:] if len(kept) > NAME_MAX else kept or "image"


def _named_for(name: str, image_format: str) -> str:
    """`name` with the extension of what the file is (a JPEG sent as .png is a .jpg)."""
    path = PurePosixPath(name)
    if IMAGE_EXTENSIONS.get(path.suffix.lower().lstrip(".")) == image_format:
        return name
    stem = path.stem if path.suffix.lower().lstrip(".") in IMAGE_EXTENSIONS else name
    return f"{stem[: NAME_MAX - 5]}.{images.EXTENSIONS[image_format]}"


def clean_alt(alt: str) -> str:
    """Alt text on one line, without control characters, at most ALT_MAX characters."""
    kept = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in alt or "")
    return " ".join(kept.split())[:ALT_MAX]


def set_alt(media: Media, alt: str) -> None:
    """Change the image's alt text in the library (posts keep the alt they were written with)."""
    media.alt = clean_alt(alt)


def markdown_reference(media: Media, alt: str | None = None) -> str:
    """`![alt](media:<id>)`, the alt escaped so it cannot close the brackets."""
    text = clean_alt(media.alt if alt is None else alt)
    escaped = re.sub(r"([\\\[\]])", r"\\\1", text)
    return f"![{escaped}](media:{media.id})"


def posts_using(media: Media) -> list[Post]:
    """The blog's posts whose Markdown refers to `media`, by title."""
    like = select(Post).where(Post.body_md.contains(f"media:{media.id}")).order_by(Post.title)
    return [post for post in db.session.scalars(like) if media.id in referenced_ids(post.body_md)]


def media_in_use(tenant: Tenant) -> dict[int, list[Post]]:
    """Each image of the current blog that posts use: its id -> those posts, by title."""
    query = select(Post).where(Post.body_md.contains("media:")).order_by(Post.title)
    using: dict[int, list[Post]] = {}
    for post in db.session.scalars(query):
        for media_id in sorted(referenced_ids(post.body_md)):
            using.setdefault(media_id, []).append(post)
    return using


def delete_media(tenant: Tenant, media: Media) -> list[Post]:
    """Delete the image, its files and its row; the posts that used it are rendered
    again (showing that the image is gone) and returned."""
    users = posts_using(media)
    keys = [incoming_key(media), *file_names(media)]
    area(tenant).delete(keys)
    db.session.delete(media)
    db.session.flush()
    for post in users:
        rerender_post(post)
    if any(post.status == "published" for post in users):
        content_changed(tenant, "posts", tuple(post.id for post in users))
    return users


def file_names(media: Media) -> list[str]:
    """Every stored file of `media` (once processed): the original and each variant."""
    names = {original_name(media)}
    for width in media.widths:
        names |= {media.file_name(width, media.extension), media.file_name(width, "webp")}
    return sorted(names)
