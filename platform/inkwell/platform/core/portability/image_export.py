"""The images of an export: each image of the blog's library as `media/<name>`, its
original as stored (full size, metadata already stripped), and posts pointing at
them relatively, `![alt](../media/<name>)` from `posts/<slug>.md` (a cover as
`cover: ../media/<name>` in the front matter), so the folder
shows its images in any Markdown reader and imports back into any blog
(`image_import`). The library's alt texts go in `media/alt-text.yaml`.

Names are the library's, made unique in a fixed order (by name, then id; a later
one gets `-2`, `-3` before its extension, case ignored since zips are unpacked
onto file systems that ignore it), so a blog exports to the same bytes each time,
and a blog imported from an export exports as that export.
"""

import re
from collections.abc import Callable
from pathlib import PurePosixPath

import yaml
from sqlalchemy import select

from inkwell.platform.core.extensions import db
from inkwell.platform.core.media import library
from inkwell.platform.core.models import Media, Post, Tenant
from inkwell.platform.core.portability.bundles import ALT_TEXTS
from inkwell.platform.core.portability.image_refs import Reference, references, rewrite

FOLDER = "media/"
FROM_POSTS = "../media/"  # the folder as a post's file sees it
_LIBRARY_RE = re.compile(r"media:(\d{1,18})")


def library_names(tenant: Tenant) -> dict[int, str]:
    """The export's file name of each image of the current blog that has its files."""
    query = select(Media).where(Media.state == "ready").order_by(Media.name, Media.id)
    names: dict[int, str] = {}
    taken: set[str] = set()
    for media in db.session.scalars(query):
        name = _unique(media.name, taken)
        taken.add(name.lower())
        names[media.id] = name
    return names


def _unique(name: str, taken: set[str]) -> str:
    path = PurePosixPath(name)
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{path.stem}-{n}{path.suffix}"
    return candidate


def exported_body(body: str, names: dict[int, str]) -> str:
    """`body` with each image of the library it shows pointing at its exported file;
    an id the library lacks (a deleted image) stays as written."""

    def change(ref: Reference) -> str | None:
        match = _LIBRARY_RE.fullmatch(ref.target)
        name = names.get(int(match[1])) if match else None
        return ref.with_target(body, FROM_POSTS + name) if name else None

    return rewrite(body, references(body), change)


def cover_path(post: Post, names: dict[int, str]) -> str | None:
    """The exported file of the post's cover, as the post's file sees it."""
    name = names.get(post.cover_media_id or 0)
    return FROM_POSTS + name if name else None


def write_images(tenant: Tenant, names: dict[int, str], add: Callable[[str, bytes], None]) -> None:
    """`add(path, bytes)` each original of `names`, read from the blog's media store,
    then ALT_TEXTS: each image's alt text in the library, by file name."""
    store = library.area(tenant)
    images = db.session.scalars(select(Media).where(Media.id.in_(names))).all()
    alts = {}
    for media in sorted(images, key=lambda media: names[media.id]):
        add(FOLDER + names[media.id], store.read(library.original_name(media)))
        if media.alt:
            alts[names[media.id]] = media.alt
    if alts:
        add(ALT_TEXTS, yaml.safe_dump(alts, allow_unicode=True, sort_keys=True).encode())
