"""What alembic/env.py runs, kept in the package so it is linted and typed."""

from typing import Any

from sqlalchemy import MetaData


def run_with_connection(context: Any, metadata: MetaData) -> None:
    """Run migrations on the connection passed in, or on a freshly built app's engine."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(context, connection, metadata)
        return
    # Imported here: only the `alembic` command line needs a whole app.
    from inkwell.platform.core.app import create_base_app
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.tenancy import across_tenants

    app = create_base_app(__name__)
    # As `inkwell db upgrade`: under row-level security a data migration sees every blog.
    with app.app_context(), across_tenants(), db.engine.connect() as connection:
        _run(context, connection, metadata)


# The search index is made by migration 0028 and not mapped (`content.search`):
# PostgreSQL's generated column and its index, SQLite's FTS5 table and its own tables.
UNMAPPED_SEARCH = frozenset({"search_vector", "ix_posts_search", "posts_fts"})


def mapped(name: str | None, _type: str, _parents: dict[str, Any]) -> bool:
    """Whether autogenerate compares the object `name` with the models."""
    return not name or not (name in UNMAPPED_SEARCH or name.startswith("posts_fts_"))


def _run(context: Any, connection: Any, metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_name=mapped,
        # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
        render_as_batch=True,
        compare_type=True,
        # Each migration commits on its own, so one that works in batches can
        # commit between them (`migration_steps`) and a failure keeps the ones
        # before it. A caller that passes a connection already in a transaction
        # still gets one transaction for the whole run (Alembic leaves it alone).
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()
