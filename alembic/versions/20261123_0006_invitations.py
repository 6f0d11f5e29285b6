"""invitations to a blog

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 23:20:15.726152
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import inkwell.platform.core.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "revoked_at", inkwell.platform.core.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("nonce", sa.LargeBinary(length=32), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column(
            "created_at", inkwell.platform.core.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "expires_at", inkwell.platform.core.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("used_at", inkwell.platform.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('owner', 'editor', 'author')", name=op.f("ck_invitations_role_allowed")
        ),
        # By hand (autogenerate does not compare check constraints): see the model.
        sa.CheckConstraint(
            "revoked_at IS NULL OR used_at IS NOT NULL", name=op.f("ck_invitations_revoked_is_used")
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["users.id"],
            name=op.f("fk_invitations_invited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_invitations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index(
            "uq_invitations_open",
            ["tenant_id", "email"],
            unique=True,
            sqlite_where=sa.text("used_at IS NULL"),
            postgresql_where=sa.text("used_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_invitations_open",
            sqlite_where=sa.text("used_at IS NULL"),
            postgresql_where=sa.text("used_at IS NULL"),
        )

    op.drop_table("invitations")
