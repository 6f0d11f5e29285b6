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

    app = create_base_app(__name__)
    with app.app_context(), db.engine.begin() as connection:
        _run(context, connection, metadata)


def _run(context: Any, connection: Any, metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
