"""Hot pages in process memory in front of Redis (`tenants.hot_pages`): hits with
Redis stopped, new versions after an edit, a byte bound, one blog per key, and
nothing of the dashboard."""

from collections.abc import Callable
from threading import Thread
from typing import Any

import pytest
from flask import Flask

from fixtures.app import HostClient
from inkwell.tenants.hot_pages import HotPages, hot_pages, page_size


@pytest.fixture
def memory_app(app, app_factory, own_redis) -> Flask:
    """The whole app with Redis of its own and 1 MB of hot pages per process."""
    return app_factory(REDIS_URL=own_redis.url, PAGE_MEMORY_CACHE_BYTES=1_000_000)


def reader(memory_app: Flask, sub: str) -> HostClient:
    return HostClient(memory_app, f"{sub}.blogs.test")


def site_hot_pages(memory_app: Flask) -> HotPages:
    return hot_pages(memory_app.extensions["inkwell.site_app"])


def test_a_hot_page_is_served_with_redis_stopped(
    memory_app, make_tenant, make_post, own_redis
) -> None:
    blog = make_tenant("alice")
    make_post(blog, "Hello", "Hello from memory")
    browser = reader(memory_app, "alice")
    assert browser.get("/hello/").headers["X-Cache"] == "miss"
    own_redis.stop()
    for _ in range(3):
        answer = browser.get("/hello/")
        assert answer.status_code == 200 and answer.headers["X-Cache"] == "hit"
        assert "Hello from memory" in answer.text


def test_an_edit_is_served_at_once(
    memory_app, make_tenant, make_post, change_blog, own_redis
) -> None:
    blog = make_tenant("alice")
    browser = reader(memory_app, "alice")
    browser.get("/")
    own_redis.stop()  # the memory copy alone could answer: it must not, after the edit
    change_blog(blog, title="Alice Renamed")
    fresh = browser.get("/")
    assert fresh.headers["X-Cache"] == "miss" and "Alice Renamed" in fresh.text
    again = browser.get("/")
    assert again.headers["X-Cache"] == "hit" and "Alice Renamed" in again.text


def test_each_blog_gets_its_own_copy(memory_app, make_tenant, make_post, own_redis) -> None:
    for name in ("alice", "bob"):
        make_post(make_tenant(name), "Hello", f"{name} says hello")
        reader(memory_app, name).get("/hello/")
    own_redis.stop()
    for name, other in (("alice", "bob"), ("bob", "alice")):
        answer = reader(memory_app, name).get("/hello/")
        assert answer.headers["X-Cache"] == "hit"
        assert f"{name} says hello" in answer.text and f"{other} says" not in answer.text


def test_no_dashboard_page_is_kept(memory_app, make_tenant) -> None:
    make_tenant("alice")
    reader(memory_app, "alice").get("/")
    kept = set(site_hot_pages(memory_app)._pages)
    dashboard = HostClient(memory_app, "app.test")
    for path in ("/login", "/signup", "/"):
        assert "X-Cache" not in dashboard.get(path).headers
    assert set(site_hot_pages(memory_app)._pages) == kept
    assert all(key.startswith("t:") for key in kept) and len(kept) == 1
    assert "inkwell.hot_pages" not in memory_app.extensions  # the dashboard app has none


def test_off_when_the_setting_is_zero(app, app_factory, own_redis, make_tenant) -> None:
    plain = app_factory(REDIS_URL=own_redis.url)  # the suite's 0
    make_tenant("alice")
    reader(plain, "alice").get("/")
    own_redis.stop()
    assert reader(plain, "alice").get("/").headers.get("X-Cache") != "hit"
    assert len(hot_pages(plain.extensions["inkwell.site_app"])) == 0


def page(n: int) -> tuple[bytes, str, None]:
    return (b"x" * n, "text/html", None)


def test_the_byte_bound_drops_the_least_recently_used() -> None:
    one = page_size("a", page(1000))
    pages = HotPages(3 * one)
    for key in "abc":
        pages.put(key, page(1000))
    assert pages.get("a") is not None  # now b is the least recently used
    pages.put("d", page(1000))
    assert pages.get("b") is None
    assert all(pages.get(key) is not None for key in "acd")
    assert pages.size == 3 * one <= pages.limit


def test_a_page_larger_than_the_bound_is_not_kept() -> None:
    pages = HotPages(10_000)
    pages.put("small", page(100))
    pages.put("huge", page(20_000))
    assert pages.get("huge") is None and pages.get("small") is not None


def test_replacing_a_key_counts_its_size_once() -> None:
    pages = HotPages(10_000)
    pages.put("a", page(100))
    pages.put("a", page(200))
    assert pages.size == page_size("a", page(200)) and len(pages) == 1


def test_threads_keep_the_bound() -> None:
    limit = 50 * page_size("k0000", page(500))
    pages = HotPages(limit)

    def fill(start: int) -> None:
        for n in range(start, start + 500):
            pages.put(f"k{n:04}", page(500))
            pages.get(f"k{n - 3:04}")

    threads = [Thread(target=fill, args=(n * 500,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert pages.size <= limit and len(pages) == 50
    assert pages.size == sum(page_size(k, v) for k, v in pages._pages.items())


def queries_of(app: Flask, ask: Callable[[], Any]) -> tuple[Any, list[str]]:
    """`ask()`'s answer and the SQL statements the site app sent for it."""
    from sqlalchemy import event

    from inkwell.platform.core.extensions import db

    with app.extensions["inkwell.site_app"].app_context():
        engine = db.engine
    statements: list[str] = []

    def capture(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        return ask(), statements
    finally:
        event.remove(engine, "before_cursor_execute", capture)


@pytest.mark.parametrize("with_about", [False, True])
def test_a_cold_post_page_costs_two_queries(
    app, make_tenant, make_post, site_client, with_about: bool
) -> None:
    # Nothing cached (the suite's NullCache, no memory, no remembered host): the
    # blog with its snippets flag and About page, then the post with its tags and
    # the recent block kept on the blog's row. A reader landing on an old post of a
    # quiet blog pays this (test_recent_posts: one query once the blog is known).
    blog = make_tenant("alice")
    for n in range(12):
        make_post(blog, f"Post {n}", "Some *text*", tags=["one", "two"])
    if with_about:
        make_post(blog, "About", "Who writes here")
    answer, statements = queries_of(app, lambda: site_client(blog).get("/post-3/"))
    assert answer.status_code == 200 and "Post 3" in answer.text
    assert ('href="/about/"' in answer.text) is with_about
    assert len(statements) == 2, statements
