"""index page order includes id

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 22:28:13.945517
"""

from collections.abc import Sequence

from alembic import op

from inkwell.platform.core.migration_steps import create_index

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The new index first, built CONCURRENTLY; dropping the old one then locks
    # posts for a moment, where dropping it first held readers for the whole build.
    create_index(
        "ix_posts_tenant_id_status_published_at_id",
        "posts",
        "(tenant_id, status, published_at, id)",
    )
    op.drop_index(op.f("ix_posts_tenant_id_status_published_at"), table_name="posts")


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posts_tenant_id_status_published_at_id"))
        batch_op.create_index(
            batch_op.f("ix_posts_tenant_id_status_published_at"),
            ["tenant_id", "status", "published_at"],
            unique=False,
        )
