"""Where blogs' files live: one store per area, each blog's files under its UUID.

An area is a kind of file with a store of its own, set by `<AREA>_URL`: an
`s3://bucket/prefix` or a folder (empty: a folder of that name in the instance
folder). `mirror` holds the static mirrors, `media` the images uploaded to posts
(`core.media`); exports will be an area too, so a purge that clears every area
leaves nothing of a blog behind.
`tenant_prefix` is the one maker of a blog's root in an area: keys never name
a blog's subdomain, which a later blog may take.
"""

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from uuid import UUID

from inkwell.platform.core.storage.targets import FolderTarget, S3Target, StorageError, Target

__all__ = ["AREAS", "StorageError", "Target", "clear_tenant", "open_area", "tenant_prefix"]

# Area -> the setting naming its store.
AREAS = {"mirror": "MIRROR_URL", "media": "MEDIA_URL"}


def tenant_prefix(config: dict[str, Any], area: str, blog: UUID) -> str:
    """The blog's root in `area`: a key prefix in the area's bucket, or a folder."""
    bucket, base = _store(config, area)
    if bucket is None:
        return str(Path(base) / str(blog))
    return "/".join(part for part in (base, str(blog)) if part)


def open_area(config: dict[str, Any], area: str, blog: UUID) -> Target:
    """The store of `area`, opened at `blog`'s root."""
    bucket, _base = _store(config, area)
    root = tenant_prefix(config, area, blog)
    return FolderTarget(Path(root)) if bucket is None else S3Target(config, bucket, root)


def _store(config: dict[str, Any], area: str) -> tuple[str | None, str]:
    """(bucket, key prefix) of an S3 area; (None, folder) of a folder."""
    url = config[AREAS[area]]
    parts = urlsplit(url)
    if parts.scheme == "s3":
        return parts.netloc, parts.path.strip("/")
    if parts.scheme in ("", "file"):
        return None, unquote(parts.path) if parts.scheme else url
    raise ValueError(f"{AREAS[area]} must be s3://bucket/prefix or a folder, not {url!r}")


def clear_tenant(config: dict[str, Any], blog: UUID) -> int:
    """Delete every file of the blog in every area; how many."""
    return sum(open_area(config, area, blog).clear() for area in AREAS)
