"""row-level security on tenant content (PostgreSQL): the backstop under the
ORM's tenant criteria, for statements that bypass them

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("posts", "tags", "post_tags", "snippets")
# The settings `inkwell.platform.core.row_security` keeps in line with the
# current tenant scope; unset or empty means no tenant: nothing is visible.
# A PL/pgSQL function, not the expression inline: the planner would estimate
# the inline OR as a second `tenant_id =` condition, so rare that it dropped
# the index page's ordered index scan for a bitmap scan and a sort; a function
# gets the default estimate of an opaque condition, and costs ~1 us a row.
IN_SCOPE_FUNCTION = """
CREATE FUNCTION inkwell_in_tenant_scope(row_tenant_id integer) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE COST 50 AS $$
BEGIN
    RETURN current_setting('inkwell.across_tenants', true) = 'on'
        OR row_tenant_id = nullif(current_setting('inkwell.tenant_id', true), '')::integer;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(IN_SCOPE_FUNCTION)
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        # FORCE: the policy binds the tables' owner too, the role apps usually run as.
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_scope ON {table}"
            " USING (inkwell_in_tenant_scope(tenant_id))"
            " WITH CHECK (inkwell_in_tenant_scope(tenant_id))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP POLICY tenant_scope ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.execute("DROP FUNCTION inkwell_in_tenant_scope(integer)")
