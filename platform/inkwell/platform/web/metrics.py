"""Prometheus figures at `/metrics` on the app host, with prometheus_client.

Not public: without METRICS_TOKEN the page does not exist (404); with it, a
scrape must send `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise), so
neither blog hosts nor strangers read it (blog hosts never reach this app).

What it shows:
- counted by each process (`core.metrics`): requests by app, method and status
  and their durations, cache lookups (hit, miss, unavailable); added up across
  gunicorn's workers when PROMETHEUS_MULTIPROC_DIR is set;
- read at each scrape (`JobFigures`): tasks waiting per queue, outbox rows per
  task and outcome (the mail tasks: sent, waiting, failed), publish runs per
  status. These come from the broker and the database, which the worker
  writes, so they count the worker's work without a scrape of the worker.

`Measured` wraps the WSGI app (both apps) to count every request, those the
site's fast path answers from the cache included.
"""

import hmac
import os
import time
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from inkwell.platform.core import metrics
from inkwell.platform.core.administration import job_health
from inkwell.platform.core.hosts import host_name
from inkwell.workers.queues import queue_lengths

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def scrape() -> Response:
    token = current_app.config["METRICS_TOKEN"]
    if not token:
        abort(404)
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(sent.encode(), token.encode()):
        return Response("a bearer token is needed\n", 401, {"WWW-Authenticate": "Bearer"})
    registry = CollectorRegistry()
    registry.register(JobFigures())
    body = _process_figures() + generate_latest(registry)
    headers = {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"}
    return Response(body, headers=headers)


def _process_figures() -> bytes:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return generate_latest(REGISTRY)  # this process alone
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return generate_latest(registry)


class JobFigures(Collector):
    """Queues, outbox and publishes, read when scraped. A database or broker that
    cannot answer leaves its figures out (and says so in inkwell_figures_up)."""

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "inkwell_figures_up", "Whether a source of figures answered.", labels=["source"]
        )
        if current_app.config["CELERY_BROKER_URL"]:  # none: tasks run inline, no queues
            yield from _queue_figures(up)
        try:
            yield from _database_figures()
            up.add_metric(["database"], 1)
        except SQLAlchemyError:
            up.add_metric(["database"], 0)
        yield up


def _queue_figures(up: GaugeMetricFamily) -> Iterator[Metric]:
    queues = queue_lengths()
    if isinstance(queues, dict):
        waiting = GaugeMetricFamily(
            "inkwell_queue_tasks", "Tasks waiting in a Celery queue.", labels=["queue"]
        )
        for queue, n in queues.items():
            waiting.add_metric([queue], n)
        yield waiting
    up.add_metric(["broker"], isinstance(queues, dict))


def _database_figures() -> Iterator[Metric]:
    outbox = CounterMetricFamily(
        "inkwell_outbox_rows",
        "Outbox rows by task (send_account_mail, send_invitation: mails) and outcome.",
        labels=["task", "outcome"],
    )
    for (task, outcome), n in sorted(job_health.outbox_by_outcome().items()):
        outbox.add_metric([task, outcome], n)
    publishes = CounterMetricFamily(
        "inkwell_publish_runs", "Mirror publishes by status.", labels=["status"]
    )
    for status, n in sorted(job_health.publishes_by_status().items()):
        publishes.add_metric([status], n)
    yield outbox
    yield publishes


class Measured:
    """WSGI middleware counting each request and timing it to its first byte."""

    def __init__(self, wsgi_app: Any, app_host: str) -> None:
        self.wsgi_app, self.app_host = wsgi_app, host_name(app_host)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        started = time.perf_counter()
        on_app_host = host_name(environ.get("HTTP_HOST") or "") == self.app_host
        app = "platform" if on_app_host else "site"
        method = metrics.method_label(environ.get("REQUEST_METHOD", ""))

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            metrics.REQUESTS.labels(app, method, status[:3]).inc()
            metrics.REQUEST_SECONDS.labels(app).observe(time.perf_counter() - started)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)
