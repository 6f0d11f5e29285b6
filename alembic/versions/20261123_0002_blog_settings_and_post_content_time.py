"""blog settings and post content time

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 21:46:56.911120
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import inkwell.platform.core.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "content_updated_at",
                inkwell.platform.core.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )

    # Existing posts: their last change is the best guess for the last content change.
    op.execute("UPDATE posts SET content_updated_at = updated_at")

    # Server defaults fill the rows that exist; the models set values for new rows.
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("code_style", sa.String(length=40), nullable=False, server_default="default")
        )
        batch_op.add_column(
            sa.Column(
                "comments_provider", sa.String(length=16), nullable=False, server_default="none"
            )
        )
        batch_op.add_column(
            sa.Column("comments_target", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.create_check_constraint(
            "comments_provider_allowed", "comments_provider IN ('none', 'disqus', 'discourse')"
        )
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        for column in ("code_style", "comments_provider", "comments_target"):
            batch_op.alter_column(column, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_constraint("ck_tenants_comments_provider_allowed", type_="check")
        batch_op.drop_column("comments_target")
        batch_op.drop_column("comments_provider")
        batch_op.drop_column("code_style")

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("content_updated_at")
