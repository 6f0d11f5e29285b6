"""Every request has an id: taken from nginx or made, sent back, on every log
line with the host and the tenant, and on the error pages readers see."""

import io
import logging
import re

import pytest

from fixtures.app import APP_HOST, BLOG_DOMAIN, HostClient
from inkwell.platform.core import request_ids
from inkwell.platform.core.outages import RETRY_AFTER_SECONDS

DEAD_DATABASE = "postgresql://nobody@127.0.0.1:1/none"


@pytest.fixture
def log_lines():
    """The app's log lines in the production format, as text."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    request_ids.install(handler)
    root = logging.getLogger()
    root.addHandler(handler)
    # The level as production sets it: a worker started in-process by an earlier
    # test may have left the root logger at its own level.
    level = root.level
    root.setLevel(logging.INFO)
    yield lambda: stream.getvalue().splitlines()
    root.setLevel(level)
    root.removeHandler(handler)


def test_an_id_from_nginx_is_kept_and_a_missing_one_made(client) -> None:
    sent = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    assert client.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"] == sent
    made = {client.get("/healthz").headers["X-Request-ID"] for _ in range(2)}
    assert len(made) == 2 and all(re.fullmatch(r"[0-9a-f]{32}", rid) for rid in made)


@pytest.mark.parametrize("forged", ["x", "a b c d e f g h", 'id"=tenant=1', "9" * 65])
def test_an_id_that_could_forge_log_lines_is_replaced(client, forged: str) -> None:
    rid = client.get("/healthz", headers={"X-Request-ID": forged}).headers["X-Request-ID"]
    assert rid != forged and re.fullmatch(r"[0-9a-f]{32}", rid)


def test_a_blog_answer_names_its_tenant_for_the_access_log(make_tenant, site_client) -> None:
    blog = make_tenant("alice")
    reader = site_client(blog)
    first, cached = reader.get("/"), reader.get("/")  # a view, then the fast path
    assert first.headers["X-Inkwell-Tenant"] == cached.headers["X-Inkwell-Tenant"] == str(blog.id)
    assert "X-Inkwell-Tenant" not in site_client("nobody").get("/").headers


def test_a_refused_form_is_logged_with_its_reason_and_request(
    client, auth, make_tenant, log_lines
) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    answer = client.post(
        "/blogs/alice/snippets/new", data={"title": "x"}, headers={"X-Request-ID": "req-12345678"}
    )
    assert answer.status_code == 400  # no CSRF token
    line = next(line for line in log_lines() if "CSRF check failed" in line)
    assert f"request=req-12345678 host={APP_HOST} " in line
    assert "The CSRF token is missing." in line  # the cause, for the operator


def test_a_failing_page_logs_its_blog_and_shows_the_request_id(
    app, make_tenant, site_client, monkeypatch, log_lines
) -> None:
    blog = make_tenant("alice")

    def broken(_page: int) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("inkwell.tenants.blog.page_of", broken)
    app.extensions["inkwell.site_app"].config["PROPAGATE_EXCEPTIONS"] = False
    answer = site_client(blog).get("/", headers={"X-Request-ID": "req-87654321"})
    assert answer.status_code == 500 and "Request id: <code>req-87654321</code>" in answer.text
    line = next(line for line in log_lines() if "a bug" in line or "Exception on" in line)
    assert f"request=req-87654321 host=alice.{BLOG_DOMAIN} tenant={blog.id}" in line


def test_error_pages_show_the_request_id(client, app_factory) -> None:
    missing = client.get("/no-such-page", headers={"X-Request-ID": "abcdef0123456789"})
    assert missing.status_code == 404 and "abcdef0123456789" in missing.text
    down = HostClient(app_factory(DATABASE_URL=DEAD_DATABASE), f"alice.{BLOG_DOMAIN}")
    answer = down.get("/", headers={"X-Request-ID": "fedcba9876543210"})
    assert answer.status_code == 503 and answer.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "Request id: <code>fedcba9876543210</code>" in answer.text


def test_a_cross_site_refusal_is_logged_with_its_reason(client, log_lines) -> None:
    answer = client.post("/login", headers={"Origin": f"http://{APP_HOST}:8443"})
    assert answer.status_code == 403
    line = next(line for line in log_lines() if "cross-site" in line)
    assert f"refused: Origin http://{APP_HOST}:8443 is not http://{APP_HOST}" in line


def test_the_worker_logs_in_the_same_shape(app) -> None:
    """Celery replaces the root logger's handlers when the worker starts: its
    setup signal gives them the context and the format (celery_app)."""
    from celery import signals

    import inkwell.workers.celery_app  # noqa: F401 - connects the signal handlers
    from inkwell.platform.core import tenancy

    stream = io.StringIO()
    logger = logging.getLogger("test.worker")
    logger.addHandler(logging.StreamHandler(stream))
    logger.propagate = False
    logger.setLevel(logging.INFO)  # whatever level earlier tests left the root at
    signals.after_setup_logger.send(sender=None, logger=logger, loglevel=logging.INFO,
                                    logfile=None, format="", colorize=False)  # fmt: skip
    with tenancy.tenant_scope(42):
        logger.warning("publish of alice: succeeded")
    assert "request=- host=- tenant=42 publish of alice: succeeded" in stream.getvalue()


def test_a_sent_mail_and_a_finished_publish_are_a_line_each(
    app, auth, make_tenant, make_post, mirror_root, caplog
) -> None:
    from fixtures.mirrors import publish

    caplog.set_level(logging.INFO, logger="inkwell.workers")
    auth.signup()  # the verification mail, sent inline (no broker here)
    sent = [r.getMessage() for r in caplog.records if "mail sent" in r.getMessage()]
    assert len(sent) == 1 and "Confirm your email address" in sent[0]
    assert "new@example.com" not in sent[0]  # no address in the logs
    blog = make_tenant("alice")
    make_post(blog, "Hello", "body")
    publish(app, blog.id)
    done = [r.getMessage() for r in caplog.records if r.getMessage().startswith("publish of")]
    assert len(done) == 1 and done[0].startswith("publish of alice: succeeded (full), pages ")
