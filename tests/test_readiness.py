"""/readyz reports each dependency: the database decides readiness, the cache
and the broker are reported without taking the node out of the balancer."""

from fixtures.app import platform_browser

DEAD = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def report(app) -> tuple[int, dict[str, str]]:
    # Each test asks for the suite's `app` too: it migrates the database, and a
    # schema behind the code is not ready (test_upgrades).
    answer = platform_browser(app).get("/readyz")
    lines = dict(line.split(": ", 1) for line in answer.text.splitlines())
    return answer.status_code, lines


def test_every_dependency_answers(app, app_factory, own_redis) -> None:
    status, lines = report(app_factory(REDIS_URL=own_redis.url, CELERY_BROKER_URL=own_redis.url))
    assert status == 200
    assert lines == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_redis_down_is_reported_and_the_node_stays_ready(app, app_factory) -> None:
    status, lines = report(app_factory(REDIS_URL=DEAD, CELERY_BROKER_URL=DEAD))
    assert status == 200 and lines["database"] == "ok"
    assert lines["cache"].startswith("unavailable: ")
    assert lines["broker"].startswith("unavailable: ")


def test_without_redis_it_says_what_runs_instead(app, app_factory) -> None:
    status, lines = report(app_factory(REDIS_URL="", CELERY_BROKER_URL=""))
    assert status == 200
    assert lines["cache"] == "not configured: each process caches in memory"
    assert lines["broker"] == "not configured: tasks run inline"


def test_a_dead_database_makes_the_node_unready(app_factory) -> None:
    status, lines = report(app_factory(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none"))
    assert status == 503 and lines["database"] == "unavailable"
