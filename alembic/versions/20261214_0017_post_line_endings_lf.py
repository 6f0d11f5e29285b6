"""posts store LF line endings: bodies and excerpts saved from a browser (CRLF)
or with lone CRs are rewritten as `content.post_input` now stores them

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-14 09:00:00

Every way in now stores LF, so an unchanged post saved again from the browser
compares equal and keeps its `content_updated_at`. Rows stored before carry
CRLF; rewritten here once, rather than compared "normalised" forever after.
Readers see the same: Markdown reads CRLF as LF, and so does every XML parser,
so neither `content_version` nor `content_updated_at` moves.

Downgrade keeps LF: it is what the older code stored from imports too.
"""

from collections.abc import Sequence

import sqlalchemy as sa

from inkwell.platform.core.migration_steps import update_in_batches

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


posts = sa.table(
    "posts",
    sa.column("id", sa.Integer),
    sa.column("body_md", sa.Text),
    sa.column("excerpt", sa.Text),
)


def upgrade() -> None:
    for column in (posts.c.body_md, posts.c.excerpt):
        # CRLF first, so that what is left of CR stands alone.
        lf = sa.func.replace(sa.func.replace(column, "\r\n", "\n"), "\r", "\n")
        # In batches: readers of posts wait for no long transaction.
        update_in_batches(
            sa.update(posts).where(column.like("%\r%")).values({column: lf}), posts.c.id
        )


def downgrade() -> None:
    pass
