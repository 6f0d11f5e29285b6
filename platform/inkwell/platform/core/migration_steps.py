"""Steps for migrations that touch big tables without blocking readers for long.

Each migration runs in its own transaction (`migration_env`). A single UPDATE of
every post would hold its rows, and any lock the migration took before it (an
ALTER TABLE's ACCESS EXCLUSIVE, which blocks every read), until the migration
commits: on 300,000 posts, 11 s of blog pages waiting. On PostgreSQL these steps
commit what the migration did so far and then work in short transactions of their
own: an UPDATE range by range of primary key, an index built CONCURRENTLY.

A migration using them is no longer atomic: an upgrade stopped in the middle
leaves its schema change committed and its revision not stamped, so the steps
and the DDL before them are written to be run again (`IF NOT EXISTS`, `WHERE ...
IS NULL`). On SQLite, which locks the whole file for any write anyway, and when
the caller passed a connection already inside a transaction (it asked for one
all-or-nothing run), each step is one plain statement.
"""

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import sqlalchemy as sa
from alembic import op

# Rows a batch updates: well under a second of work per commit, so a writer
# saving a post in the batch waits no longer; fewer, larger batches finish sooner.
BATCH_ROWS = 10_000


@contextmanager
def outside_transaction() -> Iterator[bool]:
    """Commit the migration so far and run the block's statements each on its own;
    yields whether they are (False: one plain transaction, see the docstring)."""
    context = op.get_context()
    # Alembic's own flag: the caller began the transaction, Alembic must not end it.
    external = getattr(context, "_in_external_transaction", False)
    alone = op.get_bind().dialect.name == "postgresql" and not external
    with context.autocommit_block() if alone else nullcontext():
        yield alone


def update_in_batches(statement: sa.Update, key: sa.ColumnElement[int]) -> None:
    """Run `statement` over the table range by range of its integer primary key
    `key`, each range committed on its own (PostgreSQL). A VACUUM after each
    range lets the next one reuse the space of the rows it replaced: the table
    grows by about a batch, not doubles as one UPDATE of every row made it."""
    with outside_transaction() as alone:
        bind = op.get_bind()  # inside the block: the autocommit connection
        if not alone:
            bind.execute(statement)
            return
        low, high = bind.execute(sa.select(sa.func.min(key), sa.func.max(key))).one()
        if low is None:
            return
        for start in range(low, high + 1, BATCH_ROWS):
            bind.execute(statement.where(key >= start, key < start + BATCH_ROWS))
            bind.execute(sa.text(f"VACUUM {statement.table.name}"))


def create_index(name: str, table: str, definition: str) -> None:
    """CREATE INDEX `name` ON `table` `definition`, CONCURRENTLY on PostgreSQL:
    writes go on while it builds (reads always do). A build stopped in the middle
    leaves an invalid index behind, dropped here before building again."""
    with outside_transaction() as alone:
        if not alone:
            op.execute(f"CREATE INDEX {name} ON {table} {definition}")
            return
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        op.execute(f"CREATE INDEX CONCURRENTLY {name} ON {table} {definition}")
