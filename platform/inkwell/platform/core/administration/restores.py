"""`inkwell restore FILE`: a backup (`backups`) back into the database and the
media area.

- The file is checked before anything changes: an Inkwell backup, a format this
  code reads, a schema revision this code knows (a backup from a newer Inkwell
  is refused: upgrade the code first).
- The backup's schema revision must be this code's (its rows are the models'
  columns): a backup from a newer Inkwell is refused (upgrade the code first),
  one from an older is restored by the version that made it, then upgraded.
- The database must be empty (no blog, no account) unless forced, and then
  everything in it is replaced. With no schema yet, the restore creates it;
  a schema at another revision is refused (`inkwell db upgrade` first).
- Every row goes in within one transaction, across tenants (row-level security
  sees every blog); each table's SHA-256 and row count must match the manifest,
  and the counts are read back from the database before the commit, so a damaged
  or cut-short file changes nothing in the database. Media files are written
  as they come; a failure leaves those already written (the same bytes, by
  name), and the restore can be run again.
- Before the commit, sequences follow the restored ids; after it, statistics
  are refreshed and cached pages of every blog dropped.

The mirrors' manifests come back with the rows and may describe files older or
newer than the targets hold: `inkwell publish --all --full` lists each target
and makes it equal to the build, whatever its manifest says.
"""

import gzip
import hashlib
import mimetypes
import tarfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from uuid import UUID

from flask import current_app
from sqlalchemy import Connection, Table, func, inspect, select, text, tuple_, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import ForeignKeyConstraint

from inkwell.platform.core import database
from inkwell.platform.core.administration import backup_format as fmt
from inkwell.platform.core.caching import drop_tenant_entries
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Tenant, User
from inkwell.platform.core.storage import open_area
from inkwell.platform.core.template_filters import plural
from inkwell.platform.core.tenancy import across_tenants

BATCH = 500  # rows per INSERT
_DAMAGED = (tarfile.TarError, EOFError, gzip.BadGzipFile, zlib.error, UnicodeDecodeError)


def restore(
    path: Path, force: bool = False, progress: fmt.Progress = fmt.no_progress
) -> dict[str, Any]:
    """Restore the backup at `path`; its manifest."""
    with _archive(path) as (archive, members):
        first = next(members, None)
        if first is None or first.name != fmt.MANIFEST:
            raise fmt.BackupError("not an Inkwell backup (made by `inkwell backup`)")
        manifest = fmt.read_manifest(_read(archive, first))
        _check_revision(manifest["revision"])
        _prepare(manifest["revision"], force)
        try:
            with across_tenants(), db.engine.begin() as connection:
                if force:
                    _empty(connection)
                _load(connection, archive, members, manifest, progress)
        except DBAPIError as error:  # rows the schema refuses: an altered file
            raise fmt.BackupError(
                f"the database refused the backup's rows ({error.orig}); nothing changed"
            ) from None
    database.refresh_statistics()
    _forget_cached_pages()
    return manifest


@contextmanager
def _archive(path: Path) -> Iterator[tuple[tarfile.TarFile, Iterator[tarfile.TarInfo]]]:
    """The backup read as a stream, once; a damaged file as a BackupError."""
    try:
        with tarfile.open(path, "r|gz") as archive:
            yield archive, iter(archive)
    except FileNotFoundError:
        raise fmt.BackupError(f"no file {path}") from None
    except _DAMAGED as error:
        raise fmt.BackupError(
            f"{path} is no Inkwell backup, or is damaged or cut short "
            f"({error or type(error).__name__}); "
            "nothing in the database changed"
        ) from None


def _read(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    stream = archive.extractfile(member)
    if stream is None:
        raise fmt.BackupError(f"{member.name} in the backup is not a file")
    return stream.read()


def _check_revision(revision: str) -> None:
    """The backup's rows are this code's models' columns only at this code's
    revision: an older or newer backup is restored by the Inkwell that made it."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    scripts = ScriptDirectory.from_config(database.alembic_config())
    try:
        scripts.get_revision(revision)
    except CommandError:
        raise fmt.BackupError(
            f"the backup's schema revision {revision!r} is unknown here, so it comes from "
            "a newer Inkwell: install that version (or newer) and restore with it"
        ) from None
    head = scripts.get_current_head()
    if revision != head:
        raise fmt.BackupError(
            f"the backup's schema revision {revision} is older than this Inkwell's ({head}): "
            "restore it with the Inkwell version that made it, then upgrade the code and "
            "run `inkwell db upgrade`"
        )


def _prepare(revision: str, force: bool) -> None:
    """A schema at the backup's revision, created if there is none; refuse one at
    another revision, or any content unless forced."""
    current = _revision()
    if current is None:
        database.upgrade(revision)
        return
    with db.engine.connect() as connection:
        if current != revision:
            raise fmt.BackupError(
                f"the database's schema is at revision {current}, the backup's at {revision}: "
                "run `inkwell db upgrade` first, or restore into a new, empty database"
            )
        blogs = connection.scalar(select(func.count()).select_from(Tenant.__table__))
        users = connection.scalar(select(func.count()).select_from(User.__table__))
    if (blogs or users) and not force:
        raise fmt.BackupError(
            f"the database holds {plural(blogs or 0, 'blog')} and "
            f"{plural(users or 0, 'account')}; a restore replaces everything in it: "
            "run it again with --force to do so"
        )


def _revision() -> str | None:
    """The database's schema revision; None with no schema."""
    with db.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.scalar(text("SELECT version_num FROM alembic_version"))


def _empty(connection: Connection) -> None:
    """Delete every row, children first (the cycle's columns emptied before)."""
    tables, cyclic = fmt.tables_in_order()
    for constraint in cyclic:
        connection.execute(
            update(constraint.table).values(dict.fromkeys(constraint.columns.keys()))
        )
    for table in reversed(tables):
        connection.execute(table.delete())


def _load(
    connection: Connection,
    archive: tarfile.TarFile,
    members: Iterator[tarfile.TarInfo],
    manifest: dict[str, Any],
    progress: fmt.Progress,
) -> None:
    tables, cyclic = fmt.tables_in_order()
    expected = manifest["tables"]
    if set(expected) != {table.name for table in tables}:
        raise fmt.BackupError("the backup's tables are not this schema's: the file is damaged")
    later: list[tuple[ForeignKeyConstraint, list[dict[str, Any]]]] = []
    files, pending = 0, list(tables)
    for member in members:
        if member.isdir():
            continue
        if member.name.startswith(fmt.TABLES) and pending:
            table = pending.pop(0)
            if member.name != f"{fmt.TABLES}{table.name}.jsonl":
                raise fmt.BackupError(f"{member.name} out of place: expected {table.name}")
            stream = archive.extractfile(member)
            assert stream is not None  # a regular file, checked above
            later += _load_table(connection, table, stream, expected[table.name], cyclic)
            progress("tables", len(tables) - len(pending), len(tables), table.name)
        elif member.name.startswith(fmt.MEDIA) and not pending:
            _restore_file(member.name, _read(archive, member))
            files += 1
            progress("media files", files, manifest["media"]["files"], member.name)
        else:
            raise fmt.BackupError(f"unexpected {member.name} in the backup")
    if pending or files != manifest["media"]["files"]:
        raise fmt.BackupError(
            "the backup is damaged or cut short: tables or media files are missing; "
            "nothing in the database changed"
        )
    _fill_cycles(connection, later)
    _check_counts(connection, tables, expected)
    _follow_sequences(connection, tables)


def _load_table(
    connection: Connection,
    table: Table,
    stream: IO[bytes],
    expected: dict[str, Any],
    cyclic: list[ForeignKeyConstraint],
) -> list[tuple[ForeignKeyConstraint, list[dict[str, Any]]]]:
    """Insert the table's rows; the cyclic columns' values, to set afterwards."""
    decode, digest, batch, rows = fmt.decoder(table), hashlib.sha256(), [], 0
    mine = [c for c in cyclic if c.table is table]
    held: list[list[dict[str, Any]]] = [[] for _ in mine]
    for line in stream:
        digest.update(line)
        row = decode(line.decode())
        for constraint, values in zip(mine, held, strict=True):
            names = constraint.columns.keys()
            if any(row.get(name) is not None for name in names):
                key = {c.name: row[c.name] for c in table.primary_key.columns}
                values.append({**key, **{name: row.pop(name) for name in names}})
        batch.append(row)
        rows += 1
        if len(batch) == BATCH:
            connection.execute(table.insert(), batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)
    if digest.hexdigest() != expected["sha256"] or rows != expected["rows"]:
        raise fmt.BackupError(f"table {table.name} in the backup is damaged (checksum)")
    return list(zip(mine, held, strict=True))


def _fill_cycles(
    connection: Connection, later: list[tuple[ForeignKeyConstraint, list[dict[str, Any]]]]
) -> None:
    for constraint, values in later:
        table = constraint.table
        keys = list(table.primary_key.columns)
        for row in values:
            where = tuple_(*keys) == tuple(row[c.name] for c in keys)
            names = constraint.columns.keys()
            connection.execute(update(table).where(where).values({n: row[n] for n in names}))


def _check_counts(connection: Connection, tables: list[Table], expected: dict[str, Any]) -> None:
    for table in tables:
        found = connection.scalar(select(func.count()).select_from(table))
        if found != expected[table.name]["rows"]:
            raise fmt.BackupError(
                f"{table.name}: {found} rows restored, the backup has "
                f"{expected[table.name]['rows']}; nothing in the database changed"
            )


def _follow_sequences(connection: Connection, tables: list[Table]) -> None:
    """PostgreSQL's id sequences start after the restored ids (SQLite's rowids do)."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        column = table.autoincrement_column
        if column is not None:
            sequence = func.pg_get_serial_sequence(table.name, column.name)
            highest = func.max(column)
            at = func.setval(sequence, func.coalesce(highest, 1), highest.is_not(None))
            connection.execute(select(at).select_from(table))


def _restore_file(name: str, data: bytes) -> None:
    """One media file back into its blog's store."""
    _media, blog, key = name.split("/", 2)
    try:
        store = open_area(dict(current_app.config), "media", UUID(blog))
    except ValueError:
        raise fmt.BackupError(f"{name}: not a blog's media file") from None
    content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
    # Stored images never change under their name; anything else is not served.
    image = content_type.startswith("image/")
    cache = "public, max-age=31536000, immutable" if image else "no-store"
    store.put_bytes(key, data, content_type, cache)


def _forget_cached_pages() -> None:
    """Cached pages name content versions the restored rows may reuse."""
    for tenant in db.session.scalars(select(Tenant)):
        drop_tenant_entries(tenant)
    db.session.rollback()
