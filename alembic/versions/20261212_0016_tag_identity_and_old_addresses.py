"""tags keep their identity (a key from the name, unique per blog) and posts and
tags keep their old addresses (post_aliases, tag_aliases), answered with 301s

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-12 09:00:00

`tags.key` is filled with `content.tags.tag_key(name)`. Tags were one per slug so
far, so two keys are equal only for names whose slugs differed though they fold
to one name (`Straße`, `STRASSE`): such tags are kept apart, as they were, the
later one's key suffixed with its id; a rename on the Tags page merges them if
the owner wants. Slugs stay as they are: they are the tags' addresses.
The new tables get the row-level security policy of migration 0010.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from inkwell.platform.core.content.tags import tag_key
from inkwell.platform.core.types import UTCDateTime

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALIASES = (("post_aliases", "post", "posts", 200), ("tag_aliases", "tag", "tags", 100))


def upgrade() -> None:
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=300), nullable=True))
    _fill_keys()
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.alter_column("key", existing_type=sa.String(length=300), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_tags_tenant_id_key"), ["tenant_id", "key"])
    for table, owner, owners, length in ALIASES:
        _create_aliases(table, owner, owners, length)


def _fill_keys() -> None:
    tags = sa.table(
        "tags", sa.column("id"), sa.column("tenant_id"), sa.column("name"), sa.column("key")
    )
    bind = op.get_bind()
    seen: set[tuple[int, str]] = set()
    rows = bind.execute(sa.select(tags.c.id, tags.c.tenant_id, tags.c.name).order_by(tags.c.id))
    for tag_id, tenant_id, name in rows.all():
        key = tag_key(name)
        if (tenant_id, key) in seen:
            key = f"{key} #{tag_id}"
        seen.add((tenant_id, key))
        bind.execute(sa.update(tags).where(tags.c.id == tag_id).values(key=key))


def _create_aliases(table: str, owner: str, owners: str, length: int) -> None:
    op.create_table(
        table,
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=length), nullable=False),
        sa.Column(f"{owner}_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", f"{owner}_id"],
            [f"{owners}.tenant_id", f"{owners}.id"],
            name=op.f(f"fk_{table}_tenant_id_{owner}_id_{owners}"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f(f"fk_{table}_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "slug", name=op.f(f"pk_{table}")),
    )
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f(f"ix_{table}_tenant_id_{owner}_id"),
            ["tenant_id", f"{owner}_id"],
            unique=False,
        )
    if op.get_bind().dialect.name == "postgresql":
        # As migration 0010 does for the other tenant tables.
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_scope ON {table}"
            " USING (inkwell_in_tenant_scope(tenant_id))"
            " WITH CHECK (inkwell_in_tenant_scope(tenant_id))"
        )


def downgrade() -> None:
    for table, *_ in reversed(ALIASES):
        op.drop_table(table)  # its policy goes with it
    with op.batch_alter_table("tags", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_tags_tenant_id_key"), type_="unique")
        batch_op.drop_column("key")
