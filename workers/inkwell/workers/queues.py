"""How many tasks wait in each Celery queue, for the console's job health.

kombu's Redis transport keeps each queue as Redis lists named after it: the
queue's name for the default priority, `<name>\\x06\\x16<step>` for the others.
"""

import redis
from flask import current_app
from kombu.transport.redis import PRIORITY_STEPS, Channel

QUEUES = ("mail", "publish", "media", "newsletter", "imports")


def queue_lengths() -> dict[str, int] | str:
    """Tasks waiting per queue, or a sentence saying why they cannot be counted."""
    config = current_app.config
    url, timeout = config["CELERY_BROKER_URL"], config["CELERY_BROKER_TIMEOUT"]
    if not url:
        return "no broker: tasks run inline"
    if not url.startswith(("redis://", "rediss://")):
        return "queue lengths are counted for a Redis broker only"
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        with client.pipeline(transaction=False) as pipe:
            for queue in QUEUES:
                for step in PRIORITY_STEPS:
                    pipe.llen(f"{queue}{Channel.sep}{step}" if step else queue)
            sizes = pipe.execute()
    except redis.RedisError as error:
        return f"broker unreachable: {error}"
    finally:
        client.close()
    per_queue = len(PRIORITY_STEPS)
    return {
        queue: sum(sizes[i * per_queue : (i + 1) * per_queue]) for i, queue in enumerate(QUEUES)
    }
