"""A flood of made-up Host headers at the site app (issue 22): database queries
per request, counted by a SQLAlchemy `before_cursor_execute` listener on the site
app's engine, and requests a second, on PostgreSQL with the production config.

The app is called in this process (Werkzeug's test client, one thread), so the
listener sees every statement; the rate is that of one Python thread including
the client's own work, not of gunicorn. Three floods:

- every request a host never seen (a scanner's random names): each costs its
  lookup, and the remembered hosts stay at MAX_REMEMBERED_HOSTS;
- `POOL` unknown hosts asked again and again within TENANT_LOOKUP_TTL of their
  first lookup: the target is 0 queries after the first for each host;
- the same pool for `STEADY_SECONDS`: one lookup per host per TTL.
"""

import gc
import random
import string
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench import services

DATABASE = "inkwell_bench_hosts"
REDIS_URL = "redis://127.0.0.1:6379/12"  # this bench's own database, flushed before and after
NEW_HOSTS, POOL, STEADY_SECONDS = 5_000, 20, 10.0


@dataclass
class Flood:
    name: str
    requests: int
    queries: int
    seconds: float

    @property
    def per_request(self) -> float:
        return self.queries / self.requests

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


@dataclass
class HostFigures:
    floods: list[Flood]
    ttl: float
    remembered: int  # hosts the cache holds after the floods
    bound: int  # MAX_REMEMBERED_HOSTS
    filling_mb: float  # memory left by the flood that filled the cache (tracemalloc)
    full_mb: float  # ... by as many more new hosts once it is full


def measure(tmp: Path) -> HostFigures:
    print("Unknown hosts flood...", flush=True)
    with (
        services.database(DATABASE) as url,
        services.redis_database(REDIS_URL) as redis_url,
    ):
        env = services.base_env(url, redis_url, tmp / "hosts-instance")
        services.inkwell(env, "db", "upgrade")
        services.inkwell(env, "users", "create", "hosts@example.com", "--password", "x" * 16)
        services.inkwell(env, "blogs", "create", "real", "--owner", "hosts@example.com")
        return _floods(env)


def _floods(env: dict[str, str]) -> HostFigures:
    import os

    from inkwell.platform.core.extensions import db
    from inkwell.platform.wsgi import create_app
    from inkwell.tenants.hosts import MAX_REMEMBERED_HOSTS

    os.environ.update(env)
    app = create_app()
    site = app.extensions["inkwell.site_app"]
    with site.app_context():
        engine = db.engine
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    client, ttl = app.test_client(), site.config["TENANT_LOOKUP_TTL"]
    rng = random.Random(22)
    _ask(client, "warm-up.example")  # the first request's imports and connections
    filling = _grown(lambda: _flood("", client, _made_up(rng, MAX_REMEMBERED_HOSTS), sent))
    floods = [_flood("every host new", client, _made_up(rng, NEW_HOSTS), sent)]
    full = _grown(lambda: _flood("", client, _made_up(rng, MAX_REMEMBERED_HOSTS), sent))
    pool = _made_up(rng, POOL)
    _flood("", client, pool, sent)  # their first lookups
    # As many rounds as fit in half the TTL at the rate measured: every request
    # then comes within the TTL of its host's first lookup.
    rounds = max(1, int(ttl / 2 * floods[0].rate / POOL))
    started = time.monotonic()
    floods.append(_flood(f"{POOL} hosts again, within the TTL", client, pool * rounds, sent))
    assert time.monotonic() - started < ttl, "the rounds outlasted the TTL: the machine slowed"
    steady, started = _flood("", client, [], sent), time.monotonic()
    while time.monotonic() - started < STEADY_SECONDS:
        more = _flood("", client, rng.sample(pool, len(pool)), sent)
        steady.requests, steady.queries = (
            steady.requests + more.requests,
            steady.queries + more.queries,
        )
    steady.name, steady.seconds = (
        f"{POOL} hosts for {STEADY_SECONDS:.0f} s",
        time.monotonic() - started,
    )
    floods.append(steady)
    remembered = len(site.extensions["inkwell.host_cache"].remembered)
    return HostFigures(floods, ttl, remembered, MAX_REMEMBERED_HOSTS, filling, full)


def _grown(run: Any) -> float:
    """MB of memory that `run()` left allocated (tracemalloc, after a collection)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    run()
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    return sum(stat.size_diff for stat in after.compare_to(before, "filename")) / 1e6


def _made_up(rng: random.Random, count: int) -> list[str]:
    return ["".join(rng.choices(string.ascii_lowercase, k=12)) + ".example" for _ in range(count)]


def _ask(client: Any, host: str) -> None:
    answer = client.get("/", headers={"Host": host})
    assert answer.status_code == 404, (host, answer.status_code)


def _flood(name: str, client: Any, hosts: list[str], sent: list[str]) -> Flood:
    first, started = len(sent), time.monotonic()
    for host in hosts:
        _ask(client, host)
    return Flood(name, len(hosts), len(sent) - first, time.monotonic() - started)


def section(f: HostFigures, date: str, load: str) -> str:
    rows = "\n".join(
        f"| {fl.name} | {fl.requests:,} | {fl.queries:,} | {fl.per_request:.4f} | {fl.rate:,.0f} |"
        for fl in f.floods
    )
    within = next(fl for fl in f.floods if "within" in fl.name)
    verdict = "met" if within.queries == 0 else f"missed: {within.per_request:.4f} a request"
    return f"""## Issue 22: unknown hosts

Requests with made-up Host headers at the site app, called in one process (Werkzeug's
test client, one thread: the rate is that thread's, not gunicorn's), production
config on PostgreSQL, TENANT_LOOKUP_TTL {f.ttl:g} s; statements counted by a
SQLAlchemy `before_cursor_execute` listener on the site app's engine. Measured
{date}, load average at start {load} (`bench/unknown_hosts.py`).

| Flood | Requests | Queries | Queries a request | Requests a second |
|---|---|---|---|---|
{rows}

- Target "0 queries after the first for each host within the TTL": {verdict}
  ({within.queries} queries for {within.requests:,} repeated requests).
- A new host costs its one lookup, a miss remembered for the TTL; so a pool of
  hosts costs one query per host per TTL, whatever the request rate.
- Memory stays bounded: `HostCache` holds at most MAX_REMEMBERED_HOSTS
  ({f.bound:,}) hosts, the least recently asked dropped first; after the floods it
  held {f.remembered:,}. Filling it with {f.bound:,} new hosts left {f.filling_mb:.1f} MB
  allocated (tracemalloc); as many more once full left {f.full_mb:.1f} MB, which this
  run does not attribute: the cache's entries are replaced, not added, so that is
  outside it (a longer flood would show whether anything else keeps growing).
"""


def summary(f: HostFigures) -> str:
    return "Unknown hosts: " + "; ".join(
        f"{fl.name}: {fl.per_request:.4f} queries/request, {fl.rate:,.0f} req/s" for fl in f.floods
    )
