"""An upgrade as an operator runs it: while the schema is behind the code,
readiness fails and blog pages are 503s (not 500s); `inkwell db downgrade` takes
it back, after asking; `inkwell db current` says where it stands."""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from inkwell.platform.core import database

PREVIOUS = "0027"  # the migration before head: a schema one release behind


@contextmanager
def schema_at(app: Flask, revision: str) -> Iterator[None]:
    """The suite's database at `revision` for the block, at head again after it."""
    with app.app_context():
        database.downgrade(revision)
    try:
        yield
    finally:
        with app.app_context():
            database.upgrade("head")


def test_readiness_fails_while_migrations_are_pending(
    app, client, make_tenant, make_post, site_client
) -> None:
    alice = make_tenant("alice")
    make_post(alice, "Kettle", "Water.")
    reader = site_client(alice)
    assert client.get("/readyz").status_code == 200
    with app.app_context():
        head = database.head_revision()
    with schema_at(app, PREVIOUS):
        answer = client.get("/readyz")
        assert answer.status_code == 503
        assert f"database: migrations pending: {PREVIOUS} -> {head}\n" in answer.text
        assert client.get("/healthz").status_code == 200  # the process itself is fine
        # A blog's pages read columns the schema lacks: a 503 nginx answers from
        # the mirror, never a 500.
        page = reader.get("/kettle/")
        assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert client.get("/readyz").status_code == 200
    assert reader.get("/kettle/").status_code == 200


def test_a_blog_whose_host_lookup_meets_an_old_schema_answers_503(
    app, make_tenant, site_client
) -> None:
    reader = site_client(make_tenant("alice"))
    with schema_at(app, "0026"):  # blogs without their theme column, read by the lookup
        page = reader.get("/")
        assert page.status_code == 503 and page.headers["Cache-Control"] == "no-store"
    assert reader.get("/").status_code == 200


def test_readiness_is_checked_at_most_every_few_seconds(app, client, monkeypatch) -> None:
    asked = []
    original = database.database_revision
    monkeypatch.setattr(database, "database_revision", lambda: asked.append(1) or original())
    database._schema.clear()
    for _ in range(5):
        assert client.get("/readyz").status_code == 200
    assert len(asked) == 1


def test_cli_downgrade_asks_first_and_takes_the_schema_back(app) -> None:
    runner = app.test_cli_runner()
    with app.app_context():
        head = database.head_revision()
    refused = runner.invoke(args=["db", "downgrade", PREVIOUS], input="n\n")
    assert refused.exit_code == 1 and "Aborted" in refused.output
    assert f"from {head} to {PREVIOUS}?" in refused.output
    with app.app_context():
        assert database.database_revision() == head
    try:
        done = runner.invoke(args=["db", "downgrade", PREVIOUS, "--yes"])
        assert done.exit_code == 0, done.output
        assert f"is at revision {PREVIOUS}" in done.output
        current = runner.invoke(args=["db", "current"])
        assert f"revision {PREVIOUS}; code: {head} (migrations pending)" in current.output
    finally:
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert "(up to date)" in runner.invoke(args=["db", "current"]).output


def test_cli_downgrade_to_an_unknown_revision_says_so(app) -> None:
    result = app.test_cli_runner().invoke(args=["db", "downgrade", "9999", "--yes"])
    assert result.exit_code == 1
    assert "No migration '9999'" in result.output
    with app.app_context():
        assert database.database_revision() == database.head_revision()
