"""`inkwell db upgrade`: create or migrate the schema."""

import click
from flask.cli import AppGroup

from inkwell.platform.core import database
from inkwell.platform.core.extensions import db

db_cli = AppGroup("db", help="Manage the database schema.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema to REVISION (default: the newest)."""
    try:
        database.upgrade(revision)
    except database.MigrationRefused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"Database at {db.engine.url.render_as_string(hide_password=True)} is up to date.")
