"""Whether the on-demand TLS server may get a certificate for a host.

Asked by Caddy before every certificate it would obtain (`infra/caddy`), so it
must be cheap and never write: one read by the verified-host index. Yes for a
verified domain of an active blog; for the platform's own hosts (APP_HOST, blog
subdomains) only when TLS_ASK_PLATFORM_HOSTS, since a wildcard certificate
usually covers them. Anything else, malformed names included, is no."""

from flask import current_app
from sqlalchemy import select

from inkwell.platform.core.domains.names import platform_names
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import host_name, parse_host
from inkwell.platform.core.models import Domain, Tenant


def allowed(asked: str) -> bool:
    host = parse_host(asked)
    if host is None or ":" in asked:
        return False
    platform_host = any(host == own or host.endswith(f".{own}") for own in platform_names())
    if platform_host and not current_app.config["TLS_ASK_PLATFORM_HOSTS"]:
        return False
    if host == host_name(current_app.config["APP_HOST"]):
        return True
    query = (
        select(Domain.id)
        .join(Tenant)
        .where(Domain.host == host, Domain.verified_at.is_not(None), Tenant.status == "active")
    )
    return db.session.scalar(query) is not None
