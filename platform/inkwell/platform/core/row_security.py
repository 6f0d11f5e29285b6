"""PostgreSQL row-level security: the backstop under `tenancy`'s ORM guards.

The ORM criteria scope ORM statements only; a Core or textual statement on tenant
content would see every blog. On PostgreSQL the tenant content tables (`posts`,
`tags`, `post_tags`, `snippets`; `editor_presence` since 0015, `post_aliases` and
`tag_aliases` since 0016) also carry a policy (migration 0010, forced, so it binds
their owner too): a row is visible and writable
only when its `tenant_id` is `inkwell.tenant_id`, or when `inkwell.across_tenants`
is `on`; with no scope, nothing is. Before each statement this module brings the
connection's two settings in line with `tenancy`'s ContextVars, so the database sees
the same scope as the ORM: none, one tenant, or `across_tenants()`.

The policy calls a PL/pgSQL function, `inkwell_in_tenant_scope(tenant_id)`, rather
than holding the expression inline: the planner read the inline OR as a second,
very selective `tenant_id =` condition and gave up the index page's ordered index
scan for a sort; an opaque function keeps the plan.

The settings are session-wide (`set_config(..., false)`) so that they hold for
autocommit statements too, and they are sent only when the scope changes; the
last values sent are remembered per DBAPI connection. A rollback undoes a
setting made inside its transaction, so it makes the connection forget them; the
rollback of a connection the server dropped has nothing to forget (its
replacement starts with none sent) and must not touch it, or it would raise
instead of the error that lost the connection.

Superusers and roles with BYPASSRLS ignore policies: run the app as a role
without either (the owner of the tables is fine). The suite's PostgreSQL run does
(`scripts/test_database.py` makes such a role), so every path is tested under the
policies. Platform tables (tenants, domains, users, memberships, ...) have no
policy: the host lookup and a user's list of blogs read across blogs by design.
"""

from typing import Any

from sqlalchemy import Connection, Engine, event

from inkwell.platform.core import tenancy

TENANT_SETTING, ACROSS_SETTING = "inkwell.tenant_id", "inkwell.across_tenants"
_SENT = "inkwell.row_scope"  # in a DBAPI connection's info: the values last sent
_UNCOMMITTED = "inkwell.row_scope_uncommitted"  # sent inside a transaction still open
_SYNC = (
    f"SELECT set_config('{TENANT_SETTING}', %s, false), set_config('{ACROSS_SETTING}', %s, false)"
)


def _scope() -> tuple[str, str]:
    tenant_id = tenancy.current_tenant_id()
    return ("" if tenant_id is None else str(tenant_id)), (
        "on" if tenancy.is_across_tenants() else "off"
    )


def install() -> None:
    """Keep every engine's PostgreSQL connections in the current scope (idempotent)."""
    for name, listener in (
        ("before_cursor_execute", _send_scope),
        ("commit", _kept),
        ("rollback", _undone),
        ("rollback_savepoint", _undone_since_savepoint),
    ):
        if not event.contains(Engine, name, listener):
            event.listen(Engine, name, listener)


def _send_scope(
    conn: Connection, cursor: Any, _statement: str, _params: Any, _context: Any, _many: bool
) -> None:
    if conn.dialect.name != "postgresql":
        return
    info, scope = conn.connection.info, _scope()
    if info.get(_SENT) == scope:
        return
    cursor.execute(_SYNC, scope)
    info[_SENT] = scope
    info[_UNCOMMITTED] = not conn.connection.dbapi_connection.autocommit  # type: ignore[union-attr]


def _kept(conn: Connection) -> None:
    conn.connection.info.pop(_UNCOMMITTED, None)


def _undone(conn: Connection) -> None:
    # An invalidated connection's `.connection` raises PendingRollbackError.
    if not conn.invalidated and conn.connection.info.pop(_UNCOMMITTED, False):
        conn.connection.info.pop(_SENT, None)


def _undone_since_savepoint(conn: Connection, _name: str, _context: Any) -> None:
    # The transaction goes on; what was sent before the savepoint may be undone too.
    if not conn.invalidated and conn.connection.info.get(_UNCOMMITTED):
        conn.connection.info.pop(_SENT, None)
