"""While the database cannot answer, readers and users get a 503 with Retry-After
and a small page that is not stored, never a 500; once it answers, pages again."""

import secrets
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg2
import pytest
from flask import Flask
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.pool import QueuePool
from werkzeug.test import TestResponse

BLOG = "http://alice.blogs.test/"
PLATFORM = "http://app.test/"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once it is closed


def postgres_url(app: Flask) -> str:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        # Not a missing service: this run is on SQLite, and `make test` runs it again on PostgreSQL.
        pytest.skip("ending a server's connections needs PostgreSQL")
    return url


def assert_unavailable(answer: TestResponse, what: str) -> None:
    assert answer.status_code == 503, (what, answer.status_code)
    assert answer.headers["Retry-After"] == "5", what
    assert answer.headers["Cache-Control"] == "no-store", what
    assert "X-Cache" not in answer.headers and "ETag" not in answer.headers, what


@pytest.fixture
def blog(make_tenant, make_post):
    alice = make_tenant("alice")
    make_post(alice, "Hello", "Hello from Alice")
    return alice


@pytest.fixture
def session_cookie(blog, client, auth) -> str:
    """The session cookie of alice, logged in on the platform."""
    auth.login(blog.owner_email)
    return client.get_cookie("session", domain="app.test").value


def test_an_unreachable_database_answers_503_not_500(app_factory, blog, session_cookie) -> None:
    # Same secret key and hosts as the suite's app, but its database is a closed port.
    down = app_factory(DATABASE_URL=f"postgresql://inkwell@127.0.0.1:{closed_port()}/test_down")
    reader = down.test_client()
    for path in ("/", "/hello/", "/page/2/", "/latest.atom", "/no-such-post/?junk=1"):
        answer = reader.get(path, base_url=BLOG)
        assert_unavailable(answer, path)
        assert "Back in a moment" in answer.text, path
    head = reader.head("/", base_url=BLOG)
    assert_unavailable(head, "HEAD /")
    assert head.data == b""
    # A logged-in user: loading them is the first query, also on a 404 page,
    # whose error handler renders the nav and so meets the database there.
    user = down.test_client()
    user.set_cookie("session", session_cookie, domain="app.test")
    for path in ("/dashboard/", "/blogs/alice/posts/", "/no-such-page/"):
        answer = user.get(path, base_url=PLATFORM)
        assert_unavailable(answer, path)
        assert "Back in a moment" in answer.text, path
    # The editor's scripts send JSON and show the error's message.
    script = user.get("/dashboard/", base_url=PLATFORM, json={})
    assert_unavailable(script, "JSON")
    assert "cannot reach its database" in script.json["error"]


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


def test_a_connection_dropped_after_the_last_statement_costs_no_page(app, app_factory) -> None:
    # The page is made; then closing the request's session fails on the dropped
    # connection, which Flask would let escape, for the server to answer 500.
    from inkwell.platform.core.extensions import db

    url = postgres_url(app)
    platform = app_factory()

    def drop_my_connection() -> str:
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        assert end_connections(url, "SELECT %s", pid) == 1
        return "made before the connection dropped"

    platform.add_url_rule("/drop-my-connection/", view_func=drop_my_connection)
    answer = platform.test_client().get("/drop-my-connection/", base_url=PLATFORM)
    assert (answer.status_code, answer.text) == (200, "made before the connection dropped")
    assert platform.test_client().get("/healthz", base_url=PLATFORM).status_code == 200


READERS = 3
ROUNDS = 3


def test_dropped_connections_under_load_answer_503_never_500(
    app, app_factory, blog, session_cookie
) -> None:
    """Readers and a logged-in user keep requesting while the server ends the
    app's connections, three times; every answer is the page or a proper 503."""
    url = postgres_url(app)
    name = f"inkwell-outage-{secrets.token_hex(4)}"
    served = app_factory(DATABASE_URL=with_application_name(url, name))
    answers: list[tuple[str, TestResponse]] = []
    errors: list[BaseException] = []
    running = threading.Barrier(READERS + 2)
    stop = threading.Event()
    expected = {"/": "Hello", "/hello/": "Hello from Alice", "/dashboard/": "alice"}

    def keep_reading(base_url: str, paths: list[str], cookie: str | None = None) -> None:
        browser = served.test_client()
        if cookie:
            browser.set_cookie("session", cookie, domain="app.test")
        running.wait()
        for n in range(2000):  # bounded; the main thread stops it far sooner
            if stop.is_set():
                return
            path = paths[n % len(paths)]
            try:
                answers.append((path, browser.get(path, base_url=base_url)))
            except Exception as error:  # with TESTING, a 500 would be raised here
                errors.append(error)
                return

    threads = [
        threading.Thread(target=keep_reading, args=(BLOG, ["/", "/hello/"])) for _ in range(READERS)
    ]
    threads.append(
        threading.Thread(target=keep_reading, args=(PLATFORM, ["/dashboard/"], session_cookie))
    )
    for thread in threads:
        thread.start()
    ended = 0
    try:
        running.wait(timeout=30)
        for _ in range(ROUNDS):
            seen = len(answers)
            for _ in range(1000):  # let the readers make some progress: at most 10 s
                if len(answers) >= seen + 2 * len(threads) or errors:
                    break
                time.sleep(0.01)
            ended += end_connections(url, NAMED, name)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []
    assert ended >= ROUNDS  # each round ended at least one of the app's connections
    statuses = [answer.status_code for _, answer in answers]
    assert set(statuses) <= {200, 503}, statuses
    for path, answer in answers:
        if answer.status_code == 503:
            assert_unavailable(answer, path)
        else:
            assert expected[path] in answer.text, path
    # Once a failure has made the pool replace its connections, pages again.
    reader = served.test_client()
    for _ in range(2):
        if reader.get("/hello/", base_url=BLOG).status_code == 200:
            break
    assert reader.get("/hello/", base_url=BLOG).status_code == 200
    print(
        f"\n{len(answers)} requests, {statuses.count(503)} answered 503, "
        f"{statuses.count(200)} 200; {ended} connections ended in {ROUNDS} rounds"
    )


def test_which_errors_mean_unavailable(tmp_path: Path) -> None:
    from inkwell.platform.core.outages import is_unavailable

    def error_of(action: Callable[[], object]) -> Exception:
        try:
            action()
        except Exception as error:
            return error
        raise AssertionError("no error")

    engine = create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
    # Mistakes are bugs, and stay 500s: SQLite calls a missing table "operational".
    with engine.connect() as connection:
        assert not is_unavailable(error_of(lambda: connection.execute(text("SELECT * FROM nope"))))
    with engine.connect() as connection:
        duplicate = error_of(lambda: connection.execute(text("INSERT INTO t VALUES (1)")))
        assert isinstance(duplicate, IntegrityError) and not is_unavailable(duplicate)
    assert not is_unavailable(ValueError("not the database"))
    # A database that cannot be opened, or no pooled connection in time, is an outage.
    missing = create_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite'}")
    assert is_unavailable(error_of(missing.connect))
    one = create_engine(
        f"sqlite:///{tmp_path / 'db.sqlite'}",
        poolclass=QueuePool, pool_size=1, max_overflow=0, pool_timeout=0.01,
    )  # fmt: skip
    with one.connect():
        assert is_unavailable(error_of(one.connect))
    for each in (engine, missing, one):
        each.dispose()
