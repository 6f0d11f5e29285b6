"""Probes for load balancers and orchestrators.

`/readyz` reports each dependency on a line of its own (`database: ok`,
`cache: unavailable: <why>`, ...). Only the REQUIRED ones decide the status:
without its database, or with its schema behind the code (`database: migrations
pending: 0027 -> 0028`), no page can be served (503); without Redis pages are
served uncached and mail and publishes wait in the database (outbox, publish
requests) until the broker is back, so taking every node out of the load
balancer for that would turn a slowdown into an outage. Those are reported,
for a monitor, and the answer stays 200.
"""

from collections.abc import Callable

import redis
from flask import Blueprint, current_app

from inkwell.platform.core.database import readiness

bp = Blueprint("health", __name__)

# Redis answers a PING in well under a millisecond: wait a second at most, so a
# hung Redis does not hold the probe past the balancer's timeout.
PROBE_TIMEOUT = 1.0

# A probe: whether the dependency answers, and a word or two on it.
Probe = Callable[[], tuple[bool, str]]


@bp.get("/healthz")
def healthz() -> tuple[str, int]:
    """The process is up."""
    return "ok\n", 200


@bp.get("/readyz")
def readyz() -> tuple[str, int, dict[str, str]]:
    """One line per dependency; 503 when a required one does not answer."""
    lines, ready = [], True
    for name, probe in PROBES.items():
        answers, text = probe()
        lines.append(f"{name}: {text}")
        ready = ready and (answers or name not in REQUIRED)
    return "\n".join(lines) + "\n", 200 if ready else 503, {"Cache-Control": "no-store"}


def _database() -> tuple[bool, str]:
    # Behind the code's schema, its pages fail as surely as without a database.
    problem = readiness()
    return (True, "ok") if problem is None else (False, problem)


def _redis(setting: str, absent: str) -> Probe:
    """A probe of the Redis at `setting`; `absent`: what its being unset means."""

    def probe() -> tuple[bool, str]:
        url = current_app.config[setting]
        if not url:
            return True, absent
        if not url.startswith(("redis://", "rediss://", "unix://")):
            return True, "not probed (not Redis)"
        client = redis.Redis.from_url(
            url, socket_timeout=PROBE_TIMEOUT, socket_connect_timeout=PROBE_TIMEOUT
        )
        try:
            client.ping()
        except (redis.RedisError, OSError) as error:
            return False, f"unavailable: {error}"
        finally:
            client.close()
        return True, "ok"

    return probe


# Name -> probe, in the order reported. Another check joins here (and REQUIRED
# if the app cannot serve without it).
PROBES: dict[str, Probe] = {
    "database": _database,
    "cache": _redis("REDIS_URL", "not configured: each process caches in memory"),
    "broker": _redis("CELERY_BROKER_URL", "not configured: tasks run inline"),
}
REQUIRED = {"database"}
