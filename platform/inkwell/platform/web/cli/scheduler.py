"""`inkwell scheduler` and `inkwell outbox sweep`: the time-driven work that
celery beat does, for hosts without it."""

import time

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from inkwell.platform.core.administration import purge
from inkwell.platform.core.content import revision_retention
from inkwell.platform.core.content.posts import publish_due
from inkwell.platform.core.domains import expiry, nginx_map
from inkwell.workers import imports, newsletter, publish, relay

outbox_cli = AppGroup("outbox", help="Background work waiting in the outbox.")


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


@click.command("scheduler")
@click.option(
    "--interval", type=float, help="Seconds between rounds (default: MIRROR_DISPATCH_INTERVAL)."
)
@click.option("--once", is_flag=True, help="One round, then exit (for cron).")
@with_appcontext
def scheduler_command(interval: float | None, once: bool) -> None:
    """Publish due scheduled posts, sweep the outbox, publish mirrors, purge
    deleted blogs past their grace period, prune post revisions, remove expired
    domain claims and rewrite NGINX_MAP_PATH, round after round: what `celery beat`
    does, for hosts without it (`make run` runs this). Without a broker, mirror
    publishes run in this process."""
    interval = interval or current_app.config["MIRROR_DISPATCH_INTERVAL"]
    next_purge = 0.0  # purges are looked for every TENANT_PURGE_INTERVAL, not every round
    while True:
        went_live, swept = publish_due(), relay.sweep()
        swept += newsletter.resume_sends()  # sends whose batches stopped
        swept += imports.resume_imports()  # imports whose worker is gone
        published, purged, pruned, expired = publish.dispatch(publish.send), 0, 0, 0
        if time.monotonic() >= next_purge:
            purged, pruned = purge.purge_due(), revision_retention.prune()
            expired = expiry.remove_expired()
            nginx_map.write_configured(current_app.config)  # logs when it wrote
            next_purge = time.monotonic() + current_app.config["TENANT_PURGE_INTERVAL"]
        if went_live or swept or published or purged or pruned or expired:
            click.echo(
                f"{went_live} scheduled posts went live, {swept} outbox rows published, "
                f"{published} mirror publishes started, {purged} deleted blogs purged, "
                f"{pruned} post revisions pruned, {expired} expired domain claims removed."
            )
        if once:
            return
        time.sleep(interval)
