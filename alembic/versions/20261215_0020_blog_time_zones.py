"""blogs have a time zone: the IANA name their pages show times in and their
editor takes them (`core.time_zones`)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-15 09:00:00

Existing blogs get UTC, the zone every page showed so far, so no reader sees
another date until the owner chooses a zone.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="UTC")
        )


def downgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("time_zone")
