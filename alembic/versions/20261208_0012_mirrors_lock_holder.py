"""the token of the publish holding a blog's mirror lock: the lock became a
short lease its publish renews, and each write of a publish checks the token

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mirrors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holder", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mirrors", schema=None) as batch_op:
        batch_op.drop_column("holder")
