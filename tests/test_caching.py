"""Per-tenant page caching on real Redis: right blog, O(1) invalidation,
conditional GETs, and a dead or frozen Redis costs speed, never errors."""

import logging
import re
import time
from pathlib import Path

import pytest
from flask import Flask

from fixtures.app import HostClient, post_form
from inkwell.platform.core import settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cached_app(app, app_factory, own_redis) -> Flask:
    """The whole app with its page cache on our own Redis (database shared with `app`)."""
    return app_factory(REDIS_URL=own_redis.url)


def reader(cached_app: Flask, sub: str) -> HostClient:
    return HostClient(cached_app, f"{sub}.blogs.test")


def test_no_view_is_cached_by_path_alone() -> None:
    # Flask-Caching's default key is the path without the host: one blog's page for all.
    pattern = re.compile(r"@\w+\.(cached|memoize)\(")
    sources = [
        *ROOT.glob("platform/**/*.py"),
        *ROOT.glob("tenants/**/*.py"),
        *ROOT.glob("workers/**/*.py"),
    ]
    assert [str(p) for p in sources if pattern.search(p.read_text())] == []


def test_keys_carry_tenant_version_path_and_sorted_query(app, make_tenant) -> None:
    from inkwell.platform.core.caching import tenant_key
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant

    blog = make_tenant("alice")
    with app.app_context():
        tenant = db.session.get(Tenant, blog.id)
        key = tenant_key(tenant, "/page/2/", "b=2&a=1")
        assert key.startswith(f"t:{tenant.uuid}:v{tenant.content_version}:")
        assert key.endswith(":/page/2/?a=1&b=2")


def test_each_blog_gets_its_own_pages(cached_app, make_tenant, make_post) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    for blog in (alice, bob):
        for n in range(12):
            make_post(blog, f"{blog.subdomain} post {n}", tags=["shared"])
        make_post(blog, "Hello", f"{blog.subdomain} says hello")
    paths = ("/", "/page/2/", "/latest.atom", "/rss.xml", "/feed.json", "/hello/", "/tags/shared/")
    for path in (*paths, "/tags/shared/rss.xml", "/tags/shared/feed.json"):
        for blog in (alice, bob, alice, bob):
            other = "bob" if blog is alice else "alice"
            answer = reader(cached_app, blog.subdomain).get(path)
            assert answer.status_code == 200, path
            assert blog.subdomain in answer.text and f"{other} " not in answer.text, path
        assert reader(cached_app, "alice").get(path).headers["X-Cache"] == "hit", path


def test_publishing_invalidates_one_blog_only(
    cached_app, make_tenant, make_post, client, auth
) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    make_post(alice, "Old news")
    make_post(bob, "Bob's post")
    for blog in (alice, bob):
        reader(cached_app, blog.subdomain).get("/")
    auth.login(alice.owner_email)
    post_form(client, "/blogs/alice/posts/new", {"title": "Fresh news", "status": "published"})
    fresh = reader(cached_app, "alice").get("/")
    assert fresh.headers["X-Cache"] == "miss" and "Fresh news" in fresh.text
    assert reader(cached_app, "bob").get("/").headers["X-Cache"] == "hit"


def test_only_public_200s_are_cached(cached_app, make_tenant) -> None:
    make_tenant("alice")
    for _ in range(2):
        missing = reader(cached_app, "alice").get("/no-such-post/")
        assert missing.status_code == 404 and "X-Cache" not in missing.headers
    dashboard = HostClient(cached_app, "app.test").get("/login")
    assert "X-Cache" not in dashboard.headers
    assert "public" not in dashboard.headers.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/", "/latest.atom", "/rss.xml", "/feed.json"])
def test_conditional_get(cached_app, make_tenant, make_post, change_blog, path: str) -> None:
    blog = make_tenant("alice")
    make_post(blog, "Hello")
    browser = reader(cached_app, "alice")
    first = browser.get(path)
    etag = first.headers["ETag"]  # Last-Modified: see test_validators
    assert (
        "public" in first.headers["Cache-Control"]
        and "s-maxage=1" in first.headers["Cache-Control"]
    )
    again = browser.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    change_blog(blog, title="Renamed")
    changed = browser.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_stopped_redis_means_uncached_pages(cached_app, make_tenant, make_post, own_redis) -> None:
    make_tenant("alice")
    browser = reader(cached_app, "alice")
    browser.get("/")
    assert browser.get("/").headers["X-Cache"] == "hit"
    own_redis.stop()
    for _ in range(5):
        answer = browser.get("/")
        assert answer.status_code == 200 and answer.headers.get("X-Cache") != "hit"


def test_frozen_redis_costs_under_a_second(cached_app, make_tenant, own_redis, caplog) -> None:
    make_tenant("alice")
    browser = reader(cached_app, "alice")
    browser.get("/")
    own_redis.freeze()
    with caplog.at_level(logging.WARNING, logger="inkwell.platform.core.caching"):
        for _ in range(6):
            started = time.monotonic()
            assert browser.get("/").status_code == 200
            assert time.monotonic() - started < 1.0
    warnings = [r for r in caplog.records if "cache unavailable" in r.getMessage()]
    assert len(warnings) == 1  # logged once, not per request


def test_restarted_redis_serves_nothing_stale(
    cached_app, make_tenant, make_post, change_blog, own_redis, clock
) -> None:
    blog = make_tenant("alice")
    browser = reader(cached_app, "alice")
    assert "<title>Alice</title>" in browser.get("/").text
    own_redis.stop()
    change_blog(blog, title="Alice Renamed")  # while Redis is down
    own_redis.start()
    clock.advance(cached_app.config["CACHE_BREAKER_COOLDOWN"])  # past any breaker cooldown
    first = browser.get("/")
    assert "Alice Renamed" in first.text
    second = browser.get("/")
    assert second.headers["X-Cache"] == "hit" and "Alice Renamed" in second.text


def test_breaker_skips_redis_for_its_cooldown_then_tries_again(
    cached_app, own_redis, clock
) -> None:
    from inkwell.platform.core.caching import safe_cache

    cache = safe_cache(cached_app)
    cache.set("key", "before")
    assert cache.get("key") == "before"
    own_redis.stop()
    for _ in range(cached_app.config["CACHE_BREAKER_FAILURES"]):
        assert cache.get("key") is None  # an error each: the breaker opens
    own_redis.start()
    cache.backend.set("key", "after")  # Redis is back, but the breaker is open
    cooldown = cached_app.config["CACHE_BREAKER_COOLDOWN"]
    clock.advance(cooldown - 0.01)
    assert cache.get("key") is None
    clock.advance(0.02)
    assert cache.get("key") == "after"


def test_recent_posts_fragment_is_per_blog(cached_app, make_tenant, make_post) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    make_post(alice, "Alice one")
    make_post(bob, "Bob one")
    alice_page = reader(cached_app, "alice").get("/alice-one/").text
    bob_page = reader(cached_app, "bob").get("/bob-one/").text
    assert "Bob one" not in alice_page.split('class="recent"')[1]
    assert "Alice one" not in bob_page.split('class="recent"')[1]


def test_hits_skip_the_database_for_a_moment_then_see_changes(
    app, app_factory, own_redis, make_tenant, change_blog, clock
) -> None:
    # The fast path remembers a blog's content_version for TENANT_LOOKUP_TTL seconds
    # (the production default here; the suite's apps turn it off).
    remembering = app_factory(REDIS_URL=own_redis.url, TENANT_LOOKUP_TTL=settings.TENANT_LOOKUP_TTL)
    blog = make_tenant("alice")
    browser = reader(remembering, "alice")
    browser.get("/")
    assert browser.get("/").headers["X-Cache"] == "hit"
    change_blog(blog, title="Alice Renamed")
    clock.advance(settings.TENANT_LOOKUP_TTL - 0.01)
    assert "Alice Renamed" not in browser.get("/").text  # within the TTL: the page before
    clock.advance(0.02)
    assert "Alice Renamed" in browser.get("/").text


def test_a_page_looks_its_blog_up_once(app, make_tenant, make_post, site_client) -> None:
    # The fast path found the blog; the view renders with that row instead of asking again.
    from sqlalchemy import event

    from inkwell.platform.core.extensions import db

    blog = make_tenant("alice")
    make_post(blog, "Hello")
    with app.extensions["inkwell.site_app"].app_context():
        engine = db.engine
    lookups: list[str] = []

    def capture(_conn, _cursor, statement, *_args) -> None:
        if "FROM tenants" in statement:
            lookups.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        answer = site_client(blog).get("/hello/")
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert answer.headers["X-Cache"] == "miss" and "Hello" in answer.text
    assert len(lookups) == 1, lookups
