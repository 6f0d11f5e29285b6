"""import jobs: an import of another platform's export, run in the background
with its progress and report (`core.portability.import_jobs`)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-21 09:00:00

Tenant content, so the table gets the row-level security policy of migration 0010.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from inkwell.platform.core.types import UTCDateTime

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNFINISHED = "finished_at IS NULL"


def upgrade() -> None:
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("site_url", sa.String(length=300), nullable=False, server_default=""),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("upload", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("active_until", UTCDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')",
            name=op.f("ck_import_jobs_status_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_import_jobs_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_import_jobs_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_import_jobs_tenant_id_id")),
    )
    with op.batch_alter_table("import_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_import_jobs_tenant_id_created_at"), ["tenant_id", "created_at"]
        )
        batch_op.create_index(
            "ix_import_jobs_unfinished",
            ["active_until"],
            sqlite_where=sa.text(UNFINISHED),
            postgresql_where=sa.text(UNFINISHED),
        )
    if op.get_bind().dialect.name == "postgresql":  # as migration 0010 does
        op.execute("ALTER TABLE import_jobs ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE import_jobs FORCE ROW LEVEL SECURITY")
        op.execute(
            "CREATE POLICY tenant_scope ON import_jobs"
            " USING (inkwell_in_tenant_scope(tenant_id))"
            " WITH CHECK (inkwell_in_tenant_scope(tenant_id))"
        )


def downgrade() -> None:
    op.drop_table("import_jobs")  # its indexes and policy go with it
