"""The question an on-demand TLS server asks before it gets a certificate:
`/.well-known/inkwell/tls-allowed?domain=<host>`, 200 only for a verified domain of
an active blog (the platform's own hosts only when configured), on whatever Host
the server asks by, with reads only."""

import pytest
from flask import Flask
from sqlalchemy import event, update

from fixtures.app import APP_HOST

ASK = "/.well-known/inkwell/tls-allowed"


@pytest.fixture
def domains(make_tenant, add_domain) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    add_domain(alice, "blog.example.org", verified=True)
    add_domain(alice, "claimed.example.org")
    add_domain(bob, "xn--bcher-kva.example", verified=True)


def asked(app: Flask, domain: str, host: str = "127.0.0.1:8000") -> int:
    answer = app.test_client().get(ASK, query_string={"domain": domain}, headers={"Host": host})
    assert answer.headers["Cache-Control"] == "no-store"
    return answer.status_code


@pytest.mark.parametrize(
    ("domain", "status"),
    [
        ("blog.example.org", 200),
        ("BLOG.example.org.", 200),
        ("xn--bcher-kva.example", 200),
        ("claimed.example.org", 404),  # not verified
        ("nobody.example.org", 404),
        ("alice.blogs.test", 404),  # the platform's hosts: a wildcard certificate's
        (APP_HOST, 404),
        ("blog.example.org:443", 404),
        ("blog example.org", 404),
        ("", 404),
        ("a" * 300, 404),
    ],
)
def test_only_verified_domains_of_active_blogs_get_a_certificate(
    app: Flask, domains, domain: str, status: int
) -> None:
    assert asked(app, domain) == status
    assert asked(app, domain, host=APP_HOST) == status  # the same on the platform's host


def test_a_suspended_blogs_domains_get_none(app: Flask, domains) -> None:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant

    with app.app_context():
        db.session.execute(
            update(Tenant).where(Tenant.subdomain == "alice").values(status="suspended")
        )
        db.session.commit()
    assert asked(app, "blog.example.org") == 404
    assert asked(app, "xn--bcher-kva.example") == 200


def test_the_platforms_hosts_when_configured(app: Flask, domains, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "TLS_ASK_PLATFORM_HOSTS", True)
    assert asked(app, "alice.blogs.test") == 200
    assert asked(app, APP_HOST) == 200
    assert asked(app, "nobody.blogs.test") == 404


def test_asking_only_reads(app: Flask, domains) -> None:
    from inkwell.platform.core.extensions import db

    sent: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement: str, *_args) -> None:
        sent.append(statement.lstrip().split()[0].upper())

    event.listen(engine, "before_cursor_execute", record)
    try:
        for domain in ("blog.example.org", "claimed.example.org", "nobody.example.org"):
            asked(app, domain)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert sent and set(sent) == {"SELECT"}
