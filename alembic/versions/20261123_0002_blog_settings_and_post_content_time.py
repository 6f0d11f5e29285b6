"""blog settings and post content time

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 21:46:56.911120
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import inkwell.platform.core.types
from inkwell.platform.core.migration_steps import update_in_batches

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


posts = sa.table(
    "posts", sa.column("id", sa.Integer), sa.column("updated_at"), sa.column("content_updated_at")
)


def upgrade() -> None:
    # Run again after an upgrade stopped in the batches below, the column is there.
    if "content_updated_at" not in {
        c["name"] for c in sa.inspect(op.get_bind()).get_columns("posts")
    }:
        with op.batch_alter_table("posts", schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "content_updated_at",
                    inkwell.platform.core.types.UTCDateTime(timezone=True),
                    nullable=True,
                )
            )

    # Existing posts: their last change is the best guess for the last content change.
    # In batches: one UPDATE would hold the ALTER's lock, and every reader, to its end.
    update_in_batches(
        sa.update(posts)
        .where(posts.c.content_updated_at.is_(None))
        .values(content_updated_at=posts.c.updated_at),
        posts.c.id,
    )

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
        # op.f(): the name is final; a bare name would get the convention's prefix again.
        batch_op.drop_constraint(batch_op.f("ck_tenants_comments_provider_allowed"), type_="check")
        batch_op.drop_column("comments_target")
        batch_op.drop_column("comments_provider")
        batch_op.drop_column("code_style")

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("content_updated_at")
