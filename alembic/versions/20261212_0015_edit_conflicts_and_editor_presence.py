"""no silent overwrite: a revision on posts and on blogs' settings, and who has a
post open in the editor (editor_presence, under row-level security like 0010)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-12 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from inkwell.platform.core.types import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("revision", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "settings_revision", sa.Integer(), server_default=sa.text("1"), nullable=False
            )
        )
    op.create_table(
        "editor_presence",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("tab", sa.String(length=32), nullable=False),
        sa.Column("since", UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "post_id"],
            ["posts.tenant_id", "posts.id"],
            name=op.f("fk_editor_presence_tenant_id_post_id_posts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_editor_presence_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_editor_presence_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "post_id", "user_id", "tab", name=op.f("pk_editor_presence")
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        # As migration 0010 does for the other tenant tables (its function decides).
        op.execute("ALTER TABLE editor_presence ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE editor_presence FORCE ROW LEVEL SECURITY")
        op.execute(
            "CREATE POLICY tenant_scope ON editor_presence"
            " USING (inkwell_in_tenant_scope(tenant_id))"
            " WITH CHECK (inkwell_in_tenant_scope(tenant_id))"
        )


def downgrade() -> None:
    op.drop_table("editor_presence")  # its policy goes with it
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("settings_revision")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("revision")
