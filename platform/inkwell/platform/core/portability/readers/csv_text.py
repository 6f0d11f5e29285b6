"""CSV exports read row by row, whatever spreadsheet saved them last.

UTF-8 with or without a byte order mark and UTF-16 with one are read; a file
whose start is not UTF-8 (Latin-1 from an old Excel) is refused whole with a
message saying how to save it, a later row holding bytes that are not UTF-8 is
marked (`CsvRow.bad_text`) for its reader to skip: the others still import.
A field may hold a whole post, so fields are allowed up to FIELD_MAX characters.
"""

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from inkwell.platform.core.portability.foreign import ForeignFormatError

FIELD_MAX = 5 * 1024 * 1024
_SNIFF_BYTES = 64 * 1024
_UNDECODED_RE = re.compile("[\udc80-\udcff]")  # what surrogateescape made of a bad byte


@dataclass(frozen=True)
class CsvRow:
    line: int  # where the row starts in the file, as an editor numbers lines
    values: dict[str, str]  # by the header's names, lower case
    problem: str = ""  # why the row cannot be read as the header says, if it cannot

    @property
    def bad_text(self) -> bool:
        return any(_UNDECODED_RE.search(value) for value in self.values.values())


def csv_rows(stream: IO[bytes], name: str) -> Iterator[CsvRow]:
    """The rows of the CSV file `stream` (seekable), named `name` in messages, after
    its header; ForeignFormatError if the file as a whole cannot be read."""
    encoding = _encoding(stream, name)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape", newline="")
    # The limit is the process's; a larger one only lets longer posts through.
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_MAX))
    reader = csv.reader(text)
    try:
        header = [column.strip().lower() for column in next(reader, [])]
        if not any(header):
            raise ForeignFormatError(f"{name} is empty: expected a header line, then one per note")
        ended = reader.line_num
        for values in reader:
            start, ended = ended + 1, reader.line_num
            if not any(value.strip() for value in values):
                continue
            row = dict(zip(header, values, strict=False))
            problem = ""
            if len(values) != len(header):
                problem = f"{len(values)} fields where the header names {len(header)}"
            yield CsvRow(start, row, problem)
    except csv.Error as error:
        raise ForeignFormatError(
            f"{name}, line {reader.line_num}: not readable as CSV ({error})"
        ) from None


def _encoding(stream: IO[bytes], name: str) -> str:
    head = stream.read(_SNIFF_BYTES)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise ForeignFormatError(
            f"{name} is not UTF-8 text (it looks like UTF-16 without a byte order mark): "
            "save it again as UTF-8"
        )
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as error:
        bad = head[error.start]
        raise ForeignFormatError(
            f"{name} is not UTF-8 text (byte 0x{bad:02X} at position {error.start}, "
            "perhaps Latin-1): save it again as UTF-8 (in Excel: “CSV UTF-8”)"
        ) from None
    return "utf-8"
