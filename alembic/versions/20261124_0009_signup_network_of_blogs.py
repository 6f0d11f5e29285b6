"""signup network of blogs, for admins' risk signals; what a restore of a
deleted blog returns to

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        # Existing blogs came from before anyone recorded it: empty, like an operator's.
        batch_op.add_column(
            sa.Column("signup_network", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.create_index(batch_op.f("ix_tenants_signup_network"), ["signup_network"])
        batch_op.add_column(
            sa.Column(
                "before_delete_status", sa.String(length=16), server_default="", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("before_delete_reason", sa.Text(), server_default="", nullable=False)
        )
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        for column in ("signup_network", "before_delete_status", "before_delete_reason"):
            batch_op.alter_column(column, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("before_delete_reason")
        batch_op.drop_column("before_delete_status")
        batch_op.drop_index(batch_op.f("ix_tenants_signup_network"))
        batch_op.drop_column("signup_network")
