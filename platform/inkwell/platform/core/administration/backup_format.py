"""The backup file: one gzipped tar that `backups` writes and `restores` reads.

    backup.json              first: format, schema revision, each table's rows and
                             SHA-256, the media files' count and bytes
    tables/<table>.jsonl     one JSON object per row, tables in dependency order
    media/<blog uuid>/<key>  every file of the media area, blog by blog

Rows are the models' columns (`db.metadata`), so what the database computes
(PostgreSQL's `posts.search_vector`, SQLite's `posts_fts`) is computed again on
the way in. Values JSON cannot hold are written as text (times in ISO 8601 with
their offset, UUIDs, decimals) or base64 (bytes) and read back by column type.
A file that is not such a tar, is cut short or altered raises `BackupError`
with what is wrong, never a traceback.
"""

import base64
import json
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import JSON, Column, Table
from sqlalchemy.schema import ForeignKeyConstraint, sort_tables_and_constraints
from sqlalchemy.types import TypeDecorator

from inkwell.platform.core.extensions import db

FORMAT, VERSION = "inkwell-backup", 1
MANIFEST = "backup.json"
TABLES, MEDIA = "tables/", "media/"

# A long run reports each step: (what, done, total, name), e.g. ("tables", 3, 27, "posts").
Progress = Callable[[str, int, int, str], None]


def no_progress(_what: str, _done: int, _total: int, _name: str) -> None:
    """The default: report nothing."""


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why and what to do."""


def tables_in_order() -> tuple[list[Table], list[ForeignKeyConstraint]]:
    """Every table, parents first, and the foreign keys that close a cycle
    (a blog's icon is one of its images): rows go in with those columns empty,
    filled once every table is in."""
    ordered, cyclic = [], []
    for table, constraints in sort_tables_and_constraints(db.metadata.sorted_tables):
        if table is None:
            cyclic.extend(constraints)
        else:
            ordered.append(table)
    return ordered, cyclic


def encode(row: dict[str, Any]) -> str:
    """One row as a line of JSON."""
    return json.dumps(row, default=_plain, ensure_ascii=False, separators=(",", ":"))


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot back up a {type(value).__name__}")


def decoder(table: Table) -> Callable[[str], dict[str, Any]]:
    """Reads a line of `table` back into the values its columns take."""
    readers = {column.name: _reader(column) for column in table.columns}

    def decode(line: str) -> dict[str, Any]:
        try:
            row = json.loads(line)
            unknown = row.keys() - readers.keys()
        except (ValueError, AttributeError):
            raise BackupError(f"table {table.name} in the backup is damaged (a row)") from None
        if unknown:
            raise BackupError(f"{table.name} has no column {sorted(unknown)[0]!r} in this schema")
        try:
            for name, read in readers.items():
                if read is not None and row.get(name) is not None:
                    row[name] = read(row[name])
        except (ValueError, TypeError):
            raise BackupError(f"table {table.name} in the backup is damaged (a value)") from None
        return row

    return decode


_READERS: dict[type, Callable[[Any], Any]] = {
    datetime: datetime.fromisoformat,
    date: date.fromisoformat,
    time: time.fromisoformat,
    UUID: UUID,
    Decimal: Decimal,
    bytes: base64.b64decode,
}


def _reader(column: Column[Any]) -> Callable[[Any], Any] | None:
    kind = column.type
    if isinstance(kind, TypeDecorator):  # UTCDateTime: read as what it stores
        kind = kind.impl_instance
    if isinstance(kind, JSON):
        return None  # JSON already
    try:
        return _READERS.get(kind.python_type)
    except NotImplementedError:  # a type with no Python type: taken as stored
        return None


def read_manifest(data: bytes) -> dict[str, Any]:
    """The backup's description, checked to be one this code reads."""
    try:
        manifest = json.loads(data)
    except ValueError:
        raise BackupError(f"{MANIFEST} is not JSON: the file is damaged") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("not an Inkwell backup (made by `inkwell backup`)")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"backup format {manifest.get('version')!r}: this Inkwell reads format {VERSION}"
        )
    shapes = {"revision": str, "tables": dict, "media": dict, "created_at": str}
    if any(not isinstance(manifest.get(key), kind) for key, kind in shapes.items()):
        raise BackupError(f"{MANIFEST} lacks what a backup says of itself: the file is damaged")
    tables, media = manifest["tables"].values(), manifest["media"]
    if not isinstance(media.get("files"), int) or not all(
        isinstance(t, dict) and isinstance(t.get("rows"), int) and isinstance(t.get("sha256"), str)
        for t in tables
    ):
        raise BackupError(f"{MANIFEST} has counts that are no numbers: the file is damaged")
    return manifest
