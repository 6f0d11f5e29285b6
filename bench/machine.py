"""What the figures were measured on: they mean little without it."""

import os
import platform
import re
import subprocess
from pathlib import Path

import psycopg2
import redis


def describe() -> dict[str, str]:
    """The machine itself; each part of the run adds the versions of its tools."""
    return {
        "CPUs (nproc)": str(os.cpu_count()),
        "CPU model": _cpuinfo("model name"),
        "memory": _memory(),
        "Python": platform.python_version(),
    }


def load_average() -> str:
    # Other worktrees share this machine: a busy machine explains noisy figures.
    return Path("/proc/loadavg").read_text().split(" ")[0]


def http_tools(postgres_url: str, redis_url: str, nginx: str) -> dict[str, str]:
    return {
        "PostgreSQL": postgres(postgres_url),
        "Redis": redis.Redis.from_url(redis_url).info("server")["redis_version"],
        "nginx": _version([nginx, "-v"], r"nginx/(\S+)"),
        "wrk": _version(["wrk", "-v"], r"wrk (\S+)"),
    }


def _cpuinfo(field: str) -> str:
    found = re.search(rf"^{field}\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
    return found.group(1) if found else "unknown"


def _memory() -> str:
    kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return f"{kib / 1024 / 1024:.1f} GiB"


def postgres(url: str) -> str:
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]
    finally:
        connection.close()


def _version(command: list[str], pattern: str) -> str:
    # Both tools print their version on stderr, and wrk exits non-zero doing so.
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    found = re.search(pattern, result.stdout + result.stderr)
    return found.group(1) if found else "unknown"
