"""`inkwell` management commands. Each error is one line and a non-zero exit."""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from inkwell.platform.core import database, tenancy
from inkwell.platform.core.accounts.registration import AccountError, new_blog, new_user
from inkwell.platform.core.administration import purge
from inkwell.platform.core.content.posts import publish_due, rerender_posts
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import blog_url
from inkwell.platform.core.models import Membership, Tenant, User
from inkwell.platform.core.portability.bundles import BundleError
from inkwell.platform.core.portability.markdown_io import export_markdown, import_markdown
from inkwell.platform.core.validation import normalize_email
from inkwell.platform.web.admin.audit import cli as audit_cli
from inkwell.platform.web.admin.jobs.cli import jobs_cli
from inkwell.platform.web.admin.quotas.cli import quotas_cli
from inkwell.platform.web.admin.tenants.cli import tenants_cli
from inkwell.platform.web.admin.users import cli as admin_users_cli
from inkwell.platform.web.cli import demo
from inkwell.platform.web.cli.args import blog_named
from inkwell.platform.web.cli.publish import publish_command
from inkwell.workers import publish, relay

db_cli = AppGroup("db", help="Manage the database schema.")
users_cli = AppGroup("users", help="Manage user accounts.")
blogs_cli = AppGroup("blogs", help="Manage blogs.")
posts_cli = AppGroup("posts", help="Maintain the posts of every blog.")
import_cli = AppGroup("import", help="Import content into a blog.")
outbox_cli = AppGroup("outbox", help="Background work waiting in the outbox.")


def init_app(app: Flask) -> None:
    for group in (db_cli, users_cli, blogs_cli, posts_cli, import_cli, outbox_cli, tenants_cli):
        app.cli.add_command(group)
    app.cli.add_command(demo_command)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(export_command)
    app.cli.add_command(publish_command)
    for command in admin_users_cli.COMMANDS:
        users_cli.add_command(command)
    app.cli.add_command(audit_cli.audit_command)
    app.cli.add_command(quotas_cli)
    app.cli.add_command(jobs_cli)


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
        new_user(email, password, admin=admin, verified=True)
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


@import_cli.command("markdown")
@click.argument("subdomain")
@click.argument("path", type=click.Path(path_type=Path))
def import_markdown_command(subdomain: str, path: Path) -> None:
    """Create or update posts of SUBDOMAIN from PATH, a folder or .zip of Markdown files."""
    tenant = blog_named(subdomain)
    try:
        report = import_markdown(tenant, _first_owner_id(tenant), path)
    except BundleError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"created {report.created}, updated {report.updated}, skipped {report.skipped}")
    for name, message in report.errors:
        click.echo(f"{name}: {message}", err=True)
    if report.errors:
        raise click.exceptions.Exit(1)


@click.command("export")
@click.argument("subdomain")
@click.argument("file", type=click.Path(path_type=Path))
@with_appcontext
def export_command(subdomain: str, file: Path) -> None:
    """Write the posts and snippets of SUBDOMAIN to FILE, a .zip of Markdown files."""
    tenant = blog_named(subdomain)
    try:
        with file.open("wb") as out:
            export_markdown(tenant, out)
    except OSError as error:
        raise click.ClickException(f"{file}: {error.strerror}") from None
    click.echo(f"Exported {subdomain} to {file}")


@posts_cli.command("rerender")
@click.option("--blog", "subdomain", help="Only this blog (default: every blog).")
@click.option("--all", "force", is_flag=True, help="Also posts of the current renderer.")
def posts_rerender(subdomain: str | None, force: bool) -> None:
    """Render posts stored by an older renderer again."""
    # Tenants are platform rows, not tenant content: listing them needs no escape hatch.
    tenants = [blog_named(subdomain)] if subdomain else db.session.scalars(select(Tenant)).all()
    count = 0
    for tenant in tenants:
        with tenancy.tenant_scope(tenant.id):
            count += rerender_posts(tenant, force)
            db.session.commit()
    click.echo(f"Re-rendered {count} posts.")


@outbox_cli.command("sweep")
@click.option(
    "--older-than",
    type=float,
    help="Seconds since a row was last published (default: OUTBOX_RETRY_AFTER).",
)
def outbox_sweep(older_than: float | None) -> None:
    """Publish again the work the broker never got or the worker never finished.
    Run it from cron, or let `celery beat` run it every OUTBOX_SWEEP_INTERVAL."""
    click.echo(f"Published {relay.sweep(older_than)} outbox rows.")


@posts_cli.command("publish-due")
def posts_publish_due() -> None:
    """Publish the scheduled posts whose time has come (what the scheduler does)."""
    click.echo(f"Published {publish_due()} scheduled posts.")


@click.command("scheduler")
@click.option(
    "--interval", type=float, help="Seconds between rounds (default: MIRROR_DISPATCH_INTERVAL)."
)
@click.option("--once", is_flag=True, help="One round, then exit (for cron).")
@with_appcontext
def scheduler_command(interval: float | None, once: bool) -> None:
    """Publish due scheduled posts, sweep the outbox, publish mirrors and purge
    deleted blogs past their grace period, round after round: what `celery beat`
    does, for hosts without it (`make run` runs this). Without a broker, mirror
    publishes run in this process."""
    interval = interval or current_app.config["MIRROR_DISPATCH_INTERVAL"]
    next_purge = 0.0  # purges are looked for every TENANT_PURGE_INTERVAL, not every round
    while True:
        went_live, swept = publish_due(), relay.sweep()
        published, purged = publish.dispatch(publish.send), 0
        if time.monotonic() >= next_purge:
            purged = purge.purge_due()
            next_purge = time.monotonic() + current_app.config["TENANT_PURGE_INTERVAL"]
        if went_live or swept or published or purged:
            click.echo(
                f"{went_live} scheduled posts went live, {swept} outbox rows published, "
                f"{published} mirror publishes started, {purged} deleted blogs purged."
            )
        if once:
            return
        time.sleep(interval)


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create (once) the demo blog and its owner, and print how to log in."""
    with _account_errors():
        for line in demo.ensure_demo_blog():
            click.echo(line)


def _first_owner_id(tenant: Tenant) -> int | None:
    """Imports run as the blog's first owner: the author of the posts they create."""
    query = (
        select(Membership.user_id)
        .where(Membership.tenant_id == tenant.id, Membership.role == "owner")
        .order_by(Membership.created_at, Membership.user_id)
    )
    return db.session.scalars(query).first()


@contextmanager
def _account_errors() -> Iterator[None]:
    """Turn an AccountError into a one-line CLI error."""
    try:
        yield
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
