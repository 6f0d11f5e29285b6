"""One stored file of the current blog by its name, for the blog host's
`/media/<file>` (`inkwell.tenants.media`) and the dashboard's preview.

Only names of the blog's own images are read: `<hash>-<width>.<ext>` with a
hash the blog has (tenancy filters the query), a width it was made at and an
extension it was stored in. Anything else, an upload waiting in `incoming/`
above all, is not found.
"""

import re
from dataclasses import dataclass

from sqlalchemy import select

from inkwell.platform.core.extensions import db
from inkwell.platform.core.media import images
from inkwell.platform.core.media.library import area, file_names
from inkwell.platform.core.models import Media, Tenant

NAME_RE = re.compile(
    r"(?P<hash>[0-9a-f]{64})-(?P<width>[1-9][0-9]{0,4})\.(?P<ext>jpg|png|gif|webp)"
)


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    content_type: str


def read_file(tenant: Tenant, name: str) -> StoredFile | None:
    """The file `name` of the current blog's images, or None if it has no such file
    (or it is not made yet). `storage.StorageError` if the store fails."""
    match = NAME_RE.fullmatch(name)
    if match is None:
        return None
    query = select(Media).where(Media.content_hash == match["hash"], Media.state == "ready")
    media = db.session.scalar(query)
    if media is None or name not in file_names(media):
        return None
    try:
        data = area(tenant).read(name)
    except FileNotFoundError:
        return None
    return StoredFile(data, images.CONTENT_TYPES[match["ext"]])
