"""`inkwell audit`: the audit log in a shell, one line per entry, newest first."""

import json

import click
from flask.cli import with_appcontext

from inkwell.platform.core.administration.audit_search import (
    AuditFilter,
    FilterError,
    entries,
    parse_day,
)
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import AuditEntry


@click.command("audit")
@click.option("--actor", default="", help="Who did it: email or cli:<user> contains this.")
@click.option("--action", default="", help="Exactly this action, e.g. user.disable.")
@click.option("--target-type", default="", help="tenant or user.")
@click.option("--target", default="", help="The blog's subdomain or user's email contains this.")
@click.option("--since", default="", help="From this UTC day on (YYYY-MM-DD).")
@click.option("--until", default="", help="Up to this UTC day, included (YYYY-MM-DD).")
@click.option("--limit", default=50, type=click.IntRange(1, 10_000), help="At most N entries.")
@with_appcontext
def audit_command(
    actor: str, action: str, target_type: str, target: str, since: str, until: str, limit: int
) -> None:
    """Show who did what to which blog or user, when and from where: the
    console's filters."""
    try:
        wanted = AuditFilter(
            actor=actor,
            action=action,
            target_type=target_type,
            target=target,
            since=parse_day(since, "--since"),
            until=parse_day(until, "--until"),
        )
    except FilterError as error:
        raise click.ClickException(str(error)) from None
    found = db.session.scalars(entries(wanted).limit(limit)).all()
    for entry in found:
        click.echo(line(entry))
    if not found:
        click.echo("No audit entry matches.", err=True)


def line(entry: AuditEntry) -> str:
    # JSON keeps a detail (a typed reason, say) on one line, quotes and all.
    detail = json.dumps(entry.detail, sort_keys=True, ensure_ascii=False) if entry.detail else ""
    when = entry.at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return "  ".join(
        part
        for part in (
            when,
            entry.actor,
            f"from {entry.source}",
            entry.action,
            f"{entry.target_type} {entry.target_label}",
            detail,
        )
        if part
    )
