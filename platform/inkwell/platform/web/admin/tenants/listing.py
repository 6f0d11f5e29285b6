"""Finding blogs and what an admin sees of each, for the console and the CLI:
search by subdomain, title or owner email; owner, usage, last publish and risk
signals counted for a whole page of blogs in a few queries."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select

from inkwell.platform.core import tenancy
from inkwell.platform.core.administration.audit_search import AuditFilter, entries
from inkwell.platform.core.administration.risk import Signal, signals
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits.usage import Usage, usage
from inkwell.platform.core.models import (
    TENANT_STATUSES,
    AuditEntry,
    Membership,
    PublishRun,
    Tenant,
    User,
)


class ListError(ValueError):
    """A filter that cannot be applied; the message is for the admin."""


@dataclass(frozen=True)
class Row:
    tenant: Tenant
    owner: str
    usage: Usage
    last_publish: PublishRun | None
    signals: list[Signal]


def search(text: str = "", status: str = "", quarantined: bool = False) -> Select[tuple[Tenant]]:
    """Blogs whose subdomain, title or an owner's email contains `text`, with
    `status` if given, only quarantined ones if asked; newest first."""
    query = select(Tenant).order_by(Tenant.created_at.desc(), Tenant.id.desc())
    if quarantined:
        query = query.where(Tenant.quarantined_at.is_not(None))
    if status:
        check_status(status)
        query = query.where(Tenant.status == status)
    if text := text.strip().lower():
        owners = (
            select(Membership.tenant_id)
            .join(User)
            .where(Membership.role == "owner", User.email.contains(text, autoescape=True))
        )
        query = query.where(
            or_(
                Tenant.subdomain.contains(text, autoescape=True),
                func.lower(Tenant.title).contains(text, autoescape=True),
                Tenant.id.in_(owners),
            )
        )
    return query


def check_status(status: str) -> None:
    """ListError unless `status` is empty (any) or a blog status."""
    if status and status not in TENANT_STATUSES:
        raise ListError(f"status must be one of {', '.join(TENANT_STATUSES)}, not {status!r}")


def rows(tenants: list[Tenant]) -> list[Row]:
    ids = [t.id for t in tenants]
    owners, used, runs, risks = first_owners(ids), usage(ids), last_publishes(ids), signals(tenants)
    return [Row(t, owners.get(t.id, ""), used[t.id], runs.get(t.id), risks[t.id]) for t in tenants]


def first_owners(tenant_ids: list[int]) -> dict[int, str]:
    """Each blog's first owner (by membership date): the one shown as its owner."""
    query = (
        select(Membership.tenant_id, User.email)
        .join(User)
        .where(Membership.tenant_id.in_(tenant_ids), Membership.role == "owner")
        .order_by(Membership.created_at.desc(), Membership.user_id.desc())
    )
    # Later rows overwrite: the earliest owner of each blog is what remains.
    return {tenant_id: email for tenant_id, email in db.session.execute(query)}


def last_publishes(tenant_ids: list[int]) -> dict[int, PublishRun]:
    """Each blog's newest publish run."""
    with tenancy.across_tenants():
        newest = (
            select(func.max(PublishRun.id))
            .where(PublishRun.tenant_id.in_(tenant_ids))
            .group_by(PublishRun.tenant_id)
        )
        found = db.session.scalars(select(PublishRun).where(PublishRun.id.in_(newest)))
        return {run.tenant_id: run for run in found}


def members(tenant_id: int) -> list[tuple[User, str]]:
    """The blog's members and their roles, in the order they joined."""
    query = (
        select(User, Membership.role)
        .join(Membership)
        .where(Membership.tenant_id == tenant_id)
        .order_by(Membership.created_at)
    )
    return [(user, role) for user, role in db.session.execute(query)]


def audit_trail(tenant_id: int) -> Select[tuple[AuditEntry]]:
    """The audit entries about the blog, newest first."""
    return entries(AuditFilter(target_type="tenant")).where(AuditEntry.target_id == tenant_id)


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"
