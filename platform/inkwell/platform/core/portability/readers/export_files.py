"""An export file opened for a reader, or the reason it cannot be, for the user."""

from pathlib import Path
from typing import IO

from inkwell.platform.core.portability.foreign import ForeignFormatError


def open_export(path: Path) -> IO[bytes]:
    """`path` opened for reading bytes; ForeignFormatError if it cannot be."""
    try:
        return path.open("rb")
    except OSError as error:
        raise ForeignFormatError(f"{path.name} cannot be read ({error.strerror})") from None
