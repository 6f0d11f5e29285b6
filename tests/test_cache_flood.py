"""Nobody outside chooses how many copies of a page the cache holds: made-up query
strings and spellings of a path are answered from the page's one entry, or not
stored; only the query parameters a view declares make pages of their own."""

import re
import secrets
from pathlib import Path

import pytest
from flask import Flask, g, request
from redis import Redis
from werkzeug.test import TestResponse

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def cached_app(app, app_factory, own_redis) -> Flask:
    """The whole app, its page cache on our own Redis (and nothing else there)."""
    return app_factory(REDIS_URL=own_redis.url)


@pytest.fixture
def stored(own_redis):
    """stored() -> how many entries the page cache holds."""
    client = Redis.from_url(own_redis.url)
    yield lambda: client.dbsize()
    client.close()


def read(app: Flask, url: str) -> TestResponse:
    return app.test_client().get(url, base_url="http://alice.blogs.test/")


@pytest.fixture
def blog(make_tenant, make_post):
    """alice, with two pages of posts (10 a page) and a post "hello"."""
    alice = make_tenant("alice")
    for n in range(11):
        make_post(alice, f"Post {n}")
    make_post(alice, "Hello", "Hello from Alice")
    return alice


def test_made_up_query_strings_add_no_cache_entries(cached_app, blog, stored) -> None:
    assert read(cached_app, "/").headers["X-Cache"] == "miss"
    assert read(cached_app, "/hello/").headers["X-Cache"] == "miss"
    entries = stored()  # both pages, and the post page's "recent posts" fragment
    home_etag = read(cached_app, "/").headers["ETag"]
    for n in range(200):
        junk = secrets.token_hex(8)
        path = "/hello/" if n % 4 == 0 else "/"
        answer = read(cached_app, f"{path}?junk={junk}&utm_source={junk}&{junk}")
        assert answer.status_code == 200 and answer.headers["X-Cache"] == "hit"
        assert ("Hello from Alice" if path == "/hello/" else "Post 10") in answer.text
    assert stored() == entries
    # The same page under any query: the same validator, so revalidation is a 304.
    again = read(cached_app, f"/?junk={secrets.token_hex(8)}")
    assert again.headers["ETag"] == home_etag
    conditional = cached_app.test_client().get(
        "/?other=1", base_url="http://alice.blogs.test/", headers={"If-None-Match": home_etag}
    )
    assert conditional.status_code == 304


def test_a_query_string_on_a_miss_stores_the_canonical_page(cached_app, blog, stored) -> None:
    first = read(cached_app, f"/page/2/?junk={secrets.token_hex(8)}")
    assert first.status_code == 200 and first.headers["X-Cache"] == "miss"
    assert read(cached_app, "/page/2/").headers["X-Cache"] == "hit"
    assert stored() == 1


def test_other_spellings_and_over_long_paths_are_not_stored(cached_app, blog, stored) -> None:
    # The int converter takes leading zeros: each spelling reaches the view of
    # /page/2/, and none may be a cache entry of its own. Other scripts' digits do
    # not match the route at all (`core.numbers`), and a 404 is not stored either.
    long_path = "/page/" + "0" * 600 + "2/"
    for path in ("/page/02/", long_path):
        for _ in range(2):
            answer = read(cached_app, path)
            assert answer.status_code == 200 and "Post 0" in answer.text, path
            assert "X-Cache" not in answer.headers, path
    assert read(cached_app, "/page/\u0662/").status_code == 404
    assert stored() == 0
    assert read(cached_app, "/page/2/").headers["X-Cache"] == "miss"
    assert read(cached_app, "/page/2/").headers["X-Cache"] == "hit"
    assert stored() == 1


def test_a_view_is_cached_per_parameter_it_declares(cached_app, blog, stored) -> None:
    from inkwell.tenants.page_cache import MAX_KEYED_LENGTH, reads_query

    @reads_query("order")
    def listing() -> str:
        # What the view can see of the query: its declared parameter, nothing else.
        return f"{g.tenant.subdomain}: order={request.args.get('order')} {sorted(request.args)}"

    cached_app.extensions["inkwell.site_app"].add_url_rule("/listing/", view_func=listing)
    first = read(cached_app, "/listing/?order=old&junk=1")
    assert first.headers["X-Cache"] == "miss"
    assert first.text == "alice: order=old ['order']"
    # Other parameters, their order and a repeated one change nothing: the first value counts.
    again = read(cached_app, "/listing/?junk=2&order=old&order=new")
    assert again.headers["X-Cache"] == "hit" and again.text == first.text
    other = read(cached_app, "/listing/?order=new")
    assert other.headers["X-Cache"] == "miss" and other.text == "alice: order=new ['order']"
    none = read(cached_app, "/listing/?junk=3")
    assert none.headers["X-Cache"] == "miss" and none.text == "alice: order=None []"
    assert stored() == 3
    long_value = "x" * MAX_KEYED_LENGTH
    for _ in range(2):
        answer = read(cached_app, f"/listing/?order={long_value}")
        assert answer.text == f"alice: order={long_value} ['order']"
        assert "X-Cache" not in answer.headers
    assert stored() == 3


def test_site_views_read_the_query_through_args_only() -> None:
    # request.args holds what a view declared; the raw query would bypass the key.
    raw = re.compile(r"request\.(query_string|full_path|url\b|base_url|values)|QUERY_STRING")
    site = ROOT / "tenants" / "inkwell" / "tenants"
    sources = [p for p in site.rglob("*") if p.suffix in (".py", ".html", ".xml")]
    # primary_host: the 301 to a blog's primary host passes the query on, uncached.
    allowed = ("page_cache.py", "primary_host.py")
    readers = [str(p) for p in sources if p.name not in allowed and raw.search(p.read_text())]
    assert readers == []
