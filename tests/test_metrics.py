"""/metrics on the app host: hidden without METRICS_TOKEN, behind it with one;
request, cache, queue, outbox, publish and mail figures."""

import redis
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert

from fixtures.app import BLOG_DOMAIN, HostClient, platform_browser
from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Outbox, PublishRun
from inkwell.platform.core.types import utcnow

TOKEN = "a-long-random-scrape-token"


def figures(app) -> dict[tuple[str, tuple], float]:
    """(sample name, sorted labels) -> value, as Prometheus would read them."""
    answer = platform_browser(app).get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def test_no_token_no_page_and_a_wrong_one_is_refused(client, app_factory) -> None:
    assert client.get("/metrics").status_code == 404
    guarded = platform_browser(app_factory(METRICS_TOKEN=TOKEN))
    assert guarded.get("/metrics").status_code == 401
    wrong = guarded.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "inkwell_" not in wrong.text


def test_blog_hosts_have_no_metrics(app_factory, make_tenant) -> None:
    app = app_factory(METRICS_TOKEN=TOKEN)
    make_tenant("alice")
    blog = HostClient(app, f"alice.{BLOG_DOMAIN}")
    answer = blog.get(
        "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, follow_redirects=True
    )  # to /metrics/, a post that is not there
    assert answer.status_code == 404 and "inkwell_" not in answer.text


def test_requests_and_cache_lookups_are_counted(app_factory, make_tenant, site_client) -> None:
    app = app_factory(METRICS_TOKEN=TOKEN)
    make_tenant("alice")
    requests = (
        "inkwell_http_requests_total",
        (("app", "site"), ("method", "GET"), ("status", "200")),
    )
    hits = ("inkwell_cache_lookups_total", (("result", "hit"),))
    before = figures(app)
    reader = site_client("alice")
    for _ in range(3):
        assert reader.get("/").status_code == 200
    after = figures(app)
    assert after[requests] - before.get(requests, 0) == 3
    assert after[hits] - before.get(hits, 0) >= 2  # the second and third were hits
    assert ("inkwell_http_request_duration_seconds_count", (("app", "site"),)) in after


def test_queues_outbox_mails_and_publishes(app_factory, make_tenant, own_redis) -> None:
    app = app_factory(METRICS_TOKEN=TOKEN, CELERY_BROKER_URL=own_redis.url)
    blog = make_tenant("alice")
    redis.Redis.from_url(own_redis.url).rpush("publish", "a task", "another")
    with app.app_context():
        # Rows as the worker leaves them (inserted as they are: no task is sent).
        task, now = "inkwell.workers.mail.send_account_mail", utcnow()
        rows = [
            {"key": "sent", "done_at": now, "last_error": ""},
            {"key": "failed", "done_at": now, "last_error": "not sent: 550"},
            {"key": "waiting", "done_at": None, "last_error": ""},
        ]
        db.session.execute(insert(Outbox), [{"task": task, "args": {}, **row} for row in rows])
        db.session.commit()
        with tenancy.tenant_scope(blog.id):
            db.session.add(PublishRun(tenant_id=blog.id, status="succeeded"))
            db.session.commit()
    seen = figures(app)
    assert seen[("inkwell_queue_tasks", (("queue", "publish"),))] == 2
    mails = {
        outcome: seen[
            ("inkwell_outbox_rows_total", (("outcome", outcome), ("task", "send_account_mail")))
        ]
        for outcome in ("done", "failed", "waiting")
    }
    assert mails == {"done": 1, "failed": 1, "waiting": 1}
    assert seen[("inkwell_publish_runs_total", (("status", "succeeded"),))] == 1
    assert seen[("inkwell_figures_up", (("source", "database"),))] == 1


def test_a_dead_database_leaves_its_figures_out(app_factory) -> None:
    app = app_factory(METRICS_TOKEN=TOKEN, DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    seen = figures(app)
    assert seen[("inkwell_figures_up", (("source", "database"),))] == 0
    assert not any(name.startswith("inkwell_outbox") for name, _ in seen)
