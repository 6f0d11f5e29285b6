"""blogs have a navigation the owners edit (`core.content.navigation`); the About
page becomes an ordinary page

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-19 09:00:00

`tenants.navigation` starts NULL: every blog shows the default links (Snippets,
About, Feed), as before. Each blog with a description and no post at `about` gets
a published page `about` titled "About", its body the description as Markdown,
rendered as a save renders it; /about/ then shows that page. Like migration 0014's
posts it gets no revision here: its first change records its state as "baseline".

Downgrade drops the column and keeps the pages: they are the owners' content now
(possibly edited since), and the older code's /about/ route shows the description
in front of them.
"""

from collections.abc import Sequence
from uuid import uuid4

import sqlalchemy as sa
from alembic import op

from inkwell.platform.core.content.rendering import RENDERER_VERSION, render_markdown
from inkwell.platform.core.types import UTCDateTime, utcnow

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

tenants = sa.table("tenants", sa.column("id", sa.Integer), sa.column("description", sa.Text))
memberships = sa.table(
    "memberships",
    sa.column("tenant_id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("role", sa.String),
)
posts = sa.table(
    "posts",
    *(sa.column(name, sa.Integer) for name in ("tenant_id", "author_id", "renderer_version")),
    *(sa.column(name, sa.Text) for name in ("slug", "title", "body_md", "body_html", "excerpt")),
    *(sa.column(name, UTCDateTime) for name in ("published_at", "content_updated_at")),
    *(sa.column(name, UTCDateTime) for name in ("created_at", "updated_at")),
    sa.column("uuid", sa.Uuid),
    sa.column("status", sa.String),
    sa.column("revision", sa.Integer),
    sa.column("is_page", sa.Boolean),
)
ABOUT = "about"


def upgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("navigation", sa.JSON(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # row-level security: this looks at every blog
        op.execute("SELECT set_config('inkwell.across_tenants', 'on', true)")
    taken = sa.select(posts.c.tenant_id).where(posts.c.slug == ABOUT)
    described = sa.select(tenants.c.id, tenants.c.description).where(
        sa.func.length(sa.func.trim(tenants.c.description)) > 0, tenants.c.id.not_in(taken)
    )
    now = utcnow()
    for tenant_id, description in bind.execute(described).all():
        body = description.replace("\r\n", "\n")
        op.execute(
            posts.insert().values(
                tenant_id=tenant_id, uuid=uuid4(), slug=ABOUT, title="About", body_md=body,
                body_html=render_markdown(body), renderer_version=RENDERER_VERSION, excerpt="",
                status="published", author_id=_first_owner(bind, tenant_id), published_at=now,
                content_updated_at=now, created_at=now, updated_at=now, revision=1, is_page=True,
            )
        )  # fmt: skip


def _first_owner(bind: sa.Connection, tenant_id: int) -> int | None:
    query = sa.select(memberships.c.user_id).where(
        memberships.c.tenant_id == tenant_id, memberships.c.role == "owner"
    )
    return bind.scalar(query.order_by(memberships.c.user_id).limit(1))


def downgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("navigation")
