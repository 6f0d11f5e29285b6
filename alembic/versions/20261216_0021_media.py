"""images uploaded to a blog: the `media` table (`core.media`)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-16 09:00:00

Tenant content, so it gets the row-level security policy of migration 0010.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from inkwell.platform.core.types import UTCDateTime

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("alt", sa.Text(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("widths", sa.JSON(), nullable=False),
        sa.Column("stored_bytes", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "format IN ('jpeg', 'png', 'gif', 'webp')", name=op.f("ck_media_format_allowed")
        ),
        sa.CheckConstraint(
            "state IN ('processing', 'ready', 'failed')", name=op.f("ck_media_state_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_media_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_media_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media")),
        sa.UniqueConstraint(
            "tenant_id", "content_hash", name=op.f("uq_media_tenant_id_content_hash")
        ),
    )
    with op.batch_alter_table("media", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_media_tenant_id_id"), ["tenant_id", "id"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        # As migration 0010 does for the other tenant tables.
        op.execute("ALTER TABLE media ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE media FORCE ROW LEVEL SECURITY")
        op.execute(
            "CREATE POLICY tenant_scope ON media"
            " USING (inkwell_in_tenant_scope(tenant_id))"
            " WITH CHECK (inkwell_in_tenant_scope(tenant_id))"
        )


def downgrade() -> None:
    op.drop_table("media")  # its policy goes with it
