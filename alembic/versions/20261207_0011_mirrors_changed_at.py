"""when a blog's public content last changed, on its mirror row: a publish
requested by a change waits until the blog is quiet

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from inkwell.platform.core.types import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mirrors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changed_at", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mirrors", schema=None) as batch_op:
        batch_op.drop_column("changed_at")
