"""Quotas: what a blog may hold (posts, snippets, stored bytes) and do (publishes
per hour, mails per day). Platform defaults are settings QUOTA_*; a blog's
`quotas` row overrides any of them (an empty column means the default).

Checks run before the work they guard and raise QuotaExceeded with a message
for the blogger, so a refused save, import, publish or invitation leaves
nothing behind. Rates count what the blog already did: its `PublishRun` rows
of the last hour and its invitations (each one a mail) of the last 24 hours.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from flask import current_app
from sqlalchemy import ColumnElement, func, select

from inkwell.platform.core import tenancy
from inkwell.platform.core.audit import Actor, record
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits.usage import usage
from inkwell.platform.core.models import (
    Delivery,
    Invitation,
    PublishRun,
    Quota,
    Subscriber,
    Tenant,
)
from inkwell.platform.core.types import utcnow

FIELDS = ("posts", "snippets", "storage_bytes", "publishes_per_hour", "mails_per_day")
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


class QuotaExceeded(Exception):
    """The work would take the blog past a limit; str() is for the blogger.
    `status` is the HTTP answer: 403 for what it holds, 429 for rates."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Limits:
    posts: int
    snippets: int
    storage_bytes: int
    publishes_per_hour: int
    mails_per_day: int
    overridden: frozenset[str] = field(default_factory=frozenset)


def defaults() -> dict[str, int]:
    return {name: int(current_app.config[f"QUOTA_{name.upper()}"]) for name in FIELDS}


def overrides(tenant_id: int) -> dict[str, int | None]:
    """The blog's own values (None: the default) of every field."""
    row = db.session.get(Quota, tenant_id)
    return {name: getattr(row, name) if row else None for name in FIELDS}


def limits(tenant_id: int) -> Limits:
    """The blog's limits: the platform defaults, overridden by its quotas row."""
    own = {name: value for name, value in overrides(tenant_id).items() if value is not None}
    return Limits(**{**defaults(), **own}, overridden=frozenset(own))


def set_overrides(tenant: Tenant, changes: dict[str, int | None], actor: Actor) -> bool:
    """Set (a number) or clear (None) some of the blog's limits, with an audit
    entry "quota.set" holding the old and new overrides; the caller commits.
    False, and nothing recorded, when they are the limits the blog has."""
    if unknown := set(changes) - set(FIELDS):
        raise ValueError(f"unknown quota {sorted(unknown)[0]!r}")
    old = overrides(tenant.id)
    new = {**old, **changes}
    if new == old:
        return False
    row = db.session.get(Quota, tenant.id)
    if all(value is None for value in new.values()):
        if row is not None:
            db.session.delete(row)  # no overrides left: the blog is back on the defaults
    else:
        row = row or Quota(tenant_id=tenant.id)
        for name, value in new.items():
            setattr(row, name, value)
        db.session.add(row)
    record(actor, "quota.set", tenant, old=old, new=new)
    return True


# Bytes units as people write them ("50MB", "1.5 GB", "500 bytes"), as powers of
# ten: decimal, as disks are sold.
_UNITS = {"": 0, "b": 0, "bytes": 0, "kb": 3, "mb": 6, "gb": 9, "tb": 12}
_NUMBER = re.compile(r"^\s*(\d+)(?:\.(\d+))?\s*([a-z]*)\s*$", re.IGNORECASE)


def parse_limit(name: str, text: str) -> int:
    """A limit typed by an operator: a whole number >= 0 (storage also "50MB");
    ValueError with a one-line message otherwise."""
    label = name.replace("_", " ")
    # The columns' ranges: BIGINT for storage, INTEGER for the others.
    most = 2**63 - 1 if name == "storage_bytes" else 2**31 - 1
    units = _UNITS if name == "storage_bytes" else {"": 0}
    match = _NUMBER.match(text)
    whole, fraction, unit = match.groups(default="") if match else ("", "", "")
    if not match or unit.lower() not in units or (fraction and name != "storage_bytes"):
        wanted = "a size such as 50MB or a number of bytes" if units is _UNITS else "a whole number"
        raise ValueError(f"{label} must be {wanted} (0 or more), not {_echo(text)}")
    # Exact decimal digits, not a float: the unit shifts the point. Digits past
    # the point that are left are a fraction of a byte.
    exponent, fraction = units[unit.lower()], fraction.rstrip("0")
    if len(fraction) > exponent:
        raise ValueError(f"{label} must be a whole number of bytes, not {_echo(text)}")
    digits = (whole + fraction.ljust(exponent, "0")).lstrip("0") or "0"
    # More digits than the largest limit has is too large, and may be too long for int().
    if len(digits) > len(str(most)) or int(digits) > most:
        raise ValueError(f"{label} must be at most {most:,}, not {_echo(text)}")
    return int(digits)


def _echo(text: str) -> str:
    """What was typed, quoted, shortened so a message stays one readable line."""
    return repr(text if len(text) <= 40 else f"{text[:20]}…{text[-10:]}")


def format_bytes(size: int) -> str:
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{size} bytes"


class Budget:
    """What one blog may still add, loaded once (one usage query) and kept up to
    date as a save or a whole import adds to it."""

    def __init__(self, tenant_id: int) -> None:
        self.tenant_id, self.limits = tenant_id, limits(tenant_id)

    @cached_property
    def used(self) -> dict[str, int]:
        # Read on first need: a save that adds no row and no bytes costs no usage query.
        counted = usage([self.tenant_id])[self.tenant_id]
        return {
            "posts": counted.posts,
            "snippets": counted.snippets,
            "storage": counted.storage_bytes,
        }

    def add(self, kind: str) -> None:
        """Count one new post or snippet (`kind` "posts" or "snippets")."""
        limit, used = getattr(self.limits, kind), self.used[kind]
        if used + 1 > limit:
            noun = kind if limit != 1 else kind[:-1]
            raise QuotaExceeded(
                f"This blog has reached its limit of {limit:,} {noun} ({used:,} used)."
            )
        self.used[kind] = used + 1

    def store(self, delta: int) -> None:
        """Count `delta` more stored bytes; shrinking is always allowed."""
        if delta <= 0:
            return
        limit, used = self.limits.storage_bytes, self.used["storage"]
        if used + delta > limit:
            raise QuotaExceeded(
                f"This would take the blog past its storage limit of {format_bytes(limit)} "
                f"({format_bytes(used)} used, this adds {format_bytes(delta)})."
            )
        self.used["storage"] = used + delta


def publishes_last_hour(tenant_id: int, now: datetime | None = None) -> list[datetime]:
    """Start times of the blog's publishes in the hour before `now`, newest first."""
    since = (now or utcnow()) - HOUR
    query = (
        select(PublishRun.started_at)
        .where(PublishRun.tenant_id == tenant_id, PublishRun.started_at > since)
        .order_by(PublishRun.started_at.desc())
    )
    with tenancy.across_tenants():
        return list(db.session.scalars(query))


def publish_hold(tenant_id: int) -> str | None:
    """Why the blog cannot publish now, for its members: its publishes of the
    last hour are used up. None if it can."""
    limit, runs = limits(tenant_id).publishes_per_hour, publishes_last_hour(tenant_id)
    if len(runs) < limit:
        return None
    # The hour allows another once the limit-th newest run is an hour old.
    after = f" The next can start after {(runs[limit - 1] + HOUR):%H:%M} UTC." if limit else ""
    return (
        f"This blog has reached its limit of {limit:,} publishes per hour "
        f"({len(runs):,} in the last hour).{after}"
    )


def check_publish(tenant_id: int) -> None:
    """QuotaExceeded (429) if the blog used up its publishes of the last hour."""
    if hold := publish_hold(tenant_id):
        raise QuotaExceeded(hold, 429)


def within_publish_limit(tenant_id: ColumnElement[int], now: datetime) -> ColumnElement[bool]:
    """SQL: the blog `tenant_id` (a column) has publishes left this hour. The
    caller runs it across tenants (it reads publish_runs)."""
    recent = (
        select(func.count())
        .where(PublishRun.tenant_id == tenant_id, PublishRun.started_at > now - HOUR)
        .scalar_subquery()
    )
    own = select(Quota.publishes_per_hour).where(Quota.tenant_id == tenant_id).scalar_subquery()
    return recent < func.coalesce(own, defaults()["publishes_per_hour"])


def mails_last_day(tenant_id: int) -> int:
    """Mails the blog caused in the last 24 hours: one per invitation made
    (replaced and revoked ones were mailed too), per newsletter delivered and per
    subscriber whose confirmation mail went out in that time (a resend counts
    once: resends are spaced by NEWSLETTER_CONFIRM_RESEND_SECONDS). Account
    mails (verification, password reset) belong to the user, not to a blog."""
    since = utcnow() - DAY
    invitations = select(func.count()).where(
        Invitation.tenant_id == tenant_id, Invitation.created_at > since
    )
    with tenancy.tenant_scope(tenant_id):
        delivered = select(func.count()).where(Delivery.sent_at > since)
        confirming = select(func.count()).where(Subscriber.confirm_sent_at > since)
        newsletter = (db.session.scalar(delivered) or 0) + (db.session.scalar(confirming) or 0)
    return (db.session.scalar(invitations) or 0) + newsletter


def check_mail(tenant_id: int) -> None:
    """QuotaExceeded (429) if the blog sent its mails of the last 24 hours."""
    limit, sent = limits(tenant_id).mails_per_day, mails_last_day(tenant_id)
    if sent >= limit:
        raise QuotaExceeded(
            f"This blog has reached its limit of {limit:,} mails per day "
            f"({sent:,} sent in the last 24 hours). Try again tomorrow.",
            429,
        )


@dataclass(frozen=True)
class Line:
    """One limit as the dashboard and `inkwell quotas show` present it."""

    name: str
    label: str
    used: int
    limit: int
    overridden: bool
    note: str = ""  # what part of the usage is what, for reading

    def text(self, value: int) -> str:
        return shown(self.name, value)


def shown(name: str, value: int) -> str:
    """A limit (or its usage) for reading: a size for storage, else a count."""
    return format_bytes(value) if name == "storage_bytes" else f"{value:,}"


def typed(name: str, value: int) -> str:
    """A limit as a form holds it: as read where parse_limit reads that back to
    the same number, else the plain number (format_bytes rounds)."""
    if name != "storage_bytes":
        return str(value)
    size = format_bytes(value)
    return size if parse_limit(name, size) == value else str(value)


LABELS = {
    "posts": "Posts",
    "snippets": "Snippets",
    "storage_bytes": "Storage",
    "publishes_per_hour": "Publishes per hour",
    "mails_per_day": "Mails per day",
}


def report(tenant_id: int) -> list[Line]:
    """Every limit of the blog with what it uses of it."""
    own, used = limits(tenant_id), usage([tenant_id])[tenant_id]
    counts = {
        "posts": used.posts,
        "snippets": used.snippets,
        "storage_bytes": used.storage_bytes,
        "publishes_per_hour": len(publishes_last_hour(tenant_id)),
        "mails_per_day": mails_last_day(tenant_id),
    }
    notes = {"storage_bytes": f"images: {format_bytes(used.media_bytes)}"}
    return [
        Line(
            name,
            LABELS[name],
            counts[name],
            getattr(own, name),
            name in own.overridden,
            notes.get(name, ""),
        )
        for name in FIELDS
    ]
