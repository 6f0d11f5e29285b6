"""An upgrade on a big blog: while every migration from the first one runs over
100,000 posts, a reader on another connection is never kept waiting a second
and the table does not double (PostgreSQL only; SQLite locks the whole file for
any write by design)."""

import threading
import time
from collections.abc import Iterator

import psycopg2
import pytest
from flask import Flask
from sqlalchemy import make_url, text

from inkwell.platform.core import database
from inkwell.platform.core.extensions import db
from inkwell.platform.core.tenancy import across_tenants

POSTS = 100_000
LONGEST_READ = 1.0  # seconds

# Posts as the first release stored them; one in ten has CRLF line endings (0017).
OLD_POSTS = """
INSERT INTO posts (uuid, slug, title, body_md, body_html, renderer_version, excerpt,
                   status, published_at, tenant_id, created_at, updated_at)
SELECT gen_random_uuid(), 'post-' || n, 'Post ' || n,
       'Words about kettles, number ' || n || CASE WHEN n % 10 = 0 THEN E'\\r\\nmore' ELSE '' END,
       '<p>Words</p>', 1, '', 'published', now(), :tenant, now(), now()
FROM generate_series(1, :count) AS n
"""


def postgres_url(app: Flask) -> str:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        # Not a missing service: this run is on SQLite, and `make test` runs it again on PostgreSQL.
        pytest.skip("readers blocked by locks: a PostgreSQL matter")
    return url


class Reader(threading.Thread):
    """Reads a page of a blog's posts in a loop on its own connection, timing each read."""

    def __init__(self, url: str, tenant_id: int) -> None:
        super().__init__(daemon=True)
        self.url, self.tenant_id = url, tenant_id
        self.stop, self.reads, self.longest, self.errors = threading.Event(), 0, 0.0, []

    def run(self) -> None:
        connection = psycopg2.connect(
            make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False)
        )
        connection.autocommit = True  # each read its own transaction, as a web request's
        try:
            self._read(connection.cursor())
        finally:
            connection.close()

    def _read(self, cursor: "psycopg2.extensions.cursor") -> None:
        cursor.execute("SELECT set_config('inkwell.across_tenants', 'on', false)")
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                cursor.execute(
                    "SELECT id, title FROM posts WHERE tenant_id = %s ORDER BY id DESC LIMIT 20",
                    (self.tenant_id,),
                )
                cursor.fetchall()
            except psycopg2.Error as error:  # a read that fails is a finding too
                self.errors.append(str(error))
            self.longest = max(self.longest, time.monotonic() - started)
            self.reads += 1
            time.sleep(0.01)


@pytest.fixture
def big_blog(app, make_tenant) -> Iterator[int]:
    """A blog of POSTS posts in a database at the first migration; emptied at once
    afterwards (TRUNCATE: deleting row by row would take longer than the test)."""
    postgres_url(app)
    alice = make_tenant("alice")
    with app.app_context():
        database.downgrade("0001")
        with across_tenants(), db.engine.begin() as connection:
            connection.execute(text(OLD_POSTS), {"tenant": alice.id, "count": POSTS})
            connection.execute(text("ANALYZE posts"))
    try:
        yield alice.id
    finally:
        with app.app_context():
            database.upgrade("head")
            with db.engine.begin() as connection:
                connection.execute(text("TRUNCATE posts CASCADE"))


def test_upgrading_a_big_blog_never_blocks_its_readers(app, big_blog) -> None:
    size = "SELECT pg_table_size('posts')"
    with app.app_context(), db.engine.connect() as connection:
        before = connection.execute(text(size)).scalar()
    reader = Reader(postgres_url(app), big_blog)
    reader.start()
    started = time.monotonic()
    try:
        with app.app_context():
            database.upgrade("head")
    finally:
        reader.stop.set()
        reader.join()
    took = time.monotonic() - started
    print(f"upgrade {took:.1f} s, {reader.reads} reads, longest {reader.longest:.3f} s")
    assert not reader.errors, reader.errors[:3]
    assert reader.reads > 10
    assert reader.longest < LONGEST_READ
    # And the batches did all their work: every post indexed, LF, with its content time.
    with app.app_context(), across_tenants(), db.engine.connect() as connection:
        after = connection.execute(text(size)).scalar()
        print(f"posts {before / 2**20:.1f} MB before, {after / 2**20:.1f} MB after")
        # Two new columns' worth, not a second copy of every row (3.7 times without
        # the VACUUM between batches, 1.8 with it).
        assert after < 2 * before
        for condition, expected in (
            ("search_vector @@ to_tsquery('simple', 'kettles')", POSTS),
            ("body_md LIKE '%' || chr(13) || '%'", 0),
            ("content_updated_at IS NULL", 0),
        ):
            query = f"SELECT count(*) FROM posts WHERE {condition}"  # noqa: S608 - ours
            assert connection.execute(text(query)).scalar() == expected, condition
