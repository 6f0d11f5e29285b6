"""Read the Markdown files of a bundle, a folder or a .zip, without trusting it.

A zip comes from anyone: entries that could point outside the bundle (absolute,
`..`) or hide (dot files, `__MACOSX/`) are skipped, and sizes are capped from
the declared sizes before anything is read, then again by a bounded read.
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


class BundleError(ValueError):
    """The bundle as a whole cannot be read; the message is for the user."""


class BundleFileError(ValueError):
    """One file of the bundle cannot be read; the others still can."""


@dataclass(frozen=True)
class BundleFile:
    name: str  # path inside the bundle, "/"-separated
    size: int  # as declared by the file system or the zip
    _read: Callable[[], bytes]

    def read(self) -> bytes:
        """The file's bytes; raise BundleFileError if too large or unreadable."""
        if self.size > MAX_FILE_BYTES:
            raise BundleFileError(f"larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
        data = self._read()
        if len(data) > MAX_FILE_BYTES:
            raise BundleFileError(f"larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
        return data


@contextmanager
def open_bundle(path: Path) -> Iterator[list[BundleFile]]:
    """The .md files of the folder or zip at `path`, sorted by name."""
    if path.is_dir():
        yield _checked(_folder_files(path))
    elif path.is_file() and zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                yield _checked(_zip_files(archive))
        except zipfile.BadZipFile as error:
            raise BundleError(f"{path}: not a readable zip ({error})") from None
    elif path.exists():
        raise BundleError(f"{path}: not a folder or a .zip file")
    else:
        raise BundleError(f"{path}: no such file or folder")


def _checked(files: list[BundleFile]) -> list[BundleFile]:
    if sum(f.size for f in files) > MAX_BUNDLE_BYTES:
        raise BundleError(f"the bundle is larger than {MAX_BUNDLE_BYTES // 1024 // 1024} MB")
    return sorted(files, key=lambda f: f.name)


def _folder_files(root: Path) -> list[BundleFile]:
    files = []
    for path in root.rglob(f"*{SUFFIX}"):
        name = path.relative_to(root).as_posix()
        if path.is_file() and _safe_name(name):
            files.append(BundleFile(name, path.stat().st_size, _bounded_file_reader(path)))
    return files


def _bounded_file_reader(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            with path.open("rb") as file:
                return file.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            raise BundleFileError(f"cannot be read ({error.strerror})") from None

    return read


def _zip_files(archive: zipfile.ZipFile) -> list[BundleFile]:
    return [
        BundleFile(name, info.file_size, _bounded_zip_reader(archive, info))
        for info in archive.infolist()
        if not info.is_dir() and (name := _safe_name(info.filename))
    ]


def _bounded_zip_reader(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], bytes]:
    def read() -> bytes:
        # The declared size may lie: never decompress more than the cap allows.
        try:
            with archive.open(info) as entry:
                return entry.read(MAX_FILE_BYTES + 1)
        except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError) as error:
            raise BundleFileError(f"cannot be read from the zip ({error})") from None

    return read


def _safe_name(name: str) -> str | None:
    """`name` as a relative "/" path if it is a visible .md file inside the bundle, else None."""
    path = PurePosixPath(name.replace("\\", "/"))
    if not path.parts or path.is_absolute() or ".." in path.parts or ":" in path.parts[0]:
        return None
    if any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
        return None
    return str(path) if path.suffix.lower() == SUFFIX else None
