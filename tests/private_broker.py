"""A Celery broker of this branch's own: database 12 of the shared Redis at
127.0.0.1:6379. Other suites run beside this one on other databases, so a worker
started here never takes their tasks, nor they ours."""

import redis

from conftest import unavailable

PRIVATE_BROKER = "redis://127.0.0.1:6379/12"


def emptied_broker() -> str:
    """The broker's URL, emptied so that no earlier run's task lingers in it."""
    client = redis.Redis.from_url(PRIVATE_BROKER, socket_connect_timeout=1)
    try:
        client.flushdb()
    except redis.ConnectionError:
        unavailable("no Redis at 127.0.0.1:6379")
    finally:
        client.close()
    return PRIVATE_BROKER
