"""One deployment, many hosts: the platform on APP_HOST, each blog on its own,
and anything else a 404 'no such blog' (fail closed)."""

import pytest
from flask import Flask
from sqlalchemy import update

from fixtures.app import platform_browser
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import host_name
from inkwell.platform.core.models import Domain, Tenant
from inkwell.platform.core.types import utcnow


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Alice.Blogs.Test", "alice.blogs.test"),
        ("alice.blogs.test:5000", "alice.blogs.test"),
        ("alice.blogs.test.", "alice.blogs.test"),
        ("[::1]:5000", "[::1]"),
        ("  localhost:5000 ", "localhost"),
    ],
)
def test_host_name(raw: str, name: str) -> None:
    assert host_name(raw) == name


def test_platform_host_serves_platform(client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "Start a blog" in page.text


def test_blog_host_serves_that_blog(make_tenant, site_client) -> None:
    blog = make_tenant("alice")
    page = site_client(blog).get("/")
    assert page.status_code == 200
    assert "<title>Alice</title>" in page.text


@pytest.mark.parametrize(
    "host", ["bob.blogs.test", "blogs.test", "127.0.0.1", "alice.blogs.test.evil.example", "x"]
)
def test_unknown_hosts_fail_closed(make_tenant, app: Flask, host: str) -> None:
    make_tenant("alice")
    page = app.test_client().get("/", headers={"Host": host})
    assert page.status_code == 404
    assert "No such blog" in page.text
    assert "Alice" not in page.text


def test_blog_host_ignores_port_and_case(make_tenant, app: Flask) -> None:
    make_tenant("alice")
    page = app.test_client().get("/", headers={"Host": "ALICE.blogs.test:8080"})
    assert page.status_code == 200


def test_platform_routes_do_not_answer_on_blog_hosts(make_tenant, site_client) -> None:
    reader = site_client(make_tenant("alice"))
    for path in ("/login", "/signup", "/dashboard/", "/readyz"):
        answer = reader.get(path, follow_redirects=True)
        assert answer.status_code == 404, path
        assert "csrf_token" not in answer.text


def test_custom_domain_answers_only_once_verified(make_tenant, app: Flask) -> None:
    blog = make_tenant("alice")
    with app.app_context():
        db.session.add(Domain(tenant_id=blog.id, host="www.alice.example"))
        db.session.commit()
    browser = app.test_client()
    assert browser.get("/", headers={"Host": "www.alice.example"}).status_code == 404
    with app.app_context():
        db.session.execute(update(Domain).values(verified_at=utcnow()))
        db.session.commit()
    # Verified, it serves the blog: by a redirect to the blog's primary host.
    answer = browser.get("/", headers={"Host": "www.alice.example"})
    assert (answer.status_code, answer.location) == (301, "http://alice.blogs.test/")


@pytest.mark.parametrize("status", ["suspended", "deleted"])
def test_inactive_blog_is_gone(make_tenant, site_client, app: Flask, status: str) -> None:
    blog = make_tenant("alice")
    with app.app_context():
        db.session.execute(update(Tenant).values(status=status))
        db.session.commit()
    gone = site_client(blog).get("/")
    assert gone.status_code == 410 and "This blog is not available" in gone.text


def test_health_probes(client) -> None:
    assert client.get("/healthz").text == "ok\n"
    assert client.get("/readyz").status_code == 200


def test_readyz_reports_a_dead_database(app_factory) -> None:
    browser = platform_browser(app_factory(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none"))
    assert browser.get("/readyz").status_code == 503
    assert browser.get("/healthz").status_code == 200


def test_proxy_fix_trusts_only_configured_hops(make_tenant, app_factory) -> None:
    make_tenant("alice")
    forwarded = {"X-Forwarded-Host": "alice.blogs.test", "Host": "internal:8000"}
    untrusting = app_factory().test_client()
    assert untrusting.get("/", headers=forwarded).status_code == 404
    trusting = app_factory(PROXY_FIX={"x_host": 1}).test_client()
    assert trusting.get("/", headers=forwarded).status_code == 200


def test_idle_pooled_connections_are_pinged_and_replaced(tmp_path) -> None:
    # The served site pings only after a quiet spell: a connection that died
    # meanwhile (a database restart) is replaced instead of failing a page.
    from sqlalchemy import create_engine

    from inkwell.platform.core.database import ping_when_idle

    engine = create_engine(f"sqlite:///{tmp_path / 'pool.db'}", pool_size=1)
    ping_when_idle(engine, 0)
    with engine.connect() as connection:
        first = connection.connection.dbapi_connection
    first.close()  # as the server would on a restart
    with engine.connect() as connection:
        assert connection.connection.dbapi_connection is not first
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1
