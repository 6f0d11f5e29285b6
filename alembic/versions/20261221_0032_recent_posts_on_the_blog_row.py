"""blogs keep their "recent posts" block on their row (`tenants.recent_posts`,
`core.content.recent_posts`), so a cold post page reads it with the post

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-21 09:00:00

Every blog with listed posts gets its newest five ([slug, title], newest first, as
`listed_posts` orders them); the others keep the default, an empty list. Published
posts are never dated in the future (a future date is a schedule), so the status
says which are live. A tenant row is small: one UPDATE per blog, each its own
statement, never a rewrite of `posts`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from inkwell.platform.core.types import UTCDateTime

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECENT_POSTS = 5  # as core.content.recent_posts: a migration keeps the number it ran with

tenants = sa.table("tenants", sa.column("id", sa.Integer), sa.column("recent_posts", sa.JSON))
posts = sa.table(
    "posts",
    *(sa.column(name, sa.Integer) for name in ("id", "tenant_id")),
    *(sa.column(name, sa.Text) for name in ("slug", "title", "status")),
    sa.column("published_at", UTCDateTime),
    sa.column("is_page", sa.Boolean),
)


def upgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("recent_posts", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":  # row-level security: this looks at every blog
        op.execute("SELECT set_config('inkwell.across_tenants', 'on', true)")
    listed = sa.and_(posts.c.status == "published", posts.c.is_page.is_(False))
    with_posts = sa.select(posts.c.tenant_id).where(listed).distinct()
    for tenant_id in bind.scalars(with_posts.order_by(posts.c.tenant_id)).all():
        newest = (
            sa.select(posts.c.slug, posts.c.title)
            .where(listed, posts.c.tenant_id == tenant_id)
            .order_by(posts.c.published_at.desc(), posts.c.id.desc())
            .limit(RECENT_POSTS)
        )
        recent = [[slug, title] for slug, title in bind.execute(newest)]
        op.execute(tenants.update().where(tenants.c.id == tenant_id).values(recent_posts=recent))


def downgrade() -> None:
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("recent_posts")
