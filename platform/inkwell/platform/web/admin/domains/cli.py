"""`inkwell domains ...`: every blog's domains for operators. `list` shows each
host as people read it (an IDN in Unicode, its punycode beside it), whether it is
verified and since when, or when its unverified claim expires, and which is the
blog's main address; `remove` takes a custom domain off a blog, audited as
`cli:<os user>`, through the same `core.domains.registry` the owners' page uses;
`nginx-map` writes the host -> blog map nginx's mirror fallback reads, so
custom domains keep their mirror while the app is down (infra/nginx)."""

from datetime import datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from inkwell.platform.core.audit import cli_actor
from inkwell.platform.core.domains import expiry, nginx_map, registry
from inkwell.platform.core.domains.names import DomainError, normalize, shown
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Domain
from inkwell.platform.web.cli.args import blog_named

domains_cli = AppGroup("domains", help="Blogs' custom domains: list, remove, nginx-map.")


@domains_cli.command("list")
@click.option("--blog", "subdomain", default="", help="Only this blog's domains (its subdomain).")
def list_command(subdomain: str) -> None:
    """List domains by blog, the main address first: host, state, since when."""
    found = registry.every_domain(blog_named(subdomain) if subdomain else None)
    for domain in found:
        click.echo("\t".join([domain.tenant.subdomain, *described(domain)]))
    click.echo(f"{len(found)} domains")


@domains_cli.command("remove")
@click.argument("host")
@click.option("--blog", "subdomain", required=True, help="The blog that has it (its subdomain).")
def remove_command(host: str, subdomain: str) -> None:
    """Take the custom domain HOST (as typed, or in punycode) off a blog."""
    tenant = blog_named(subdomain)
    domain = registry.find_host(tenant, _stored(host))
    if domain is None:
        raise click.ClickException(f"{subdomain} has no domain {host!r}")
    try:
        registry.remove(tenant, domain, cli_actor())
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Removed {shown(domain.host)} from {tenant.subdomain}.")


@domains_cli.command("nginx-map")
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path),
    help="Write the map to this file (only when it changed) instead of printing it.",
)  # fmt: skip
def nginx_map_command(output: Path | None) -> None:
    """The host -> blog UUID map of nginx's mirror fallback: every verified host of
    an active blog, custom domains included. With --output, says "written" or
    "unchanged", so cron can reload nginx only after a change."""
    if output is None:
        click.echo(nginx_map.render(), nl=False)
        return
    click.echo(f"{output}: {'written' if nginx_map.write(output) else 'unchanged'}")


def _stored(typed: str) -> str:
    """`typed` as hosts are stored; the platform's own names (which `normalize`
    refuses to add) just lowercased, so removing one gets the registry's reason."""
    try:
        return normalize(typed)
    except DomainError:
        return typed.strip().lower().rstrip(".")


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def described(domain: Domain) -> list[str]:
    """The host as read, its stored form when that differs, and its state."""
    name = shown(domain.host)
    host = name if name == domain.host else f"{name} ({domain.host})"
    if domain.verified_at is None:
        state = f"unverified, expires {when(expiry.expires_at(domain))}"
    else:
        main = "main address, " if domain.is_primary else ""
        state = f"{main}verified {when(domain.verified_at)}"
    return [host, state, f"added {when(domain.created_at)}"]
