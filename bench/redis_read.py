"""What one cache read costs on this machine, outside any server: redis-py GETting
a value the size of a cached page, from one thread, as a hit does."""

import os
import time
from dataclasses import dataclass

import redis

KEY = "bench:redis-read"
READS = 5_000


@dataclass(frozen=True)
class RedisRead:
    wall_us: float  # per GET, the round trip included
    cpu_us: float  # per GET, this process's user and system time


def time_get(url: str, size: int) -> RedisRead:
    client = redis.Redis.from_url(url)
    client.set(KEY, os.urandom(size))
    try:
        client.get(KEY)  # connect outside the timing
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(READS):
            client.get(KEY)
        return RedisRead(
            wall_us=(time.perf_counter() - wall) / READS * 1e6,
            cpu_us=(time.process_time() - cpu) / READS * 1e6,
        )
    finally:
        client.delete(KEY)
        client.close()
