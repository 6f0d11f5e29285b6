"""Subscribers of a blog: the reader's double opt-in and unsubscribe, the owner's
list, removal, export and import.

The subscribe form arrives cross-site without a CSRF token, so it changes nothing
a reader would notice: it adds or refreshes a pending address and mails one
confirmation, at most one per address and blog every NEWSLETTER_CONFIRM_RESEND_SECONDS
(a flood of requests for one address sends one mail), within the blog's mail quota.
Every caller answers the same whatever the address's state, so the form never
tells who subscribes. Links carry the blog's uuid and the subscriber's token; a
token is looked up in its blog's scope only, so another blog's token finds nothing.
"""

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from uuid import UUID

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import delete, func, select

from inkwell.platform.core import outbox, tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits import quotas
from inkwell.platform.core.models import Subscriber, Tenant
from inkwell.platform.core.types import utcnow
from inkwell.platform.core.validation import normalize_email

CONFIRM_TASK = "inkwell.workers.newsletter.send_confirmation"
CSV_COLUMNS = ("email", "status", "subscribed_at", "source")


class AddressError(ValueError):
    """An address no mail can go to; str() says why, for the person who typed it."""


def checked_address(raw: str) -> str:
    """The stored form of `raw`, or AddressError: one plain address (no name, no
    line break, no second address), ASCII-deliverable, at most 254 characters."""
    value = raw.strip()
    if not value:
        raise AddressError("Enter your email address.")
    if len(value) > 254 or any(ch in value for ch in "\r\n\x00,;<>"):
        raise AddressError("Enter one email address, like name@example.com.")
    try:
        valid = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        raise AddressError(f"That is not an email address we can mail: {error}") from None
    return normalize_email(valid.normalized)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def subscribe(tenant: Tenant, raw_address: str) -> Subscriber | None:
    """Ask `raw_address` to confirm it wants the blog's posts; the caller commits.
    The subscriber a confirmation mail goes to, or None when none is due (it is
    confirmed, or was sent one lately). AddressError, or QuotaExceeded when the
    blog has sent its mails of the day."""
    address = checked_address(raw_address)
    with tenancy.tenant_scope(tenant.id):
        subscriber = db.session.scalar(select(Subscriber).where(Subscriber.email == address))
        if subscriber is not None and not _confirmation_due(subscriber):
            return None
        quotas.check_mail(tenant.id)
        if subscriber is None:
            subscriber = Subscriber(tenant_id=tenant.id, email=address, token=new_token())
            db.session.add(subscriber)
        subscriber.status, subscriber.source, subscriber.bounces = "pending", "form", 0
        subscriber.confirm_sent_at = utcnow()
        _ask_to_confirm(tenant, subscriber)
    return subscriber


def _ask_to_confirm(tenant: Tenant, subscriber: Subscriber) -> None:
    """The confirmation mail, through the outbox once the transaction commits."""
    db.session.flush()  # its id
    outbox.enqueue(
        CONFIRM_TASK,
        f"newsletter-confirm:{subscriber.id}:{secrets.token_hex(8)}",
        tenant_id=tenant.id,
        subscriber_id=subscriber.id,
    )


def _confirmation_due(subscriber: Subscriber) -> bool:
    if subscriber.status == "confirmed":
        return False
    spacing = timedelta(seconds=current_app.config["NEWSLETTER_CONFIRM_RESEND_SECONDS"])
    last = subscriber.confirm_sent_at
    return last is None or last + spacing <= utcnow()


def by_token(blog_uuid: UUID, token: str) -> tuple[Tenant, Subscriber] | None:
    """The blog and its subscriber a link names; None for a token of another blog,
    an unknown or removed one."""
    tenant = db.session.scalar(select(Tenant).where(Tenant.uuid == blog_uuid))
    if tenant is None or len(token) > 64:
        return None
    with tenancy.tenant_scope(tenant.id):
        found = db.session.scalar(select(Subscriber).where(Subscriber.token == token))
    return (tenant, found) if found is not None else None


def confirm(subscriber: Subscriber) -> bool:
    """Confirm a pending address (the caller commits); False if it is not pending."""
    if subscriber.status != "pending":
        return False
    subscriber.status, subscriber.confirmed_at = "confirmed", utcnow()
    return True


def unsubscribe(subscriber: Subscriber) -> None:
    """No more mail to this address from its blog (the caller commits); repeatable."""
    subscriber.status = "unsubscribed"


def counts(tenant: Tenant) -> dict[str, int]:
    """Subscribers per status."""
    with tenancy.tenant_scope(tenant.id):
        query = select(Subscriber.status, func.count()).group_by(Subscriber.status)
        return {status: count for status, count in db.session.execute(query)}


def listing(tenant: Tenant, limit: int, offset: int = 0) -> list[Subscriber]:
    """The blog's subscribers, newest first."""
    with tenancy.tenant_scope(tenant.id):
        query = select(Subscriber).order_by(Subscriber.id.desc()).limit(limit).offset(offset)
        return list(db.session.scalars(query))


def remove(tenant: Tenant, subscriber_id: int) -> bool:
    """Delete the address and its deliveries (the caller commits); False if the blog has none."""
    with tenancy.tenant_scope(tenant.id):
        result = db.session.execute(delete(Subscriber).where(Subscriber.id == subscriber_id))
    return result.rowcount == 1


def export_csv(tenant: Tenant) -> str:
    """Every address of the blog with its status, confirmation time and source."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    with tenancy.tenant_scope(tenant.id):
        for row in db.session.scalars(select(Subscriber).order_by(Subscriber.id)):
            when = row.confirmed_at.isoformat() if row.confirmed_at else ""
            writer.writerow([row.email, row.status, when, row.source])
    return out.getvalue()


@dataclass
class ImportResult:
    confirmed: int = 0  # added as confirmed: the owner said they consented
    pending: int = 0  # added as pending: each is sent a confirmation mail
    known: int = 0  # already on the list, left as they were
    problems: list[str] = field(default_factory=list)  # "line 3: ..."


def import_csv(tenant: Tenant, text: str, consented: bool) -> ImportResult:
    """Add the addresses of a CSV (an `email` column, or the first one); the caller
    commits. With `consented`, they are confirmed; without, each is pending and
    gets a confirmation mail, refused whole (QuotaExceeded) past the mail quota."""
    result, addresses = ImportResult(), _read_addresses(text)
    with tenancy.tenant_scope(tenant.id):
        known = set(db.session.scalars(select(Subscriber.email)))
    fresh: list[str] = []
    for line, raw in addresses:
        try:
            address = checked_address(raw)
        except AddressError as error:
            result.problems.append(f"line {line}: {error}")
            continue
        if address in known:
            result.known += 1
        else:
            known.add(address)
            fresh.append(address)
    if not consented:
        _check_mail_room(tenant, len(fresh))
    for address in fresh:
        _add_imported(tenant, address, consented)
    if consented:
        result.confirmed = len(fresh)
    else:
        result.pending = len(fresh)
    return result


def _read_addresses(text: str) -> list[tuple[int, str]]:
    rows = list(csv.reader(io.StringIO(text)))
    limit = current_app.config["NEWSLETTER_IMPORT_MAX_ROWS"]
    if len(rows) > limit + 1:
        raise AddressError(f"A file can hold at most {limit:,} addresses; split it.")
    column = 0
    if rows and any("email" in cell.strip().lower() for cell in rows[0]):
        column = next(i for i, cell in enumerate(rows[0]) if "email" in cell.strip().lower())
        rows = [[], *rows[1:]]  # keep line numbers
    return [(n, row[column]) for n, row in enumerate(rows, 1) if len(row) > column and row[column]]


def _check_mail_room(tenant: Tenant, wanted: int) -> None:
    room = quotas.limits(tenant.id).mails_per_day - quotas.mails_last_day(tenant.id)
    if wanted > room:
        raise quotas.QuotaExceeded(
            f"Asking {wanted:,} addresses to confirm would take {wanted:,} mails; "
            f"this blog may send {max(room, 0):,} more today. Import fewer, or tick that "
            "they consented if they did.",
            429,
        )


def _add_imported(tenant: Tenant, address: str, consented: bool) -> None:
    now = utcnow()
    subscriber = Subscriber(
        tenant_id=tenant.id, email=address, token=new_token(), source="import",
        status="confirmed" if consented else "pending",
        confirmed_at=now if consented else None, confirm_sent_at=None if consented else now,
    )  # fmt: skip
    with tenancy.tenant_scope(tenant.id):
        db.session.add(subscriber)
        if not consented:
            _ask_to_confirm(tenant, subscriber)
