"""`upgrade head` from empty builds exactly the models, on SQLite and on PostgreSQL."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import inspect

from inkwell.platform.core.extensions import db
from inkwell.platform.core.migration_env import mapped


def test_migrated_schema_equals_models(app: Flask) -> None:
    # The session's database was built by `upgrade head` from empty (see fixtures/app.py).
    with app.app_context(), db.engine.connect() as connection:
        opts = {"compare_type": True, "include_name": mapped}  # as migrations compare
        context = MigrationContext.configure(connection, opts=opts)
        assert compare_metadata(context, db.metadata) == []


# Platform jobs that look across blogs, on purpose: each is partial and small.
CROSS_TENANT_INDEXES = {"ix_posts_due"}  # the scheduler: only scheduled posts


def test_every_index_on_tenant_tables_leads_with_tenant_id(app: Flask) -> None:
    with app.app_context():
        inspector = inspect(db.engine)
        for table in ("posts", "tags", "post_tags", "snippets"):
            indexes = inspector.get_indexes(table) + inspector.get_unique_constraints(table)
            assert indexes, table
            for index in indexes:
                if index["name"] not in CROSS_TENANT_INDEXES:
                    assert index["column_names"][0] == "tenant_id", (table, index)


def test_cli_upgrade_creates_a_fresh_sqlite_database(app_factory, tmp_path: Path) -> None:
    fresh = app_factory(DATABASE_URL=f"sqlite:///{tmp_path / 'new' / 'fresh.db'}")
    result = fresh.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    with fresh.app_context():
        assert "posts" in inspect(db.engine).get_table_names()


def revisions_oldest_first() -> list[str]:
    from alembic.script import ScriptDirectory

    from inkwell.platform.core import database

    script = ScriptDirectory.from_config(database.alembic_config())
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def stored_posts(app: Flask) -> list[tuple[str, str]]:
    from sqlalchemy import text

    from inkwell.platform.core.tenancy import across_tenants

    with app.app_context(), across_tenants(), db.engine.connect() as connection:
        query = text("SELECT title, body_md FROM posts ORDER BY id")
        return [tuple(row) for row in connection.execute(query)]


def test_every_migration_downgrades_and_upgrades_step_by_step(app, make_tenant, make_post) -> None:
    from inkwell.platform.core import database

    alice = make_tenant("alice")
    make_post(alice, "Kettle", "Boiling water.\n\nTwice.")
    make_post(alice, "Draft", "Not yet.", status="draft")
    kept = stored_posts(app)
    steps = revisions_oldest_first()
    assert steps[0] == "0001"
    with app.app_context():
        for revision in reversed(steps[:-1]):  # head -> 0001, one at a time
            database.downgrade(revision)
            assert database.database_revision() == revision
            assert stored_posts(app) == kept, revision  # posts survive every step down
        for revision in steps[1:]:  # and back up, one at a time
            database.upgrade(revision)
            assert stored_posts(app) == kept, revision
        database.downgrade("base")  # and from empty: the whole chain once more
        assert database.database_revision() is None
        database.upgrade("head")
        assert database.database_revision() == database.head_revision()
