"""posts have a cover image: an image of the blog's library (`content.covers`)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-16 12:00:00

Existing posts have none.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cover_media_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_posts_cover_media_id_media"),
            "media",
            ["cover_media_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_posts_tenant_id_cover_media_id"),
            ["tenant_id", "cover_media_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posts_tenant_id_cover_media_id"))
        batch_op.drop_constraint(batch_op.f("fk_posts_cover_media_id_media"), type_="foreignkey")
        batch_op.drop_column("cover_media_id")
