"""A blog's subscriber list as a file that moves with the blog: the CSV the
subscribers page exports (`subscribers.export_csv`: email, status, subscribed_at,
source), read back exactly as it says.

Unlike an owner's list of addresses (`subscribers.import_csv`, where the owner
says whether they consented), this file is the blog's own record: an address is
confirmed only if the file says it confirmed, an unsubscribed or bounced one stays
so (it must not be mailed again after a move), and a pending one stays pending
without a mail (it may subscribe again from the blog's form). Nobody is mailed.
Addresses the blog already has are left as they are; bad lines are named.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import select

from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import SUBSCRIBER_STATUSES, Subscriber, Tenant
from inkwell.platform.core.newsletter.subscribers import (
    CSV_COLUMNS,
    AddressError,
    checked_address,
    new_token,
)
from inkwell.platform.core.types import utcnow

SOURCES = ("form", "import")


@dataclass
class Restored:
    added: int = 0  # rows the blog lacked, added as the file has them
    confirmed: int = 0  # of those, confirmed ones: mailed each new post
    known: int = 0  # addresses the blog has already, left as they are
    problems: list[str] = field(default_factory=list)  # "line 3: ..."


def restore_csv(tenant: Tenant, text: str) -> Restored:
    """Add the rows of an exported list that `tenant` lacks, as the file has them;
    the caller commits."""
    result = Restored()
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(cell.strip() for cell in rows[0]) != CSV_COLUMNS:
        result.problems.append(f"line 1: the columns must be {', '.join(CSV_COLUMNS)}")
        return result
    limit = current_app.config["NEWSLETTER_IMPORT_MAX_ROWS"]
    if len(rows) > limit + 1:  # as the subscribers page's import: one bound for both
        result.problems.append(f"more than {limit:,} addresses: nothing added")
        return result
    with tenancy.tenant_scope(tenant.id):
        known = set(db.session.scalars(select(Subscriber.email)))
        for line, row in enumerate(rows[1:], 2):
            try:
                subscriber = _row(tenant, row)
            except (AddressError, ValueError) as error:
                result.problems.append(f"line {line}: {error}")
                continue
            if subscriber.email in known:
                result.known += 1
                continue
            known.add(subscriber.email)
            db.session.add(subscriber)
            result.added += 1
            result.confirmed += subscriber.status == "confirmed"
    return result


def _row(tenant: Tenant, row: list[str]) -> Subscriber:
    if len(row) != len(CSV_COLUMNS):
        raise ValueError(f"{len(row)} columns, not {len(CSV_COLUMNS)}")
    email, status, when, source = (cell.strip() for cell in row)
    if status not in SUBSCRIBER_STATUSES:
        raise ValueError(f"status {status!r} is none of {', '.join(SUBSCRIBER_STATUSES)}")
    if source not in SOURCES:
        raise ValueError(f"source {source!r} is none of {', '.join(SOURCES)}")
    return Subscriber(
        tenant_id=tenant.id, email=checked_address(email), token=new_token(), status=status,
        source=source, confirmed_at=_time(when), created_at=utcnow(),
    )  # fmt: skip


def _time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"subscribed_at {value!r} is not an ISO 8601 time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
