"""Schema migrations (Alembic, in the repository's `alembic/`), readiness, and
pings of idle pooled connections.

A data migration that meets rows it must not decide about by itself (two
accounts that turn out to be one address) raises `MigrationRefused`: the whole
upgrade rolls back, and `inkwell db upgrade` prints what to do and exits 1."""

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import Engine, event, text
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

    # Under row-level security a data migration must see every blog's rows.
    with across_tenants(), db.engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def is_ready() -> bool:
    """Whether the database answers a trivial query."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not ready"; /readyz reports it
        current_app.logger.warning("database not ready", exc_info=True)
        return False
    return True


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
