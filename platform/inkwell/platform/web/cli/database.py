"""`inkwell db`: create, migrate, inspect and downgrade the schema."""

import click
from flask.cli import AppGroup

from inkwell.platform.core import database
from inkwell.platform.core.extensions import db

db_cli = AppGroup("db", help="Manage the database schema.")


def _where() -> str:
    return db.engine.url.render_as_string(hide_password=True)


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema to REVISION (default: the newest)."""
    try:
        database.upgrade(revision)
    except database.MigrationRefused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"Database at {_where()} is up to date.")


@db_cli.command("current")
def db_current() -> None:
    """Show the database's revision and the code's newest."""
    current, head = database.database_revision(), database.head_revision()
    state = "up to date" if current == head else "migrations pending"
    click.echo(f"Database at {_where()}: revision {current or '(empty)'}; code: {head} ({state}).")


@db_cli.command("downgrade")
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def db_downgrade(revision: str, yes: bool) -> None:
    """Take the schema back to REVISION (e.g. 0027), one migration at a time.

    Run it with the code that has the newer migrations, before deploying the
    older code. What a migration added is dropped with it (columns, tables)."""
    current = database.database_revision()
    known = _known_revision(revision)
    if current is None:
        raise click.ClickException(f"Database at {_where()} has no schema: nothing to downgrade.")
    if not yes:
        click.confirm(
            f"Downgrade {_where()} from {current} to {known}? Data in what later"
            " migrations added is lost (back up first)",
            abort=True,
        )
    database.downgrade(known)
    click.echo(f"Database at {_where()} is at revision {known}.")


def _known_revision(revision: str) -> str:
    """`revision` if this code has that migration (or "base"), else a clear error."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    if revision == "base":
        return revision
    try:
        found = ScriptDirectory.from_config(database.alembic_config()).get_revision(revision)
    except CommandError:
        found = None
    if found is None:
        raise click.ClickException(f"No migration {revision!r}: see `alembic/versions/`.")
    return str(found.revision)
