"""Host headers: a host and a port and nothing else, or 400 before any app or lookup."""

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from inkwell.platform.core.hosts import parse_host

MALFORMED = [
    "alice.blogs.test:80.evil",
    "alice.blogs.test:5000x",
    "alice.blogs.test :5000",
    "alice.blogs.test: 5000",
    "alice blogs.test",
    "a@alice.blogs.test",
    "alice.blogs.test@evil.example",
    "alice.blogs.test:80:80",
    "alice.blogs.test:",
    "alice.blogs.test:0",
    "alice.blogs.test:65536",
    "alice.blogs.test/x",
    "alice.blogs.test\\x",
    "alice..blogs.test",
    "alice.blogs.test..",
    "-alice.blogs.test",
    "alice_blog.blogs.test",
    "ålice.blogs.test",
    "::1",
    "[::1",
    "[::1]x",
    "[nonsense]:80",
    "app.test:5000x",  # the platform host, too
]


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Alice.Blogs.Test", "alice.blogs.test"),
        ("alice.blogs.test:5000", "alice.blogs.test"),
        ("alice.blogs.test.", "alice.blogs.test"),
        ("alice.blogs.test.:443", "alice.blogs.test"),
        ("  localhost:5000 ", "localhost"),
        ("127.0.0.1:8000", "127.0.0.1"),
        ("[::1]:5000", "[::1]"),
        ("[2001:DB8::1]", "[2001:db8::1]"),
        *((raw, None) for raw in MALFORMED),
    ],
)
def test_parse_host(raw: str, name: str | None) -> None:
    assert parse_host(raw) == name


@pytest.fixture
def statements(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement either app sends while the test runs."""
    from inkwell.platform.core.extensions import db

    sent: list[str] = []

    def capture(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    engines = []
    for each in (app, app.extensions["inkwell.site_app"]):
        with each.app_context():
            engines.append(db.engine)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", capture)
    yield sent
    for engine in engines:
        event.remove(engine, "before_cursor_execute", capture)


@pytest.mark.parametrize("host", MALFORMED)
def test_a_malformed_host_is_a_bad_request(
    app: Flask, make_tenant, statements: list[str], host: str
) -> None:
    make_tenant("alice")
    statements.clear()
    for method in ("GET", "POST"):
        answer = app.test_client().open("/", method=method, headers={"Host": host})
        assert answer.status_code == 400, (method, answer.status_code)
        assert "Host header must be a host name" in answer.text and "Alice" not in answer.text
    assert statements == []  # no blog looked up, nothing remembered


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("ALICE.blogs.test:8080", 200),
        ("alice.blogs.test.", 200),
        ("alice.blogs.test:443", 200),
        ("[::1]:5000", 404),
        ("127.0.0.1:8000", 404),
    ],
)
def test_well_formed_hosts_are_served_as_before(
    app: Flask, make_tenant, host: str, status: int
) -> None:
    make_tenant("alice")
    answer = app.test_client().get("/", headers={"Host": host})
    assert answer.status_code == status
    assert ("<title>Alice</title>" in answer.text) is (status == 200)


TTL = 30.0


@pytest.fixture
def remembering(app: Flask, app_factory, clock) -> tuple[Flask, Any, list[str]]:
    """An app whose site remembers hosts for TTL seconds of the stopped clock, and
    the SQL statements its site sends."""
    from inkwell.platform.core.extensions import db

    whole = app_factory(TENANT_LOOKUP_TTL=TTL)
    site = whole.extensions["inkwell.site_app"]
    sent: list[str] = []
    with site.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    return whole, clock, sent


def test_an_unknown_host_costs_one_lookup_per_ttl(remembering) -> None:
    whole, clock, statements = remembering
    browser = whole.test_client()
    for _ in range(20):
        for host in ("nobody.blogs.test", "NOBODY.blogs.test:8080", "nobody.blogs.test."):
            for method in ("GET", "HEAD", "POST"):
                answer = browser.open("/", method=method, headers={"Host": host})
                assert answer.status_code == 404
    assert len(statements) == 1, statements
    clock.advance(TTL)
    assert "No such blog" in browser.get("/", headers={"Host": "nobody.blogs.test"}).text
    assert len(statements) == 2


def test_a_new_blog_or_domain_is_found_within_the_ttl(app: Flask, remembering, make_tenant) -> None:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Domain
    from inkwell.platform.core.types import utcnow

    whole, clock, _ = remembering
    browser = whole.test_client()
    new, custom = {"Host": "newblog.blogs.test"}, {"Host": "www.newblog.example"}
    assert browser.get("/", headers=new).status_code == 404
    assert browser.get("/", headers=custom).status_code == 404
    blog = make_tenant("newblog")
    with app.app_context():
        db.session.add(Domain(tenant_id=blog.id, host="www.newblog.example", verified_at=utcnow()))
        db.session.commit()
    clock.advance(TTL - 1)
    assert browser.get("/", headers=new).status_code == 404  # the miss, remembered a while
    clock.advance(1)
    assert browser.get("/", headers=new).status_code == 200
    # The custom domain serves the blog, by a redirect to its primary host.
    assert browser.get("/", headers=custom).status_code == 301


def test_remembered_hosts_are_bounded(app: Flask, clock) -> None:
    from inkwell.tenants.hosts import HostCache

    hosts = HostCache(app.extensions["inkwell.site_app"], ttl=TTL, size=3)
    for n in range(50):
        assert hosts(f"random{n}.example") is None
        hosts("kept.example")  # asked all along: the least recently asked go first
    assert list(hosts.remembered) == ["random48.example", "random49.example", "kept.example"]
