"""The blog index page's query at scale: 10,000 blogs and 1,000,000 posts.

The SQL is captured from the app itself (`page_of(1)` under a
tenant scope) and replayed for random blogs, so it is exactly what readers'
requests run, tenant criterion included.
"""

import random
import statistics
import time
from dataclasses import dataclass
from typing import Any

import psycopg2
from sqlalchemy import event

from inkwell.platform.core import tenancy
from inkwell.platform.core.app import create_base_app
from inkwell.platform.core.extensions import db
from inkwell.tenants.blog import page_of

BLOGS = 10_000
POSTS = 1_000_000
EXECUTIONS = 5_000

# The blogs, numbered 1 to %(blogs)s (the search bench's too).
BLOGS_SQL = """
SET synchronous_commit = off;
INSERT INTO tenants (uuid, subdomain, title, description, status, status_reason,
                     before_delete_status, before_delete_reason, signup_network,
                     content_version, code_style, comments_provider, comments_target,
                     created_at, updated_at)
SELECT gen_random_uuid(), 'blog' || n, 'Blog ' || n, '', 'active', '', '', '', '', 1,
       'default', 'none', '', now(), now()
FROM generate_series(1, %(blogs)s) AS n;
"""
# Status mix: mostly published, some drafts (no date), a few scheduled (future date).
LOAD_SQL = """
INSERT INTO posts (uuid, slug, title, body_md, body_html, renderer_version, excerpt, status,
                   tenant_id, published_at, content_updated_at, created_at, updated_at)
SELECT gen_random_uuid(), 'post-' || n, 'Post ' || n, 'Body ' || n, '<p>Body ' || n || '</p>',
       1, '', s.status, 1 + mod(n, %(blogs)s), s.published_at, s.published_at, now(), now()
FROM (
    SELECT n, r,
           CASE WHEN r < 0.90 THEN 'published' WHEN r < 0.97 THEN 'draft'
                ELSE 'scheduled' END AS status,
           CASE WHEN r < 0.90 THEN now() - random() * interval '5 years'
                WHEN r < 0.97 THEN NULL
                ELSE now() + random() * interval '30 days' END AS published_at
    FROM (SELECT n, random() AS r FROM generate_series(1, %(posts)s) AS n) AS numbered
) AS s;
ANALYZE;
"""
# The index the migrations create for this query (0004 added `id`, for the tiebreaker).
INDEX = "(tenant_id, status, published_at, id)"


@dataclass(frozen=True)
class QueryTiming:
    index: str
    median_ms: float
    p99_ms: float
    plan: str


def load(url: str) -> None:
    """Fill the (migrated, empty) database at `url` with blogs and posts."""
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(BLOGS_SQL, {"blogs": BLOGS})
        cursor.execute(LOAD_SQL, {"blogs": BLOGS, "posts": POSTS})


def measure(url: str, secret_key: str) -> list[QueryTiming]:
    """Time the page query on the index the migrations create."""
    statement, params = _page_query(url, secret_key)
    with psycopg2.connect(url) as connection:
        connection.autocommit = True
        with connection.cursor() as cursor:
            return [_time(cursor, statement, params, INDEX)]


def _page_query(url: str, secret_key: str) -> tuple[str, dict[str, Any]]:
    """The SQL and parameters of the first statement of an index page, as the app sends it."""
    app = create_base_app(__name__, {"DATABASE_URL": url, "SECRET_KEY": secret_key})
    sent: list[tuple[str, dict[str, Any]]] = []
    with app.app_context(), tenancy.tenant_scope(1):
        event.listen(db.engine, "before_cursor_execute", lambda *a: sent.append((a[2], a[3])))
        page_of(1)
        db.engine.dispose()
    # The page's rows come first; then the total for the pager and the posts' tags.
    return sent[0]


def _time(cursor: Any, statement: str, params: dict[str, Any], index: str) -> QueryTiming:
    rng = random.Random(7)
    tenant_keys = [key for key in params if key.startswith("tenant_id")]
    assert tenant_keys, f"no tenant criterion in {statement}"
    samples = []
    for _ in range(EXECUTIONS):
        tenant = dict.fromkeys(tenant_keys, rng.randint(1, BLOGS))
        started = time.perf_counter()
        cursor.execute(statement, {**params, **tenant})
        cursor.fetchall()
        samples.append((time.perf_counter() - started) * 1000)
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, {**params, **tenant})
    plan = "\n".join(row[0] for row in cursor.fetchall())
    samples.sort()
    return QueryTiming(index, statistics.median(samples), samples[int(len(samples) * 0.99)], plan)
