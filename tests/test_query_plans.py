"""The blog index query, exactly as the app issues it, reads the composite index
in order: no sort, however many posts the platform holds."""

from datetime import timedelta

from sqlalchemy import event, insert, text

from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post
from inkwell.platform.core.types import utcnow

INDEX = "ix_posts_tenant_id_status_published_at_id"


def fill(app, blogs, per_blog: int) -> None:
    start = utcnow() - timedelta(days=365)
    with app.app_context(), tenancy.across_tenants():
        rows = [
            {"tenant_id": blog.id, "slug": f"p{n}", "title": f"P{n}", "status": status,
             "published_at": start + timedelta(hours=n)}
            for blog in blogs
            for n in range(per_blog)
            for status in ["published" if n % 5 else "draft"]
        ]  # fmt: skip
        db.session.execute(insert(Post), rows)
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def index_query(app, reader) -> tuple[str, object]:
    """The SELECT of posts the site app runs for `/`, with its parameters."""
    site = app.extensions["inkwell.site_app"]
    seen: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if "FROM posts" in statement and "ORDER BY posts.published_at DESC" in statement:
            seen.append((statement, parameters))

    with site.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        assert reader.get("/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(seen) == 1, seen
    return seen[0]


def test_index_page_query_uses_the_index_without_sorting(app, make_tenant, site_client) -> None:
    blogs = [make_tenant(f"blog{n:02}") for n in range(8)]
    fill(app, blogs, per_blog=600)
    statement, parameters = index_query(app, site_client(blogs[3]))
    site = app.extensions["inkwell.site_app"]
    with site.app_context(), db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            plan = "\n".join(
                r[0] for r in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
            )
            assert f"Index Scan Backward using {INDEX}" in plan, plan
            assert "Sort" not in plan, plan
        else:
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plan = "\n".join(str(r[-1]) for r in rows)
            assert f"USING INDEX {INDEX}" in plan, plan
            assert "TEMP B-TREE" not in plan, plan
