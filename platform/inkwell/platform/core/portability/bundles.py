"""Read the Markdown files of a bundle, a folder or a .zip, and the images beside
them, without trusting it.

A zip comes from anyone: entries that could point outside the bundle (absolute,
`..`) or hide (dot files, `__MACOSX/`) are skipped, and sizes are capped from
the declared sizes before anything is read, then again by a bounded read. The
200 MB cap is on the Markdown; images are read one at a time, each within the
caller's limit (the media per-file limit), and count against the blog's quota.
Other platforms' zips (a Substack export) are read the same way (`open_zip`).
"""

import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_BUNDLE_BYTES = 200 * 1024 * 1024
SUFFIX = ".md"
# An export's alt texts of its library's images (`image_export`).
ALT_TEXTS = "media/alt-text.yaml"
CUSTOM_CSS = "custom.css"  # the blog's own CSS (`custom_css_files`)
NAVIGATION = "navigation.yaml"  # the header's links (`navigation_files`)
SETTINGS = "settings.yaml"  # its theme, language, icon... (`settings_files`)
SUBSCRIBERS = "subscribers.csv"  # its subscribers, when an owner exported them
# The files of a bundle besides posts, snippets and images, in `Bundle`'s order.
EXTRAS = (ALT_TEXTS, CUSTOM_CSS, NAVIGATION, SETTINGS, SUBSCRIBERS)
# Files a post may show as an image; the media library says which it accepts.
IMAGE_SUFFIXES = frozenset(
    [
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".svg",
        ".bmp",
        ".tif",
        ".tiff",
        ".heic",
        ".heif",
        ".avif",
        ".ico",
    ]
)


class BundleError(ValueError):
    """The bundle as a whole cannot be read; the message is for the user."""


class BundleFileError(ValueError):
    """One file of the bundle cannot be read; the others still can."""


@dataclass(frozen=True)
class BundleFile:
    name: str  # path inside the bundle, "/"-separated
    size: int  # as declared by the file system or the zip
    _read: Callable[[int], bytes]  # at most limit + 1 bytes

    def read(self, limit: int | None = None) -> bytes:
        """The file's bytes; raise BundleFileError if larger than `limit` (by default
        MAX_FILE_BYTES) or unreadable."""
        limit = MAX_FILE_BYTES if limit is None else limit
        if self.size > limit:
            raise BundleFileError(f"larger than {_megabytes(limit)}")
        data = self._read(limit)
        if len(data) > limit:
            raise BundleFileError(f"larger than {_megabytes(limit)}")
        return data


@dataclass(frozen=True)
class Bundle:
    documents: list[BundleFile]  # the .md files, sorted by name
    images: dict[str, BundleFile]  # the image files, by name
    alt_texts: BundleFile | None = None  # ALT_TEXTS, if the bundle has it
    custom_css: BundleFile | None = None  # CUSTOM_CSS, if the bundle has it
    navigation: BundleFile | None = None  # NAVIGATION, if the bundle has it
    settings: BundleFile | None = None  # SETTINGS, if the bundle has it
    subscribers: BundleFile | None = None  # SUBSCRIBERS, if the bundle has it


@contextmanager
def open_bundle(path: Path) -> Iterator[Bundle]:
    """The .md files and the images of the folder or zip at `path`."""
    if path.is_dir():
        yield _checked(_folder_files(path))
    elif path.is_file() and zipfile.is_zipfile(path):
        with _opened_zip(path) as archive:
            yield _checked(_zip_files(archive, _bundle_file))
    elif path.exists():
        raise BundleError(f"{path}: not a folder or a .zip file")
    else:
        raise BundleError(f"{path}: no such file or folder")


@contextmanager
def open_zip(path: Path, suffixes: frozenset[str]) -> Iterator[dict[str, BundleFile]]:
    """The files of the zip at `path` whose names end in one of `suffixes`, by name,
    under the same rules as a bundle's: none outside it or hidden, at most
    MAX_BUNDLE_BYTES declared in all, each read bounded."""
    if not (path.is_file() and zipfile.is_zipfile(path)):
        raise BundleError(f"{path.name}: not a .zip file")
    with _opened_zip(path) as archive:
        files = _zip_files(archive, lambda p: p.suffix.lower() in suffixes)
        if sum(f.size for f in files) > MAX_BUNDLE_BYTES:
            raise BundleError(f"the zip holds more than {_megabytes(MAX_BUNDLE_BYTES)}")
        yield {f.name: f for f in files}


@contextmanager
def _opened_zip(path: Path) -> Iterator[zipfile.ZipFile]:
    try:
        with zipfile.ZipFile(path) as archive:
            yield archive
    except zipfile.BadZipFile as error:
        raise BundleError(f"{path.name}: not a readable zip ({error})") from None


def _checked(files: list[BundleFile]) -> Bundle:
    documents = sorted((f for f in files if _suffix(f.name) == SUFFIX), key=lambda f: f.name)
    if sum(f.size for f in documents) > MAX_BUNDLE_BYTES:
        raise BundleError(f"the bundle is larger than {_megabytes(MAX_BUNDLE_BYTES)}")
    images = {f.name: f for f in files if _suffix(f.name) in IMAGE_SUFFIXES}
    named = {f.name: f for f in files}
    return Bundle(documents, images, *(named.get(name) for name in EXTRAS))


def _folder_files(root: Path) -> list[BundleFile]:
    files = []
    for path in root.rglob("*"):
        name = path.relative_to(root).as_posix()
        if _safe_name(name, _bundle_file) and path.is_file():
            files.append(BundleFile(name, path.stat().st_size, _bounded_file_reader(path)))
    return files


def _bounded_file_reader(path: Path) -> Callable[[int], bytes]:
    def read(limit: int) -> bytes:
        try:
            with path.open("rb") as file:
                return file.read(limit + 1)
        except OSError as error:
            raise BundleFileError(f"cannot be read ({error.strerror})") from None

    return read


def _zip_files(
    archive: zipfile.ZipFile, wanted: Callable[[PurePosixPath], bool]
) -> list[BundleFile]:
    return [
        BundleFile(name, info.file_size, _bounded_zip_reader(archive, info))
        for info in archive.infolist()
        if not info.is_dir() and (name := _safe_name(info.filename, wanted))
    ]


def _bounded_zip_reader(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[int], bytes]:
    def read(limit: int) -> bytes:
        # The declared size may lie: never decompress more than the cap allows.
        try:
            with archive.open(info) as entry:
                return entry.read(limit + 1)
        except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError) as error:
            raise BundleFileError(f"cannot be read from the zip ({error})") from None

    return read


def _safe_name(name: str, wanted: Callable[[PurePosixPath], bool]) -> str | None:
    """`name` as a relative "/" path if it is a visible file inside the archive that
    is `wanted`, else None."""
    path = PurePosixPath(name.replace("\\", "/"))
    if not path.parts or path.is_absolute() or ".." in path.parts or ":" in path.parts[0]:
        return None
    if any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
        return None
    return str(path) if wanted(path) else None


def _bundle_file(path: PurePosixPath) -> bool:
    """A .md or image file, or one of EXTRAS."""
    suffix = path.suffix.lower()
    named = str(path) in EXTRAS
    return suffix == SUFFIX or suffix in IMAGE_SUFFIXES or named


def _suffix(name: str) -> str:
    return PurePosixPath(name).suffix.lower()


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"
