"""`inkwell jobs`: the console's job health as text, and retries (audited)."""

import click
from flask.cli import AppGroup, with_appcontext

from inkwell.platform.core import audit
from inkwell.platform.core.administration import job_health
from inkwell.platform.core.extensions import db
from inkwell.platform.core.numbers import parse_int
from inkwell.platform.web.cli.args import blog_named
from inkwell.workers import relay
from inkwell.workers.queues import queue_lengths


@click.group("jobs", cls=AppGroup, invoke_without_command=True)
@click.pass_context
@with_appcontext
def jobs_cli(ctx: click.Context) -> None:
    """Queues, outbox, failed publishes and publishes per blog (24 h)."""
    if ctx.invoked_subcommand is not None:
        return
    queues = queue_lengths()
    if isinstance(queues, str):
        click.echo(f"queues: {queues}")
    else:
        click.echo("queues: " + ", ".join(f"{name} {length}" for name, length in queues.items()))
    click.echo(f"outbox: {job_health.outbox_waiting()} waiting")
    for row in job_health.outbox_failed():
        state = "failed" if row.done_at else "retrying"
        click.echo(
            f"  outbox {row.id} {row.task} {state}, {row.attempts} attempts: {row.last_error}"
        )
    for run, subdomain in job_health.failed_publishes():
        click.echo(
            f"  publish of {subdomain} at {run.started_at:%Y-%m-%d %H:%M} "
            f"failed while {run.phase}: {run.error}"
        )
    click.echo("publishes in the last 24 hours:")
    for blog in job_health.publishes_per_blog():
        click.echo(
            f"  {blog.subdomain}: {blog.count}, median {blog.median_seconds:.1f} s, "
            f"longest {blog.max_seconds:.1f} s"
        )


@jobs_cli.command("retry")
@click.argument("outbox_id", type=str)
def jobs_retry(outbox_id: str) -> None:
    """Send outbox row OUTBOX_ID to the queue again."""
    if not outbox_id.isdigit():
        raise click.ClickException(f"an outbox id is a number, not {outbox_id!r}")
    number = parse_int(outbox_id)
    if number is None:  # past any id, and past what the database driver can bind
        raise click.ClickException(f"no outbox row {outbox_id}")
    try:
        row = job_health.reopen_outbox(number, audit.cli_actor())
    except job_health.RetryError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    relay.publish([row])
    click.echo(f"Outbox row {outbox_id} sent to the queue again.")


@jobs_cli.command("retry-publish")
@click.argument("subdomain")
def jobs_retry_publish(subdomain: str) -> None:
    """Request a publish of SUBDOMAIN's mirror again (the dispatcher starts it)."""
    tenant = blog_named(subdomain)
    job_health.retry_publish(tenant, audit.cli_actor())
    db.session.commit()
    click.echo(f"Publish of {subdomain} requested again.")
