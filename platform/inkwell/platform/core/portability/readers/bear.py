"""A CSV of Bear notes: a header line, then a note per row.

Bear itself exports Markdown, TextBundle and the like; a CSV of notes comes from
the tools people export Bear's database with, and they name columns differently,
so the common names are accepted (any case): the note's Markdown ("text",
"note", "content", "body" or "markdown", the one required column), "title",
"tags", when it was created ("created", "creation date", ...) and modified
("modified", "modification date", ...), and its identifier ("identifier",
"unique identifier", "id", "uuid"). Times without an offset are UTC.

A note's title is its title column, else its first line when that is a heading
(Bear's own first line); either way a first heading equal to the title is not
repeated in the body. Tags are the tags column's (comma-separated, `#` or not)
and Bear's tags in the text outside code (`#tag`, `#nested/tag`, `#two words#`);
a line holding only tags is dropped from the body, tags within prose stay as
written. Notes are private, so each one is imported as a draft.
"""

import re
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

from inkwell.platform.core.portability.foreign import (
    ForeignFormatError,
    ForeignPost,
    Skipped,
    foreign_uuid,
)
from inkwell.platform.core.portability.image_refs import code_spans
from inkwell.platform.core.portability.readers.csv_text import CsvRow, csv_rows
from inkwell.platform.core.portability.readers.export_files import open_export
from inkwell.platform.core.portability.readers.times import parse_time

TEXT = ("text", "note", "content", "body", "markdown")
CREATED = (
    "created", "creation date", "creationdate", "creation_date", "date created", "created_at",
)  # fmt: skip
MODIFIED = (
    "modified", "modification date", "modificationdate", "modification_date", "date modified",
    "modified_at", "updated", "updated_at",
)  # fmt: skip
IDENTIFIER = ("identifier", "unique identifier", "uniqueidentifier", "id", "uuid", "note id")
# `#two words#` first: `#two` alone would take its start. Not after a word, `#`
# (a `##` heading), `/` or `&` (a URL's fragment, an entity).
_TAG_RE = re.compile(
    r"(?<![\w#&/\\])#(?:(?P<words>[^\s#](?:[^#\n]*[^\s#\\])?)#(?![\w#])|(?P<word>\w[\w/-]*))"
)
_HEADING_RE = re.compile(r"\A\s*#\s+(?P<title>[^\n]+?)\s*#*\s*(?:\n|\Z)")


class BearReader:
    format = "bear"

    def __init__(self, path: Path) -> None:
        self.path = path

    def items(self) -> Iterator[ForeignPost | Skipped]:
        """A draft per note, in the file's order."""
        with open_export(self.path) as file:
            rows = csv_rows(file, self.path.name)
            first = next(rows, None)
            if first is not None and not _column(first, TEXT):
                raise ForeignFormatError(
                    f"{self.path.name} has no column of the notes' text: expected one named "
                    f"{', '.join(TEXT)}"
                )
            if first is not None:
                yield from (_note(row) for row in chain([first], rows))


def _column(row: CsvRow, names: tuple[str, ...]) -> str | None:
    return next((name for name in names if name in row.values), None)


def _value(row: CsvRow, names: tuple[str, ...]) -> str:
    column = _column(row, names)
    return row.values[column] if column else ""


def _note(row: CsvRow) -> ForeignPost | Skipped:
    ref = f"line {row.line}"
    if row.problem or row.bad_text:
        return Skipped("note", row.problem or "it holds text that is not UTF-8", ref)
    text = _value(row, TEXT).replace("\r\n", "\n")
    title = " ".join(_value(row, ("title",)).split())
    heading = _HEADING_RE.match(text)
    if heading and (not title or heading["title"] == title):
        title, text = heading["title"], text[heading.end() :]
    if not title and not text.strip():
        return Skipped("note", "an empty note", ref)
    ref = f"line {row.line} (“{title[:60]}”)" if title else ref
    try:
        created = parse_time(_value(row, CREATED).strip())
        modified = parse_time(_value(row, MODIFIED).strip())
    except ValueError as error:
        return Skipped("note", f"a date that cannot be read: {error}", ref)
    body, tags = _tags(text)
    listed = (tag.strip().lstrip("#").strip() for tag in _value(row, ("tags",)).split(","))
    identity = _value(row, IDENTIFIER).strip() or f"{title}\n{_value(row, CREATED).strip()}"
    return ForeignPost(
        uuid=foreign_uuid("bear", identity),
        title=title,
        body=body.strip("\n") + "\n",
        body_format="markdown",
        status="draft",
        created_at=created,
        updated_at=modified,
        tags=tuple(dict.fromkeys(tag for tag in (*listed, *tags) if tag)),
        source_ref=ref,
    )


def _tags(text: str) -> tuple[str, tuple[str, ...]]:
    """`text` without the lines that only hold tags, and the tags it names outside code."""
    code = code_spans(text)
    found = [m for m in _TAG_RE.finditer(text) if not any(a <= m.start() < b for a, b in code)]
    tags = tuple((m["words"] or m["word"]).strip().strip("/") for m in found)
    kept, at = [], 0
    for line in text.split("\n"):
        end = at + len(line)
        on_line = [m for m in found if at <= m.start() < end]
        rest = "".join(line[s:e] for s, e in _gaps(on_line, at, end))
        if not (on_line and not rest.strip()):
            kept.append(line)
        at = end + 1
    return "\n".join(kept), tags


def _gaps(matches: list[re.Match[str]], start: int, end: int) -> Iterator[tuple[int, int]]:
    """The parts of the line [start, end) between `matches`, as offsets in the line."""
    at = start
    for m in matches:
        yield at - start, m.start() - start
        at = m.end()
    yield at - start, end - start
