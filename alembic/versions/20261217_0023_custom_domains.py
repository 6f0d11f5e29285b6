"""custom domains: a verification token per domain, and a host is unique only
among verified domains (`core.domains`)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-17 09:00:00

Until now every domain row was a verified platform subdomain, so the old unique
host holds for the verified ones: the new partial index cannot fail on existing
rows. Unverified claims of the same host by several blogs become possible, one
per blog.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("domains", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("verify_token", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.drop_constraint(batch_op.f("uq_domains_host"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_domains_tenant_id"))
        batch_op.create_unique_constraint(
            batch_op.f("uq_domains_tenant_id_host"), ["tenant_id", "host"]
        )
        batch_op.create_index(
            "uq_domains_verified_host",
            ["host"],
            unique=True,
            sqlite_where=sa.text("verified_at IS NOT NULL"),
            postgresql_where=sa.text("verified_at IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("domains", schema=None) as batch_op:
        batch_op.drop_index("uq_domains_verified_host")
        batch_op.drop_constraint(batch_op.f("uq_domains_tenant_id_host"), type_="unique")
        batch_op.create_index(batch_op.f("ix_domains_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_domains_host"), ["host"])
        batch_op.drop_column("verify_token")
