"""email addresses in one stored form, the domain in ASCII (IDNA): the Unicode
and punycode spellings of an address are one account

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-10 09:00:00

Rewrites `users.email` and `invitations.email` with `validation.normalize_email`
(the rule every entry point now goes through; it is idempotent, so a later rule
with its own migration is unaffected by this one running first).

Two accounts whose addresses become one (`ann@bücher.example` and
`ann@xn--bcher-kva.example`) are one mailbox with two accounts, each maybe with
its own blogs, and either maybe signed up by someone who never owned the
mailbox (signup does not need a confirmed address). Merging them, or picking
one, could hand one person's blogs to another: the migration refuses instead,
changes nothing, and names the accounts, so an operator decides which keeps the
address. Two open invitations of one blog that become one address are what
inviting again already settles: the newer stays, the older is withdrawn.

Downgrade keeps the stored form: it is a valid address under the older rule too.
"""

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from inkwell.platform.core.database import MigrationRefused
from inkwell.platform.core.types import UTCDateTime, utcnow
from inkwell.platform.core.validation import normalize_email

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

users = sa.table("users", sa.column("id", sa.Integer), sa.column("email", sa.String))
invitations = sa.table(
    "invitations",
    sa.column("id", sa.Integer),
    sa.column("tenant_id", sa.Integer),
    sa.column("email", sa.String),
    sa.column("created_at", UTCDateTime()),
    sa.column("used_at", UTCDateTime()),
    sa.column("revoked_at", UTCDateTime()),
)


def upgrade() -> None:
    connection = op.get_bind()
    accounts: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for user_id, email in connection.execute(sa.select(users.c.id, users.c.email)):
        accounts[normalize_email(email)].append((user_id, email))
    clashes = [group for group in accounts.values() if len(group) > 1]
    if clashes:
        raise MigrationRefused(_clash_message(clashes))
    for form, [(user_id, email)] in accounts.items():
        if email != form:
            connection.execute(users.update().where(users.c.id == user_id).values(email=form))
    _normalize_invitations(connection)


# How an operator frees an address, with the id filled in.
RENAME_HINT = "UPDATE users SET email = 'duplicate-<id>@invalid' WHERE id = <id>"


def _clash_message(clashes: list[list[tuple[int, str]]]) -> str:
    groups = "; ".join(
        " and ".join(f"user {user_id} ({email})" for user_id, email in group) for group in clashes
    )
    return (
        "Nothing was changed: some accounts are one email address once its domain is "
        f"spelled one way: {groups}. Decide which account keeps the address (say, the "
        "one whose blogs the mailbox's owner uses), give each other one an address "
        f"nobody can receive ({RENAME_HINT}), then run `inkwell db upgrade` again."
    )


def _normalize_invitations(connection: sa.Connection) -> None:
    rows = connection.execute(
        sa.select(
            invitations.c.id, invitations.c.tenant_id, invitations.c.email, invitations.c.used_at
        ).order_by(invitations.c.created_at.desc(), invitations.c.id.desc())
    ).all()
    # First withdraw the older of open duplicates, so no rename meets an open
    # invitation of the same blog and address (one may be open per pair).
    newest_open: set[tuple[int, str]] = set()
    now = utcnow()
    for row in rows:
        if row.used_at is not None:
            continue
        pair = (row.tenant_id, normalize_email(row.email))
        if pair in newest_open:
            connection.execute(
                invitations.update()
                .where(invitations.c.id == row.id)
                .values(used_at=now, revoked_at=now)
            )
        newest_open.add(pair)
    for row in rows:
        if (form := normalize_email(row.email)) != row.email:
            connection.execute(
                invitations.update().where(invitations.c.id == row.id).values(email=form)
            )


def downgrade() -> None:
    pass
