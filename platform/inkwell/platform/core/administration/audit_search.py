"""Reading the audit log: the filters the console and `inkwell audit` share."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, select

from inkwell.platform.core.models import AuditEntry

TARGET_TYPES = ("tenant", "user")


class FilterError(ValueError):
    """A filter value that cannot be used; the message is for the reader."""


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""  # the actor's label contains this
    action: str = ""  # exactly this action
    target_type: str = ""  # "tenant" or "user"
    target: str = ""  # the target's label contains this
    since: date | None = None  # from this day on (UTC)
    until: date | None = None  # up to and including this day (UTC)

    def __post_init__(self) -> None:
        if self.target_type and self.target_type not in TARGET_TYPES:
            raise FilterError(f"target type must be one of {', '.join(TARGET_TYPES)}")
        if self.since and self.until and self.since > self.until:
            raise FilterError("the 'from' date is after the 'to' date")


def parse_day(text: str, name: str) -> date | None:
    """The date in `text` (YYYY-MM-DD), None when empty; `name` goes in the message."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FilterError(f"{name}: {text!r} is not a date (YYYY-MM-DD)") from None


def entries(audit: AuditFilter) -> Select[tuple[AuditEntry]]:
    """The entries that pass the filter, newest first."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if audit.actor:
        query = query.where(AuditEntry.actor.icontains(audit.actor, autoescape=True))
    if audit.action:
        query = query.where(AuditEntry.action == audit.action)
    if audit.target_type:
        query = query.where(AuditEntry.target_type == audit.target_type)
    if audit.target:
        query = query.where(AuditEntry.target_label.icontains(audit.target, autoescape=True))
    if audit.since:
        query = query.where(AuditEntry.at >= _midnight(audit.since))
    # The last day a date can name has no next midnight, and no timestamp after it.
    if audit.until and audit.until < date.max:
        query = query.where(AuditEntry.at < _midnight(audit.until + timedelta(days=1)))
    return query


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)
