"""While the database cannot answer, readers and users get a 503 with Retry-After
and a small page that is not stored, never a 500; once it answers, pages again."""

import secrets
import time

import psycopg2
import pytest
from flask import Flask
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError


def postgres_url(app: Flask) -> str:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        # Not a missing service: this run is on SQLite, and `make test` runs it again on PostgreSQL.
        pytest.skip("ending a server's connections needs PostgreSQL")
    return url


def with_application_name(url: str, name: str) -> str:
    named = make_url(url).update_query_dict({"application_name": name})
    return named.render_as_string(hide_password=False)


def end_connections(url: str, pids_query: str, *args: object) -> int:
    """End the server connections whose pids `pids_query` selects, wait until they
    are gone, and say how many there were. The role may end its own backends."""
    plain = make_url(url).set(drivername="postgresql", query={})
    admin = psycopg2.connect(plain.render_as_string(hide_password=False))
    admin.autocommit = True
    try:
        cursor = admin.cursor()
        cursor.execute(pids_query, args)
        pids = [pid for (pid,) in cursor.fetchall()]
        cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s) AS pid", (pids,))
        for _ in range(500):  # bounded: at most 5 s
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", (pids,))
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.01)
    finally:
        admin.close()
    return len(pids)


NAMED = "SELECT pid FROM pg_stat_activity WHERE application_name = %s"


def test_a_dropped_connection_fails_with_the_drivers_error(app) -> None:
    # A rollback of a connection the server dropped must not raise instead of the
    # error that lost it. Row-level security's listeners (installed on every
    # Engine by the app fixture's app) once touched the dropped connection there.
    url = postgres_url(app)
    name = f"inkwell-dropped-{secrets.token_hex(4)}"
    engine = create_engine(with_application_name(url, name))
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            assert end_connections(url, NAMED, name) == 1
            with pytest.raises(OperationalError) as lost:
                connection.execute(text("SELECT 1"))
            assert lost.value.connection_invalidated
            connection.rollback()
            assert connection.execute(text("SELECT 1")).scalar() == 1  # a new connection
    finally:
        engine.dispose()
