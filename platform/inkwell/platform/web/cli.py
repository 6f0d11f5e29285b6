"""`inkwell` management commands. Each error is one line and a non-zero exit."""

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from inkwell.platform.core import database
from inkwell.platform.core.accounts import AccountError, new_blog, new_user
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import blog_url
from inkwell.platform.core.models import User
from inkwell.platform.core.validation import normalize_email
from inkwell.platform.web import demo

db_cli = AppGroup("db", help="Manage the database schema.")
users_cli = AppGroup("users", help="Manage user accounts.")
blogs_cli = AppGroup("blogs", help="Manage blogs.")


def init_app(app: Flask) -> None:
    for group in (db_cli, users_cli, blogs_cli):
        app.cli.add_command(group)
    app.cli.add_command(demo_command)


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Create or migrate the schema to REVISION (default: the newest)."""
    database.upgrade(revision)
    click.echo(f"Database at {db.engine.url.render_as_string(hide_password=True)} is up to date.")


@users_cli.command("create")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Make the user a platform admin.")
@click.password_option(help="Prompted for when not given.")
def users_create(email: str, admin: bool, password: str) -> None:
    """Create a user with EMAIL."""
    limits = current_app.config["PASSWORD_MIN_LENGTH"], current_app.config["PASSWORD_MAX_LENGTH"]
    if not limits[0] <= len(password) <= limits[1]:
        raise click.ClickException(f"password must have {limits[0]} to {limits[1]} characters")
    with _account_errors():
        new_user(email, password, admin=admin)
    db.session.commit()
    click.echo(f"Created {'admin ' if admin else ''}user {normalize_email(email)}.")


@blogs_cli.command("create")
@click.argument("subdomain")
@click.option("--owner", "owner_email", required=True, help="Email of an existing user.")
@click.option("--title", default="", help="Defaults to the subdomain.")
def blogs_create(subdomain: str, owner_email: str, title: str) -> None:
    """Create the blog SUBDOMAIN owned by an existing user."""
    owner = db.session.scalar(select(User).where(User.email == normalize_email(owner_email)))
    if owner is None:
        raise click.ClickException(f"no user with email {owner_email}")
    with _account_errors():
        tenant = new_blog(owner, subdomain, title, current_app.config["BLOG_DOMAIN"])
    db.session.commit()
    click.echo(f"Created {blog_url(tenant)}")


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create (once) the demo blog and its owner, and print how to log in."""
    with _account_errors():
        for line in demo.ensure_demo_blog():
            click.echo(line)


@contextmanager
def _account_errors() -> Iterator[None]:
    """Turn an AccountError into a one-line CLI error."""
    try:
        yield
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
