"""`inkwell blogs create`, `posts rerender|publish-due`, `import markdown [--dry-run]`,
`import wordpress` (and each format of `import_jobs.FORMATS`) and `export`: blogs
and their content from a shell."""

from collections.abc import Callable
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from inkwell.platform.core import tenancy
from inkwell.platform.core.accounts.registration import new_blog
from inkwell.platform.core.content.posts import publish_due, rerender_posts
from inkwell.platform.core.content.revisions import IMPORT
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import blog_url
from inkwell.platform.core.models import Membership, Tenant, User
from inkwell.platform.core.portability import import_jobs
from inkwell.platform.core.portability.bundles import BundleError
from inkwell.platform.core.portability.foreign import ForeignFormatError
from inkwell.platform.core.portability.foreign_import import ForeignReport, import_foreign
from inkwell.platform.core.portability.markdown_io import (
    ACTIONS,
    ERROR,
    NEW,
    REPLACE,
    UNCHANGED,
    ImportPlan,
    apply_import,
    export_markdown,
    plan_import,
)
from inkwell.platform.core.portability.remote_images import ImageLocalizer
from inkwell.platform.core.validation import normalize_email
from inkwell.platform.web.cli.args import account_errors, blog_named

blogs_cli = AppGroup("blogs", help="Manage blogs.")
posts_cli = AppGroup("posts", help="Maintain the posts of every blog.")
import_cli = AppGroup("import", help="Import content into a blog.")


@blogs_cli.command("create")
@click.argument("subdomain")
@click.option("--owner", "owner_email", required=True, help="Email of an existing user.")
@click.option("--title", default="", help="Defaults to the subdomain.")
def blogs_create(subdomain: str, owner_email: str, title: str) -> None:
    """Create the blog SUBDOMAIN owned by an existing user."""
    owner = db.session.scalar(select(User).where(User.email == normalize_email(owner_email)))
    if owner is None:
        raise click.ClickException(f"no user with email {owner_email}")
    with account_errors():
        tenant = new_blog(owner, subdomain, title, current_app.config["BLOG_DOMAIN"])
    db.session.commit()
    click.echo(f"Created {blog_url(tenant)}")


@import_cli.command("markdown")
@click.argument("subdomain")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only say what the import would change.")
def import_markdown_command(subdomain: str, path: Path, dry_run: bool) -> None:
    """Create or update posts of SUBDOMAIN from PATH, a folder or .zip of Markdown files."""
    tenant = blog_named(subdomain)
    try:
        plan = plan_import(tenant, path)
    except BundleError as error:
        raise click.ClickException(str(error)) from None
    if dry_run:
        _show_plan(plan)
        return
    report = apply_import(tenant, _first_owner_id(tenant), plan)
    images = f", images {report.images}" if report.images else ""
    images += f", subscribers {report.subscribers}" if report.subscribers else ""
    click.echo(
        f"created {report.created}, updated {report.updated}, skipped {report.skipped}{images}"
    )
    for name, message in report.errors:
        click.echo(f"{name}: {message}", err=True)
    if report.errors:
        raise click.exceptions.Exit(1)


def _foreign_import_command(format: str) -> click.Command:
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--blog", "subdomain", required=True, help="The blog to import into.")
    @click.option(
        "--site-url",
        default="",
        help="The old site's address, for exports that name images relative to it (Ghost).",
    )
    def command(file: Path, subdomain: str, site_url: str) -> None:
        tenant = blog_named(subdomain)
        reader = import_jobs.FORMATS[format].reader(file, site_url)
        try:
            total = import_jobs.count(reader)
            click.echo(f"{file.name}: {total} entries")
            localize = ImageLocalizer(tenant, IMPORT)
            report = import_foreign(
                tenant, _first_owner_id(tenant), reader, None, localize, _progress(total)
            )
        except ForeignFormatError as error:
            raise click.ClickException(str(error)) from None
        _show_report(report)
        if report.stopped:
            raise click.exceptions.Exit(1)

    command.__doc__ = (
        f"Import FILE, a {import_jobs.FORMATS[format].label}, into a blog; again, to "
        "finish a stopped one (what is imported already stays unchanged)."
    )
    return import_cli.command(format)(command)


def _progress(total: int) -> Callable[[ForeignReport], None]:
    def show(report: ForeignReport) -> None:
        click.echo(f"{report.done}/{total} ({report.done * 100 // max(total, 1)}%)")

    return show


def _show_report(report: ForeignReport) -> None:
    skipped = ", ".join(f"{n} {kind}" for kind, n in sorted(report.skipped.items()))
    click.echo(
        f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
        f"skipped {skipped or 0}, images not fetched {report.images_not_fetched}"
    )
    for ref, text in report.lines:
        click.echo(f"{ref}: {text}", err=True)
    if report.more_lines:
        click.echo(f"... and {report.more_lines} more", err=True)
    if report.stopped:
        click.echo(f"stopped: {report.stopped}", err=True)


for _format in import_jobs.FORMATS:
    _foreign_import_command(_format)


def _show_plan(plan: ImportPlan) -> None:
    """One line per file that would change or fails, then the counts; nothing is written."""
    for step in plan.steps:
        if step.action == NEW:
            click.echo(f"new      {step.name}: {step.data.title if step.data else ''}")
        elif step.action == REPLACE:
            click.echo(f"replace  {step.name}: {step.was} (changes {', '.join(step.changes)})")
        elif step.action == ERROR:
            click.echo(f"error    {step.name}: {step.message}", err=True)
        for note in step.notes:
            click.echo(f"note     {step.name}: {note}", err=True)
    for image in plan.images:
        if image.action == NEW:
            click.echo(f"image    {image.name}")
        elif image.action == ERROR:
            click.echo(f"error    {image.name}: {image.message}", err=True)
    counts = {action: sum(s.action == action for s in plan.steps) for action in ACTIONS}
    click.echo(
        f"dry run, nothing changed: {counts[NEW]} new, {counts[REPLACE]} to replace "
        f"(the current versions stay in each post's history), {counts[UNCHANGED]} unchanged, "
        f"{counts[ERROR]} errors"
    )


@click.command("export")
@click.argument("subdomain")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--subscribers",
    is_flag=True,
    help="Also the subscribers, as subscribers.csv (email addresses: personal data).",
)
@with_appcontext
def export_command(subdomain: str, file: Path, subscribers: bool) -> None:
    """Write the posts and snippets of SUBDOMAIN to FILE, a .zip of Markdown files."""
    tenant = blog_named(subdomain)
    try:
        with file.open("wb") as out:
            export_markdown(tenant, out, subscribers=subscribers)
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


@posts_cli.command("publish-due")
def posts_publish_due() -> None:
    """Publish the scheduled posts whose time has come (what the scheduler does)."""
    click.echo(f"Published {publish_due()} scheduled posts.")


def _first_owner_id(tenant: Tenant) -> int | None:
    """Imports run as the blog's first owner: the author of the posts they create."""
    query = (
        select(Membership.user_id)
        .where(Membership.tenant_id == tenant.id, Membership.role == "owner")
        .order_by(Membership.created_at, Membership.user_id)
    )
    return db.session.scalars(query).first()
