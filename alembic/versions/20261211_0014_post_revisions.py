"""post revisions: every change of a post kept, with who made it and how; a
deleted post's revisions expire after the delete grace period

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-11 09:00:00

Tenant content: row-level security like migration 0010's tables (PostgreSQL).
Existing posts get no revision here: each records its stored state as a
"baseline" revision on its first change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import inkwell.platform.core.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "'save', 'autosave', 'publish', 'restore', 'import', 'scheduler', 'admin', 'delete', 'baseline'"
)


def upgrade() -> None:
    op.create_table(
        "post_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("post_uuid", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body_md", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column(
            "published_at", inkwell.platform.core.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=300), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at", inkwell.platform.core.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column(
            "expires_at", inkwell.platform.core.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_post_revisions_kind_allowed")),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_post_revisions_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_post_revisions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_post_revisions_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_revisions")),
    )
    with op.batch_alter_table("post_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_post_revisions_tenant_id_post_id_id"),
            ["tenant_id", "post_id", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_post_revisions_expiring",
            ["expires_at"],
            unique=False,
            sqlite_where=sa.text("expires_at IS NOT NULL"),
            postgresql_where=sa.text("expires_at IS NOT NULL"),
        )
    if op.get_bind().dialect.name == "postgresql":
        # As migration 0010 does for the other tenant tables, with its function.
        op.execute("ALTER TABLE post_revisions ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE post_revisions FORCE ROW LEVEL SECURITY")
        op.execute(
            "CREATE POLICY tenant_scope ON post_revisions"
            " USING (inkwell_in_tenant_scope(tenant_id))"
            " WITH CHECK (inkwell_in_tenant_scope(tenant_id))"
        )


def downgrade() -> None:
    # Dropping the table drops its policy too.
    with op.batch_alter_table("post_revisions", schema=None) as batch_op:
        batch_op.drop_index("ix_post_revisions_expiring")
        batch_op.drop_index(batch_op.f("ix_post_revisions_tenant_id_post_id_id"))
    op.drop_table("post_revisions")
