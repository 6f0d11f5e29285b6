"""What admins do to a blog: suspend, restore, delete, the rows part of a purge,
quarantine and lifting it, a full republish of its mirror, a forced re-render.
Console and CLI both go through here, and each action adds its audit entry to
the same transaction (the caller commits).

active ─suspend─► suspended ─restore─► active
active|suspended ─delete─► deleted (restorable until purge_after) ─purge─► gone
deleted ─restore─► the status it had before the delete (suspended stays suspended)

Quarantine is apart from the status: a quarantined blog is served, but its
pages say `noindex` and it has no sitemap and no feed discovery links.

Every status or quarantine change bumps content_version, so cached pages drop at once; the
site app answers 410 for a blog that is not active (`inkwell.tenants.hosts`).
Removing a deleted blog's files and cache entries too is `purge`.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete as sql_delete
from sqlalchemy import select

from inkwell.platform.core import audit, tenancy
from inkwell.platform.core.content.changes import content_changed
from inkwell.platform.core.content.posts import rerender_posts
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import host_name
from inkwell.platform.core.models import Domain, SubdomainHold, Tenant
from inkwell.platform.core.publishing import mirrors
from inkwell.platform.core.types import utcnow
from inkwell.platform.core.validation import single_line_problem

REASON_MAX = 500


class LifecycleError(ValueError):
    """An action the blog's state does not allow; the message is for the admin."""


class BadReason(LifecycleError):
    """A reason missing or unfit to show the blog's owners."""


def suspend(tenant: Tenant, reason: str, actor: audit.Actor) -> None:
    if tenant.status != "active":
        raise LifecycleError(
            f"{tenant.subdomain} is {tenant.status}: only an active blog can be suspended."
        )
    reason = check_reason(reason)
    _change(tenant, "suspended", reason)
    audit.record(actor, "tenant.suspend", tenant, reason=reason)


def restore(tenant: Tenant, actor: audit.Actor) -> str:
    """Undo a suspension (active again) or a deletion (back to the state before
    it, so a suspended blog stays suspended); the status it has now."""
    if tenant.status == "active":
        raise LifecycleError(f"{tenant.subdomain} is active: there is nothing to restore.")
    previous, status, reason = tenant.status, "active", ""
    if previous == "deleted" and tenant.before_delete_status == "suspended":
        status, reason = "suspended", tenant.before_delete_reason
    _change(tenant, status, reason)
    audit.record(actor, "tenant.restore", tenant, previous=previous, status=status)
    return status


def delete(tenant: Tenant, reason: str, actor: audit.Actor) -> datetime:
    """Soft-delete: the blog answers 410 and can be restored until the returned time."""
    if tenant.status == "deleted":
        raise LifecycleError(f"{tenant.subdomain} is already deleted.")
    reason = check_reason(reason)
    days = current_app.config["TENANT_DELETE_GRACE_DAYS"]
    tenant.before_delete_status, tenant.before_delete_reason = tenant.status, tenant.status_reason
    _change(tenant, "deleted", reason)
    tenant.purge_after = utcnow() + timedelta(days=days)
    audit.record(
        actor, "tenant.delete", tenant, reason=reason, purge_after=_iso(tenant.purge_after)
    )
    return tenant.purge_after


def quarantine(tenant: Tenant, actor: audit.Actor) -> None:
    """Keep the blog out of search engines and discovery until lifted."""
    if tenant.quarantined_at:
        raise LifecycleError(f"{tenant.subdomain} is already quarantined.")
    tenant.quarantined_at = utcnow()
    content_changed(tenant, "status")  # every page's <head> changes
    audit.record(actor, "tenant.quarantine", tenant)


def lift_quarantine(tenant: Tenant, actor: audit.Actor) -> None:
    if not tenant.quarantined_at:
        raise LifecycleError(f"{tenant.subdomain} is not quarantined.")
    since = tenant.quarantined_at
    tenant.quarantined_at = None
    content_changed(tenant, "status")
    audit.record(actor, "tenant.lift_quarantine", tenant, since=_iso(since))


def republish(tenant: Tenant, actor: audit.Actor) -> None:
    """Ask for a full publish of the blog's mirror (every page built again)."""
    if tenant.status != "active":
        raise LifecycleError(f"{tenant.subdomain} is {tenant.status}: its mirror is not published.")
    mirrors.request_publish(tenant.id, full=True)
    audit.record(actor, "tenant.republish", tenant)


def rerender(tenant: Tenant, actor: audit.Actor) -> int:
    """Render every post again (after a rendering policy change); how many."""
    with tenancy.tenant_scope(tenant.id):
        count = rerender_posts(tenant, force=True)
        db.session.flush()  # the posts are written inside their tenant's scope
    # Even when no HTML changed: pages built around the posts may have.
    content_changed(tenant, "rendering")
    audit.record(actor, "tenant.rerender", tenant, posts=count)
    return count


def check_purgeable(tenant: Tenant) -> None:
    """Only a deleted blog is purged: a purge cannot be undone."""
    if tenant.status != "deleted":
        raise LifecycleError(f"{tenant.subdomain} is {tenant.status}: delete it before purging.")


def purge_rows(tenant: Tenant, actor: audit.Actor) -> list[str]:
    """Delete the blog's rows, keep its subdomains from new owners for
    TENANT_HOLD_DAYS and record it; the held subdomains. The caller has removed
    its mirror and cache entries first, and commits."""
    check_purgeable(tenant)
    held = _hold_subdomains(tenant)
    audit.record(actor, "tenant.purge", tenant, held=held, uuid=str(tenant.uuid))
    tenant_id = tenant.id
    db.session.expunge(tenant)
    # Explicit deletes rather than ON DELETE CASCADE, which SQLite ignores
    # without a pragma: every table with a tenant_id, children first.
    with tenancy.across_tenants():
        for table in reversed(db.metadata.sorted_tables):
            if "tenant_id" in table.c:
                db.session.execute(sql_delete(table).where(table.c.tenant_id == tenant_id))
        db.session.execute(sql_delete(Tenant.__table__).where(Tenant.__table__.c.id == tenant_id))
    return held


def _hold_subdomains(tenant: Tenant) -> list[str]:
    """Hold the blog's subdomain and any other platform subdomain it answers on."""
    suffix = "." + host_name(current_app.config["BLOG_DOMAIN"])
    hosts = db.session.scalars(select(Domain.host).where(Domain.tenant_id == tenant.id))
    labels = {h.removesuffix(suffix) for h in hosts if h.endswith(suffix)}
    held = sorted({tenant.subdomain} | {label for label in labels if "." not in label})
    until = utcnow() + timedelta(days=current_app.config["TENANT_HOLD_DAYS"])
    for subdomain in held:
        # merge: an expired hold of the same name (an earlier owner) is renewed.
        db.session.merge(SubdomainHold(subdomain=subdomain, until=until))
    return held


def _change(tenant: Tenant, status: str, reason: str) -> None:
    tenant.status, tenant.status_reason, tenant.status_changed_at = status, reason, utcnow()
    if status != "deleted":
        tenant.purge_after = None
    # Cached pages and validators carry the version: none of them answers any more.
    content_changed(tenant, "status")


def check_reason(reason: str) -> str:
    """`reason` trimmed; BadReason if it cannot be shown to the blog's owners."""
    reason = (reason or "").strip()
    if not reason:
        raise BadReason("Give a reason: the blog's owners will see it.")
    if len(reason) > REASON_MAX:
        raise BadReason(f"Keep the reason under {REASON_MAX} characters.")
    if problem := single_line_problem(reason):
        raise BadReason(problem)
    return reason


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""
