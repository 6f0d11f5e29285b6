"""`inkwell quotas show|set`: a blog's limits and usage, and its own limits
(the console's /admin/quotas/ from the command line, audited alike)."""

import click
from flask.cli import AppGroup

from inkwell.platform.core import audit
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits import quotas
from inkwell.platform.web.cli.args import blog_named

quotas_cli = AppGroup("quotas", help="Per-blog limits over the platform defaults (QUOTA_*).")
OPTIONS = {
    name: "--" + name.replace("_", "-").replace("storage-bytes", "storage")
    for name in quotas.FIELDS
}


@quotas_cli.command("show")
@click.argument("subdomain")
def quotas_show(subdomain: str) -> None:
    """The limits of SUBDOMAIN, which are its own, and what it uses."""
    tenant = blog_named(subdomain)
    for line in quotas.report(tenant.id):
        source = "own" if line.overridden else "default"
        click.echo(
            f"{line.label:<20} {line.text(line.used):>12} of {line.text(line.limit):<12} ({source})"
        )


@quotas_cli.command("set")
@click.argument("subdomain")
@click.option("--posts", help="Most posts the blog may have.")
@click.option("--snippets", help="Most snippets.")
@click.option("--storage", "storage_bytes", help="Most stored bytes, or a size such as 50MB.")
@click.option("--publishes-per-hour", help="Most mirror publishes in an hour.")
@click.option("--mails-per-day", help="Most invitation mails in 24 hours.")
@click.option(
    "--clear", multiple=True, help="Back to the default: " + ", ".join(quotas.FIELDS) + "."
)
def quotas_set(subdomain: str, clear: tuple[str, ...], **typed: str | None) -> None:
    """Set (or --clear) limits of SUBDOMAIN of its own."""
    tenant = blog_named(subdomain)
    changes = _parse(typed, clear)
    before = quotas.overrides(tenant.id)
    if not quotas.set_overrides(tenant, changes, audit.cli_actor()):
        click.echo(f"{subdomain}: no change")
        return
    db.session.commit()
    for name in changes:
        click.echo(f"{subdomain}: {name} {_shown(before[name])} -> {_shown(changes[name])}")


def _parse(typed: dict[str, str | None], clear: tuple[str, ...]) -> dict[str, int | None]:
    changes: dict[str, int | None] = {}
    for name, text in typed.items():
        if text is not None:
            try:
                changes[name] = quotas.parse_limit(name, text)
            except ValueError as error:
                raise click.ClickException(f"{OPTIONS[name]}: {error}") from None
    for name in clear:
        name = "storage_bytes" if name == "storage" else name.replace("-", "_")
        if name not in quotas.FIELDS:
            raise click.ClickException(
                f"--clear: no quota {name!r} (one of {', '.join(quotas.FIELDS)})"
            )
        if name in changes:
            raise click.ClickException(f"{OPTIONS[name]} is both set and cleared")
        changes[name] = None
    if not changes:
        raise click.ClickException(
            "nothing to change: give " + ", ".join(OPTIONS.values()) + " or --clear"
        )
    return changes


def _shown(value: int | None) -> str:
    return "default" if value is None else str(value)
