"""`inkwell backup FILE`: every blog's rows, the platform's, and the media area,
in one file (`backup_format`) that `restores` reads back.

Why not pg_dump: the app's role is bound by row-level security (forced on the
tenant tables, `core.row_security`), so pg_dump as that role stops, and with
`--enable-row-security` it writes a dump without a single post and exits 0.
This dump reads through the app's own scope instead, `across_tenants()`, so
every blog's rows are seen, on both databases:

- PostgreSQL: one REPEATABLE READ transaction reads table after table, so the
  file is one consistent moment while the site keeps writing;
- SQLite: the sqlite3 backup API copies the database file first (a consistent
  copy, pages copied in steps), and the tables are read from the copy.

Media files are read after the rows, so every image a row names is there
(one deleted meanwhile may come along too). The static mirrors are not in the
file: they are built from the rows, and a full publish after a restore makes
each target equal to its build (`inkwell publish --all --full`).
"""

import hashlib
import io
import json
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from flask import current_app
from sqlalchemy import Connection, create_engine, select, text

from inkwell.platform.core.administration import backup_format as fmt
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Tenant
from inkwell.platform.core.storage import open_area
from inkwell.platform.core.template_filters import plural
from inkwell.platform.core.tenancy import across_tenants


def backup(
    path: Path, progress: fmt.Progress = fmt.no_progress, media: bool = True
) -> dict[str, Any]:
    """Write the backup to `path` (through `path.partial`, renamed when whole),
    the media area too unless not `media`; its manifest."""
    with tempfile.TemporaryDirectory(prefix="inkwell-backup-") as work:
        folder = Path(work)
        with _snapshot(folder) as connection:
            manifest = _header(connection)
            manifest["tables"] = _dump_tables(connection, folder, progress)
            blogs = list(connection.scalars(select(Tenant.__table__.c.uuid)))
        if media:
            manifest["media"] = _copy_media(blogs, folder, progress)
        else:  # copied by other means (a bucket's versioning or replication)
            manifest["media"] = {"files": 0, "bytes": 0, "left_out": True}
        partial = path.with_name(path.name + ".partial")
        try:
            _write(partial, folder, manifest)
        except BaseException:
            partial.unlink(missing_ok=True)  # never a half file beside the good ones
            raise
        partial.replace(path)
    return manifest


def _write(partial: Path, folder: Path, manifest: dict[str, Any]) -> None:
    """The archive: the manifest first (a restore checks it before anything else)."""
    with tarfile.open(partial, "w:gz") as archive:
        _add_bytes(archive, fmt.MANIFEST, json.dumps(manifest, indent=1).encode())
        # Parents first, as the restore inserts them; then the media files.
        for table in fmt.tables_in_order()[0]:
            name = f"{fmt.TABLES}{table.name}.jsonl"
            archive.add(folder / name, arcname=name)
        if (folder / "media").exists():
            archive.add(folder / "media", arcname="media")


@contextmanager
def _snapshot(folder: Path) -> Iterator[Connection]:
    """A connection that reads one moment of the whole database, every blog's rows."""
    if db.engine.dialect.name == "sqlite":
        copy = folder / "snapshot.db"
        raw = db.engine.raw_connection()
        try:
            with sqlite3.connect(copy) as target:
                raw.driver_connection.backup(target)  # type: ignore[union-attr]
        finally:
            raw.close()
        engine = create_engine(f"sqlite:///{copy}")
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            engine.dispose()
            copy.unlink()
        return
    options = {"isolation_level": "REPEATABLE READ"}
    connect = db.engine.connect
    with across_tenants(), connect().execution_options(**options) as connection, connection.begin():
        yield connection


def _header(connection: Connection) -> dict[str, Any]:
    revision = connection.scalar(text("SELECT version_num FROM alembic_version"))
    return {
        "format": fmt.FORMAT,
        "version": fmt.VERSION,
        "revision": revision,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": db.engine.dialect.name,
    }


def _dump_tables(
    connection: Connection, folder: Path, progress: fmt.Progress
) -> dict[str, dict[str, Any]]:
    """Each table as JSON lines; its row count and SHA-256, by name."""
    (folder / "tables").mkdir()
    tables, _cyclic = fmt.tables_in_order()
    written = {}
    for done, table in enumerate(tables, 1):
        digest, rows = hashlib.sha256(), 0
        ordered = select(table).order_by(*table.primary_key.columns)
        with (folder / "tables" / f"{table.name}.jsonl").open("wb") as out:
            for row in connection.execute(ordered).mappings():
                line = (fmt.encode(dict(row)) + "\n").encode()
                out.write(line)
                digest.update(line)
                rows += 1
        written[table.name] = {"rows": rows, "sha256": digest.hexdigest()}
        progress("tables", done, len(tables), f"{table.name} ({plural(rows, 'row')})")
    return written


def _copy_media(blogs: list[UUID], folder: Path, progress: fmt.Progress) -> dict[str, int]:
    """Every blog's media files into `folder/media/<uuid>/`; how many and their bytes."""
    config, files, size = dict(current_app.config), 0, 0
    for done, blog in enumerate(blogs, 1):
        store = open_area(config, "media", blog)
        for key in list(store.keys()):
            try:
                data = store.read(key)
            except FileNotFoundError:  # deleted since it was listed: its row is gone too
                continue
            target = folder / "media" / str(blog) / key
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            files, size = files + 1, size + len(data)
        progress("blogs' media", done, len(blogs), str(blog))
    return {"files": files, "bytes": size}


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))
