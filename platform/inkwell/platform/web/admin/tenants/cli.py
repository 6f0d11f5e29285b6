"""`inkwell tenants ...`: the console's blog actions from the command line, through
the same `core.administration.lifecycle` functions, audited as `cli:<os user>`. A wrong name or
an action the blog's state forbids is one line on stderr and exit status 1."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from flask.cli import AppGroup

from inkwell.platform.core.administration import lifecycle
from inkwell.platform.core.administration import purge as purge_job
from inkwell.platform.core.administration.lifecycle import BadReason, LifecycleError
from inkwell.platform.core.audit import cli_actor
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import blog_url
from inkwell.platform.core.models import TENANT_STATUSES, Tenant
from inkwell.platform.web.admin.tenants import bulk
from inkwell.platform.web.admin.tenants.listing import (
    ListError,
    audit_trail,
    members,
    rows,
    search,
    when,
)
from inkwell.platform.web.cli.args import blog_named
from inkwell.platform.web.cli.publish import run_here

tenants_cli = AppGroup(
    "tenants", help="Administer blogs: list, suspend, delete, purge, quarantine..."
)
reason_option = click.option("--reason", required=True, help="Why; the blogs' owners see it.")
subdomains_argument = click.argument("subdomains", nargs=-1, required=True)


@tenants_cli.command("list")
@click.option("--search", "text", default="", help="Part of a subdomain, title or owner email.")
@click.option("--status", default="", type=click.Choice(("", *TENANT_STATUSES)))
@click.option("--quarantined", is_flag=True, help="Only quarantined blogs.")
def list_command(text: str, status: str, quarantined: bool) -> None:
    """List blogs, newest first, with their risk signals."""
    try:
        found = list(db.session.scalars(search(text, status, quarantined)))
    except ListError as error:
        raise click.ClickException(str(error)) from None
    for row in rows(found):
        t = row.tenant
        last = (
            f"{when(row.last_publish.started_at)} {row.last_publish.status}"
            if row.last_publish
            else "never"
        )
        state = f"{t.status},quarantined" if t.quarantined_at else t.status
        click.echo(
            f"{t.subdomain}\t{state}\t{row.owner}\t{when(t.created_at)}\t"
            f"{row.usage.posts} posts\t{row.usage.storage_bytes} bytes\tpublished {last}\t"
            f"{t.title}\t{'; '.join(signal.text for signal in row.signals)}"
        )
    click.echo(f"{len(found)} blogs")


@tenants_cli.command("show")
@click.argument("subdomain")
def show_command(subdomain: str) -> None:
    """Show one blog: status, members, usage and its audit entries."""
    tenant = blog_named(subdomain)
    row = rows([tenant])[0]
    reason = f" ({tenant.status_reason})" if tenant.status_reason else ""
    click.echo(f"{tenant.subdomain}: {tenant.title}\nstatus: {tenant.status}{reason}")
    if tenant.purge_after:
        click.echo(f"purged after: {when(tenant.purge_after)}")
    if tenant.status == "deleted" and tenant.before_delete_status == "suspended":
        click.echo(f"a restore makes it: suspended ({tenant.before_delete_reason})")
    if tenant.quarantined_at:
        click.echo(f"quarantined since: {when(tenant.quarantined_at)}")
    click.echo(f"signed up from: {tenant.signup_network or '-'}")
    for signal in row.signals:
        click.echo(f"risk signal: {signal.text}")
    click.echo(f"url: {blog_url(tenant)}\nuuid: {tenant.uuid}\ncreated: {when(tenant.created_at)}")
    click.echo(f"usage: {row.usage.posts} posts, {row.usage.snippets} snippets, "
               f"{row.usage.storage_bytes} bytes")  # fmt: skip
    for user, role in members(tenant.id):
        click.echo(f"member: {user.email} ({role})")
    for entry in reversed(db.session.scalars(audit_trail(tenant.id)).all()):  # oldest first
        click.echo(f"audit: {when(entry.at)} {entry.actor} {entry.action} {entry.detail or ''}")


@tenants_cli.command("suspend")
@subdomains_argument
@reason_option
def suspend_command(subdomains: tuple[str, ...], reason: str) -> None:
    """Suspend blogs: their hosts answer 410 and their mirrors are no longer published."""
    _act_on_each("suspend", subdomains, reason)


@tenants_cli.command("restore")
@subdomains_argument
def restore_command(subdomains: tuple[str, ...]) -> None:
    """Make suspended or deleted (not yet purged) blogs active again."""
    _act_on_each("restore", subdomains)


@tenants_cli.command("delete")
@subdomains_argument
@reason_option
def delete_command(subdomains: tuple[str, ...], reason: str) -> None:
    """Delete blogs: restorable until TENANT_DELETE_GRACE_DAYS have passed, then purged."""
    _act_on_each("delete", subdomains, reason)


@tenants_cli.command("quarantine")
@subdomains_argument
def quarantine_command(subdomains: tuple[str, ...]) -> None:
    """Keep blogs out of search engines (noindex), sitemaps and feed discovery."""
    _act_on_each("quarantine", subdomains)


@tenants_cli.command("lift-quarantine")
@subdomains_argument
def lift_quarantine_command(subdomains: tuple[str, ...]) -> None:
    """Let search engines index blogs again, with their sitemaps and feed links."""
    _act_on_each("lift-quarantine", subdomains)


@tenants_cli.command("purge")
@click.argument("subdomain", required=False)
@click.option("--due", is_flag=True, help="Every deleted blog whose grace period is over.")
def purge_command(subdomain: str | None, due: bool) -> None:
    """Purge a deleted blog now (rows, cached pages, mirror objects), or --due ones."""
    if bool(subdomain) == due:
        raise click.UsageError("name one deleted blog, or --due")
    if due:
        click.echo(f"Purged {purge_job.purge_due(cli_actor())} deleted blogs.")
        return
    with _refusals():
        held = purge_job.purge(blog_named(subdomain or ""), cli_actor())
    click.echo(f"Purged {subdomain}; reserved from new owners: {', '.join(held)}.")


@tenants_cli.command("republish")
@click.argument("subdomain")
def republish_command(subdomain: str) -> None:
    """Publish every page of the blog's mirror again, here (as `inkwell publish --full`)."""
    tenant = _act(
        subdomain, lambda t: lifecycle.republish(t, cli_actor()), "requested a full publish of"
    )
    if run_here(tenant):
        raise click.exceptions.Exit(1)


@tenants_cli.command("rerender")
@click.argument("subdomain")
def rerender_command(subdomain: str) -> None:
    """Render every post of the blog again (after a rendering policy change)."""
    _act(subdomain, lambda t: lifecycle.rerender(t, cli_actor()), "re-rendered the posts of")


def _act_on_each(action: str, subdomains: tuple[str, ...], reason: str = "") -> None:
    """`action` on each blog named, each committed by itself; a wrong name stops
    the command before any blog changes, and any refusal makes the exit status 1."""
    tenants = [blog_named(name) for name in subdomains]
    try:
        outcome = bulk.apply(action, tenants, reason, cli_actor())
    except BadReason as error:
        raise click.ClickException(str(error)) from None
    if outcome.done:
        click.echo(outcome.summary(action))
    for refusal in outcome.refused:
        click.echo(f"Error: {refusal}", err=True)
    if outcome.refused:
        raise click.exceptions.Exit(1)


def _act(subdomain: str, action: Callable[[Tenant], object], done: str) -> Tenant:
    tenant = blog_named(subdomain)
    with _refusals():
        action(tenant)
    db.session.commit()
    click.echo(f"{done.capitalize()} {tenant.subdomain}.")
    return tenant


@contextmanager
def _refusals() -> Iterator[None]:
    """An action the blog's state forbids, or a failed purge: one line, exit 1."""
    try:
        yield
    except (LifecycleError, purge_job.PurgeError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
