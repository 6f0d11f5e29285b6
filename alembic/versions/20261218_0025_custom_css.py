"""blogs have their own CSS: the owner's text and the cleaned part the blog serves
(`core.content.custom_css`)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-18 09:00:00

Existing blogs get none, so every page looks as it did.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("custom_css_source", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("custom_css", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("custom_css")
        batch_op.drop_column("custom_css_source")
