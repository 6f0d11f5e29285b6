"""posts can be pages (`/now/`): at their address, in the sitemap and the mirror,
left out of the index, tag pages, feeds and "recent posts"

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-18 12:00:00

Existing posts stay posts.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_page", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("is_page")
