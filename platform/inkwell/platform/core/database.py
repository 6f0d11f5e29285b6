"""Schema migrations (Alembic, in the repository's `alembic/`), readiness, and
pings of idle pooled connections.

Each migration commits on its own (`migration_env`), so readers never wait for a
whole upgrade. A data migration that meets rows it must not decide about by
itself (two accounts that turn out to be one address) raises `MigrationRefused`:
that migration rolls back, those before it stay, and `inkwell db upgrade` prints
what to do and exits 1; run again, it carries on from there.

Readiness includes the schema: a database behind the code (migrations pending)
is not ready, and a request failing on it is a 503 (`outages`). The revisions
are read at most once every SCHEMA_CHECK_SECONDS per process."""

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import Engine, event, inspect, text
from sqlalchemy.exc import DisconnectionError

from inkwell.platform.core.config import REPO_ROOT
from inkwell.platform.core.extensions import db
from inkwell.platform.core.tenancy import across_tenants

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = REPO_ROOT / "alembic"


class MigrationRefused(RuntimeError):
    """A migration stopped before changing anything; the message says what an
    operator must settle first."""


def alembic_config() -> "Config":
    """An Alembic config bound to the current app's engine."""
    # Alembic is imported when migrating, not at every `inkwell` command's start.
    from alembic.config import Config

    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(revision: str = "head") -> None:
    """Migrate the current app's database (creating it from empty if need be)."""
    if current_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(db.engine.url.database or "").parent.mkdir(parents=True, exist_ok=True)
    from alembic import command

    _migrate(command.upgrade, revision)


def downgrade(revision: str) -> None:
    """Take the current app's database back to `revision`, one migration at a time."""
    from alembic import command

    _migrate(command.downgrade, revision)


def _migrate(step: Any, revision: str) -> None:
    # Under row-level security a data migration must see every blog's rows. Not
    # `begin()`: Alembic gives each migration a transaction of its own.
    with across_tenants(), db.engine.connect() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        step(config, revision)
    _schema.clear()


def head_revision() -> str:
    """The newest migration this code has."""
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(alembic_config()).get_current_head())


def database_revision() -> str | None:
    """The revision the database is at (None: never migrated)."""
    # Read directly: Alembic's MigrationContext logs two INFO lines each time it is
    # made, which a readiness probe would repeat every few seconds on every node.
    with db.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


# Readiness is probed every few seconds by each load balancer: the answer is kept
# this long, per process and database.
SCHEMA_CHECK_SECONDS = 5.0


class _SchemaCheck:
    """The last answer of `schema_pending`, per database URL, with its time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[str, tuple[float, str | None]] = {}

    def get(self, key: str) -> str | None:
        now = time.monotonic()
        with self._lock:
            found = self._answers.get(key)
        if found and now - found[0] < SCHEMA_CHECK_SECONDS:
            return found[1]
        head, current = head_revision(), database_revision()
        answer = None if current == head else f"migrations pending: {current or 'empty'} -> {head}"
        with self._lock:
            self._answers[key] = (now, answer)
        return answer

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()


_schema = _SchemaCheck()


def schema_pending() -> str | None:
    """Why the database is behind the code ("migrations pending: 0027 -> 0028"),
    or None when it is at the code's head. Raises what the database raises."""
    return _schema.get(str(db.engine.url))


def readiness() -> str | None:
    """What keeps this process from serving (None: ready): the database does not
    answer, or its schema is behind the code."""
    try:
        return schema_pending()
    except Exception:  # any driver error means "not ready"; /readyz reports it
        current_app.logger.warning("database not ready", exc_info=True)
        return "unavailable"


def refresh_statistics() -> None:
    """Let the query planner see a bulk change at once. Autovacuum would, a minute
    later; until then a freshly imported blog gets nested loops over thousands of
    rows (a sitemap query of 0.8 s instead of 4 ms)."""
    statement = {"postgresql": "ANALYZE posts, post_tags, tags", "sqlite": "ANALYZE"}
    if sql := statement.get(db.engine.dialect.name):
        with db.engine.begin() as connection:
            connection.execute(text(sql))


def ping_when_idle(engine: Engine, seconds: float) -> None:
    """At checkout, ping a pooled connection only if it sat unused for `seconds`,
    and replace it if the ping fails: a database restart while the site was quiet
    costs no reader a failed page. `pool_pre_ping` pings every checkout instead, a
    round trip per page for connections that served a page a moment ago. One that
    breaks within `seconds` of its last use fails its query once, and the pool
    then replaces every connection older than the failure."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned_at")  # none yet: a new connection
        if returned is None or time.monotonic() - returned < seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(str(error)) from error  # the pool connects anew
