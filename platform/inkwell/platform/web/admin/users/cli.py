"""`inkwell users create|list|disable|enable|grant-admin|revoke-admin|reset-password|reset-2fa`:
accounts from a shell; the console's user actions are recorded in the audit log
as the operating-system user ("cli:<name>")."""

from collections.abc import Callable
from functools import partial

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from inkwell.platform.core.accounts.registration import new_user
from inkwell.platform.core.administration import user_admin
from inkwell.platform.core.audit import Actor, cli_actor
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import User
from inkwell.platform.core.validation import normalize_email
from inkwell.platform.web.admin.users.views import (
    TWO_FACTOR_RESET,
    reset_two_factor_and_mail,
    start_reset,
)
from inkwell.platform.web.cli.args import account_errors

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Make the user a platform admin.")
@click.password_option(help="Prompted for when not given.")
def create_command(email: str, admin: bool, password: str) -> None:
    """Create a user with EMAIL."""
    limits = current_app.config["PASSWORD_MIN_LENGTH"], current_app.config["PASSWORD_MAX_LENGTH"]
    if not limits[0] <= len(password) <= limits[1]:
        raise click.ClickException(f"password must have {limits[0]} to {limits[1]} characters")
    with account_errors():
        new_user(email, password, admin=admin, verified=True)
    db.session.commit()
    click.echo(f"Created {'admin ' if admin else ''}user {normalize_email(email)}.")


@users_cli.command("list")
@click.option("--search", default="", help="Email or display name contains this.")
@click.option("--admins", is_flag=True, help="Only platform admins.")
@click.option("--disabled", is_flag=True, help="Only disabled accounts.")
def list_command(search: str, admins: bool, disabled: bool) -> None:
    """List users, newest first: email, created, verified, admin, disabled, blogs."""
    query = user_admin.search(search.strip(), admins, disabled)
    shown = 0
    # In batches, so a large platform streams instead of loading every account.
    for batch in db.session.scalars(query.execution_options(yield_per=500)).partitions():
        blogs = user_admin.blogs_of([user.id for user in batch])
        for user in batch:
            click.echo(_line(user, blogs[user.id]))
        shown += len(batch)
    if not shown:
        click.echo("No user matches.", err=True)


def _line(user: User, blogs: list[user_admin.BlogRole]) -> str:
    return "  ".join(
        (
            user.email,
            f"created {user.created_at:%Y-%m-%d}",
            "verified" if user.email_verified_at else "unverified",
            "admin" if user.is_admin else "-",
            f"disabled {user.disabled_at:%Y-%m-%d}" if user.disabled_at else "active",
            ", ".join(f"{blog.subdomain} ({blog.role})" for blog in blogs) or "no blogs",
        )
    )


def _action(name: str, action: Callable[[User, Actor], None], done: str) -> None:
    """`users NAME EMAIL`: run `action` as the CLI actor and say `done`."""

    @users_cli.command(name, help=f"{done.format('EMAIL')[:-1]} (recorded in the audit log).")
    @click.argument("email")
    def command(email: str) -> None:
        _run(email, action, done)


def _run(email: str, action: Callable[[User, Actor], None], done: str) -> None:
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise click.ClickException(f"no user with email {email}")
    try:
        action(user, cli_actor())
        db.session.commit()
    except user_admin.UserAdminError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(done.format(user.email))


@users_cli.command("disable")
@click.argument("email")
@click.option("--reason", default="", help="Why, for the audit log.")
def disable_command(email: str, reason: str) -> None:
    """Disable EMAIL's account and end all its sessions (recorded in the audit log)."""
    disable = partial(user_admin.disable, reason=reason.strip())
    _run(email, disable, "{} is disabled and logged out everywhere.")


_action("enable", user_admin.enable, "{} can log in again.")
_action("grant-admin", user_admin.grant_admin, "{} is an admin now.")
_action("revoke-admin", user_admin.revoke_admin, "{} is no longer an admin.")
_action("reset-password", start_reset, "Mailed {} a link to choose a new password.")
_action("reset-2fa", reset_two_factor_and_mail, TWO_FACTOR_RESET)
