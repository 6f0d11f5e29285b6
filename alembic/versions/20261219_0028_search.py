"""search within a blog: a full-text index of public posts, per blog
(`core.content.search`)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-19 09:00:00

PostgreSQL: `posts.search_config` (the text-search configuration, from the blog's
language at save time; 'simple' for every existing post) and `search_vector`
(title, excerpt, then the body's first BODY_INDEXED characters, weighted in that
order; a tsvector is limited to 1 MB and a body may hold a million characters),
indexed by GIN after `tenant_id` (btree_gin), so one blog's search reads only its
own postings. A trigger computes the vector whenever a post is written; existing
posts get theirs in batches and the index is built CONCURRENTLY
(`core.migration_steps`). A STORED generated column would compute the same, but
adding one rewrites the whole table under a lock that blocks every read.

SQLite: an FTS5 table `posts_fts` over the same columns (external content: the
text stays in `posts`), with `tenant_id`, kept in step with `posts` by triggers, so
every way a post changes (editor, import, scheduler, delete, purge) updates it.
A later batch migration that rebuilds `posts` on SQLite drops these triggers: it
must create them again (`sqlite_triggers`).

A post whose slug was "search" (now the search page's address) moves to
"search-post-<id>"; the downgrade leaves it there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from inkwell.platform.core.migration_steps import create_index, update_in_batches

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BODY_INDEXED = 200_000


def vector(row: str = "") -> str:
    """A post's weighted vector, of its columns prefixed with `row` ("NEW." in the trigger)."""
    config = f"{row}search_config"
    return (
        f"setweight(to_tsvector({config}, {row}title), 'A')"
        f" || setweight(to_tsvector({config}, {row}excerpt), 'B')"
        f" || setweight(to_tsvector({config}, left({row}body_md, {BODY_INDEXED})), 'C')"
    )


FTS_COLUMNS = "title, excerpt, body_md"


# FTS5's external-content recipe: a changed row is taken out with its old text
# ('delete' and the old values) and put back with the new.
_PUT = "INSERT INTO posts_fts(rowid, title, excerpt, body_md, tenant_id) VALUES"
_TAKE = "INSERT INTO posts_fts(posts_fts, rowid, title, excerpt, body_md, tenant_id) VALUES"
_OLD = "('delete', old.id, old.title, old.excerpt, old.body_md, old.tenant_id);"
_NEW = "(new.id, new.title, new.excerpt, new.body_md, new.tenant_id);"


def sqlite_triggers() -> list[str]:
    """The statements that keep `posts_fts` in step with `posts`."""
    return [
        " ".join(["CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN", _PUT, _NEW, "END"]),
        " ".join(["CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN", _TAKE, _OLD, "END"]),
        " ".join([
            "CREATE TRIGGER posts_fts_update AFTER UPDATE OF title, excerpt, body_md, tenant_id",
            "ON posts BEGIN", _TAKE, _OLD, _PUT, _NEW, "END",
        ]),
    ]  # fmt: skip


def upgrade() -> None:
    op.execute(
        "UPDATE posts SET slug = 'search-post-' || CAST(id AS VARCHAR(20)) WHERE slug = 'search'"
    )
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


# The trigger's function: the vector of the row being written.
VECTOR_FUNCTION = f"""
CREATE OR REPLACE FUNCTION inkwell_posts_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := {vector("NEW.")};
    RETURN NEW;
END $$
"""
VECTOR_TRIGGER = (
    "CREATE TRIGGER posts_search_vector BEFORE INSERT OR UPDATE OF"
    " title, excerpt, body_md, search_config ON posts"
    " FOR EACH ROW EXECUTE FUNCTION inkwell_posts_search_vector()"
)
posts = sa.table("posts", sa.column("id", sa.Integer), sa.column("search_vector"))


def _upgrade_postgresql() -> None:
    # Each step may run again after an upgrade stopped in the batches.
    # A constant default and a column without one: no rewrite of the table.
    op.execute(
        "ALTER TABLE posts ADD COLUMN IF NOT EXISTS search_config regconfig"
        " NOT NULL DEFAULT 'simple'::regconfig,"
        " ADD COLUMN IF NOT EXISTS search_vector tsvector"
    )
    op.execute(VECTOR_FUNCTION)
    op.execute("DROP TRIGGER IF EXISTS posts_search_vector ON posts")
    op.execute(VECTOR_TRIGGER)
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    # The trigger is committed first: posts written from now on have their vector.
    update_in_batches(
        sa.update(posts)
        .where(posts.c.search_vector.is_(None))
        .values(search_vector=sa.literal_column(vector())),
        posts.c.id,
    )
    create_index("ix_posts_search", "posts", "USING gin (tenant_id, search_vector)")


def _upgrade_sqlite() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_config", sa.String(64), server_default="simple", nullable=False)
        )
    op.execute(
        f"CREATE VIRTUAL TABLE posts_fts USING fts5({FTS_COLUMNS}, tenant_id UNINDEXED,"
        " content='posts', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    for statement in sqlite_triggers():
        op.execute(statement)
    op.execute("INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_posts_search")
        op.execute("DROP TRIGGER posts_search_vector ON posts")
        op.execute("DROP FUNCTION inkwell_posts_search_vector()")
        op.execute("ALTER TABLE posts DROP COLUMN search_vector")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER posts_fts_{trigger}")
        op.execute("DROP TABLE posts_fts")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("search_config")
