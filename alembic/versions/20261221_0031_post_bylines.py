"""posts have a byline: the name of an author who is no member of the blog
(an import's), shown instead of a member's name

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-21 09:00:00

A nullable column without a default: no rewrite of `posts` on PostgreSQL. On
SQLite, ALTER TABLE in place, not a batch: a batch rebuilds `posts`, which drops
its FTS5 triggers (0028). Old addresses keep their stored form (a slug alias is
its own path without slashes, `content.alias_paths`), so `post_aliases` is as it was.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("posts", sa.Column("byline", sa.String(length=200), nullable=True))


def downgrade() -> None:
    # In place on SQLite too (3.35+), for the triggers' sake as above.
    op.execute("ALTER TABLE posts DROP COLUMN byline")
