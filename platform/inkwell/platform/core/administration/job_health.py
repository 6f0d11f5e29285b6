"""Job health for operators: outbox rows waiting and failed, blogs whose publish failed,
publishes per blog and how long they take; and reopening failed work. Read
across blogs (admin and CLI code only)."""

from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from sqlalchemy import and_, case, func, or_, select

from inkwell.platform.core import tenancy
from inkwell.platform.core.audit import Actor, record
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Invitation, Outbox, PublishRun, Tenant, User
from inkwell.platform.core.publishing import mirrors
from inkwell.platform.core.types import utcnow

LISTED = 50  # rows of each list shown


def outbox_waiting() -> int:
    """Outbox rows whose work is not done yet."""
    return db.session.scalar(select(func.count()).where(Outbox.done_at.is_(None))) or 0


def outbox_failed() -> list[Outbox]:
    """Rows closed with an error, or tried more than once and still open; newest first."""
    closed_with_error = and_(Outbox.done_at.is_not(None), Outbox.last_error != "")
    retrying = and_(Outbox.done_at.is_(None), Outbox.attempts > 1)
    query = select(Outbox).where(or_(closed_with_error, retrying))
    return list(db.session.scalars(query.order_by(Outbox.id.desc()).limit(LISTED)))


def failed_publishes() -> list[tuple[PublishRun, str]]:
    """Active blogs whose newest publish failed: that run and the blog's
    subdomain, newest first. A failure a later publish made good needs nothing
    more, and a suspended or deleted blog publishes nothing until restored."""
    newest = select(func.max(PublishRun.id)).group_by(PublishRun.tenant_id)
    query = (
        select(PublishRun, Tenant.subdomain)
        .join(Tenant, Tenant.id == PublishRun.tenant_id)
        .where(PublishRun.id.in_(newest), PublishRun.status == "failed")
        .where(Tenant.status == "active")
        .order_by(PublishRun.id.desc())
        .limit(LISTED)
    )
    with tenancy.across_tenants():
        return [(run, subdomain) for run, subdomain in db.session.execute(query)]


@dataclass(frozen=True)
class BlogPublishes:
    subdomain: str
    count: int
    median_seconds: float
    max_seconds: float


def publishes_per_blog(hours: int = 24) -> list[BlogPublishes]:
    """Finished publishes of each blog in the last `hours`: how many, and how long
    they took (median and longest), busiest blog first."""
    query = (
        select(Tenant.subdomain, PublishRun.started_at, PublishRun.finished_at)
        .join(Tenant, Tenant.id == PublishRun.tenant_id)
        .where(PublishRun.started_at > utcnow() - timedelta(hours=hours))
        .where(PublishRun.finished_at.is_not(None))
    )
    durations: dict[str, list[float]] = {}
    with tenancy.across_tenants():
        for subdomain, started, finished in db.session.execute(query):
            durations.setdefault(subdomain, []).append((finished - started).total_seconds())
    rows = [
        BlogPublishes(sub, len(seconds), median(seconds), max(seconds))
        for sub, seconds in durations.items()
    ]
    return sorted(rows, key=lambda row: (-row.count, row.subdomain))


class RetryError(ValueError):
    """Work that cannot be retried; the message says why, in one line."""


def reopen_outbox(outbox_id: int, actor: Actor) -> Outbox:
    """Make the row's work due again (not done, no error, no lease) with an audit
    entry; the caller commits, then publishes the row (`workers.relay.publish`)."""
    row = db.session.get(Outbox, outbox_id)
    if row is None:
        raise RetryError(f"no outbox row {outbox_id}")
    record(actor, "job.retry", _concerns(row), outbox_id=row.id, task=row.task,
           last_error=row.last_error, attempts=row.attempts)  # fmt: skip
    row.done_at = row.locked_until = None
    row.last_error = ""
    return row


def _concerns(row: Outbox) -> Tenant | User:
    """Whom the row's work is for, as the audit log names targets: an
    invitation's blog, an account mail's user, or the blog of a hub ping."""
    if (tenant_id := row.args.get("tenant_id")) and (tenant := db.session.get(Tenant, tenant_id)):
        return tenant
    if invitation_id := row.args.get("invitation_id"):
        invitation = db.session.get(Invitation, invitation_id)
        if invitation is not None:
            return invitation.tenant
    if user_id := row.args.get("user_id"):
        user = db.session.get(User, user_id)
        if user is not None:
            return user
    raise RetryError(f"outbox row {row.id} concerns no blog or user that still exists")


def retry_publish(tenant: Tenant, actor: Actor) -> None:
    """Request a publish of the blog's mirror (it waits if the blog used up its
    publishes of the hour), with an audit entry; the caller commits."""
    record(actor, "publish.retry", tenant)
    mirrors.request_publish(tenant.id)


def outbox_by_outcome() -> dict[tuple[str, str], int]:
    """Outbox rows per (task's short name, outcome): "waiting", "done" or "failed"
    (closed with an error). For monitoring; one grouped query."""
    outcome = case(
        (Outbox.done_at.is_(None), "waiting"),
        (Outbox.last_error != "", "failed"),
        else_="done",
    )
    query = select(Outbox.task, outcome, func.count()).group_by(Outbox.task, outcome)
    return {(task.rsplit(".", 1)[-1], state): n for task, state, n in db.session.execute(query)}


def publishes_by_status() -> dict[str, int]:
    """Publish runs of every blog per status (running, succeeded, failed, refused)."""
    query = select(PublishRun.status, func.count()).group_by(PublishRun.status)
    with tenancy.across_tenants():
        return {status: n for status, n in db.session.execute(query)}
