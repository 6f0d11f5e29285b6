"""A blog's domains changed by its owners (and removed by admins): add, verify,
make primary, remove; and every blog's domains listed for operators.

Each function checks, changes the session, records the audit entry and leaves
the commit to the caller; a refusal is a DomainError and changes nothing.
"""

from uuid import UUID

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from inkwell.platform.core import audit
from inkwell.platform.core.content.changes import content_changed
from inkwell.platform.core.domains import verification
from inkwell.platform.core.domains.names import DomainError, normalize, shown
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import blog_host
from inkwell.platform.core.models import Domain, Tenant
from inkwell.platform.core.types import utcnow

TAKEN = (
    "{name} is already the address of another blog on this platform. If the domain is "
    "yours, remove it from that blog first."
)


def own_host(tenant: Tenant) -> str:
    """The blog's platform subdomain, which it always keeps."""
    return blog_host(tenant.subdomain, current_app.config["BLOG_DOMAIN"])


def domains_of(tenant: Tenant) -> list[Domain]:
    """The blog's domains: the primary first, then as added."""
    query = select(Domain).where(Domain.tenant_id == tenant.id)
    return list(db.session.scalars(query.order_by(Domain.is_primary.desc(), Domain.id)))


def every_domain(tenant: Tenant | None = None) -> list[Domain]:
    """Every blog's domains (or `tenant`'s) for operators: by blog, primary first."""
    query = select(Domain).join(Domain.tenant).options(contains_eager(Domain.tenant))
    if tenant is not None:
        query = query.where(Domain.tenant_id == tenant.id)
    order = (Tenant.subdomain, Domain.is_primary.desc(), Domain.id)
    return list(db.session.scalars(query.order_by(*order)))


def served_hosts() -> list[tuple[str, UUID]]:
    """(host, blog uuid) of every verified host of an active blog, by host: what
    the web server's mirror fallback may answer for (infra/nginx)."""
    query = (
        select(Domain.host, Tenant.uuid)
        .join(Domain.tenant)
        .where(Domain.verified_at.is_not(None), Tenant.status == "active")
        .order_by(Domain.host)
    )
    return [(host, uuid) for host, uuid in db.session.execute(query)]


def find(tenant: Tenant, domain_id: int) -> Domain | None:
    return db.session.scalar(
        select(Domain).where(Domain.id == domain_id, Domain.tenant_id == tenant.id)
    )


def add(tenant: Tenant, typed: str, actor: audit.Actor) -> Domain:
    """Claim `typed` for `tenant`, unverified, with a fresh token."""
    host = normalize(typed)
    if find_host(tenant, host) is not None:
        raise DomainError(f"{shown(host)} is already one of this blog's domains.")
    if _holder(host) not in (None, tenant.id):
        raise DomainError(TAKEN.format(name=shown(host)))
    limit = current_app.config["CUSTOM_DOMAINS_MAX"]
    count = db.session.scalar(select(func.count()).where(Domain.tenant_id == tenant.id))
    if (count or 0) - 1 >= limit:  # the platform subdomain does not count
        raise DomainError(f"A blog can have at most {limit} domains; remove one first.")
    domain = Domain(tenant_id=tenant.id, host=host, verify_token=verification.new_token())
    db.session.add(domain)
    audit.record(actor, "domain.add", tenant, host=host)
    return domain


def verify(tenant: Tenant, domain: Domain, actor: audit.Actor) -> None:
    """Mark `domain` verified when its TXT record holds its token."""
    if domain.verified_at is not None:
        return
    if _holder(domain.host) not in (None, tenant.id):
        raise DomainError(TAKEN.format(name=shown(domain.host)))
    verification.check(domain.host, domain.verify_token)
    domain.verified_at = utcnow()
    audit.record(actor, "domain.verify", tenant, host=domain.host)
    try:
        db.session.flush()
    except IntegrityError:  # another blog verified the same name a moment earlier
        db.session.rollback()
        raise DomainError(TAKEN.format(name=shown(domain.host))) from None


def make_primary(tenant: Tenant, domain: Domain, actor: audit.Actor) -> None:
    """Make `domain` the host every other one of the blog redirects to."""
    if domain.verified_at is None:
        raise DomainError(f"Verify {shown(domain.host)} before making it the main address.")
    if domain.is_primary:
        return
    _set_primary(tenant, domain)
    audit.record(actor, "domain.primary", tenant, host=domain.host)


def remove(tenant: Tenant, domain: Domain, actor: audit.Actor) -> None:
    """Remove `domain`; the platform subdomain becomes primary if it was."""
    if domain.host == own_host(tenant):
        raise DomainError("The blog's own subdomain stays: it is how the platform finds the blog.")
    if domain.is_primary:
        _set_primary(tenant, find_host(tenant, own_host(tenant)))
    db.session.delete(domain)
    audit.record(actor, "domain.remove", tenant, host=domain.host)


def find_host(tenant: Tenant, host: str) -> Domain | None:
    return db.session.scalar(
        select(Domain).where(Domain.tenant_id == tenant.id, Domain.host == host)
    )


def _holder(host: str) -> int | None:
    """The blog that has `host` verified, if any."""
    query = select(Domain.tenant_id).where(Domain.host == host, Domain.verified_at.is_not(None))
    return db.session.scalar(query)


def _set_primary(tenant: Tenant, domain: Domain | None) -> None:
    if domain is None:  # a blog without its subdomain row: nothing to fall back to
        raise DomainError("The blog has no other address to fall back to.")
    for other in domains_of(tenant):
        other.is_primary = False
    db.session.flush()  # the partial unique index allows one primary at a time
    domain.is_primary = True
    # Canonical URLs, feeds and the mirror now name another host.
    content_changed(tenant, "domains")
