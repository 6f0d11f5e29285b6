"""HTTP load with wrk: one run's requests/s and latency percentiles, and the
median over alternating rounds (so a slow spell of the machine hits every target)."""

import re
import shutil
import statistics
import subprocess
from dataclasses import dataclass

THREADS, CONNECTIONS = 2, 50
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Target:
    """One thing to measure: a URL and the request headers that make it what it is,
    or a wrk Lua script that makes each request."""

    name: str
    url: str
    headers: tuple[str, ...]
    script: str | None = None


@dataclass(frozen=True)
class Figures:
    rps: float
    p50_ms: float
    p99_ms: float


def run_wrk(target: Target, seconds: float) -> Figures:
    """One wrk run; fails on any error or non-2xx/3xx answer, which would flatter the figures."""
    command = [shutil.which("wrk") or "wrk", f"-t{THREADS}", f"-c{CONNECTIONS}"]
    command += [f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for header in target.headers:
        command += ["-H", header]
    if target.script:
        command += ["-s", target.script]
    output = subprocess.run(
        [*command, target.url], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw errors for {target.name}:\n{output}")
    return Figures(
        rps=float(_match(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_latency(output, "50%"),
        p99_ms=_latency(output, "99%"),
    )


def _latency(output: str, percentile: str) -> float:
    value, unit = _match(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s)\s*$", output).groups()
    return float(value) * UNITS_MS[unit]


def _match(pattern: str, text: str) -> re.Match[str]:
    found = re.search(pattern, text, re.MULTILINE)
    if found is None:
        raise RuntimeError(f"no {pattern!r} in wrk's output:\n{text}")
    return found


def rounds(targets: list[Target], count: int, seconds: float) -> dict[str, Figures]:
    """`count` rounds over every target in turn; the median of each figure per target."""
    runs: dict[str, list[Figures]] = {t.name: [] for t in targets}
    for n in range(count):
        for target in targets:
            figures = run_wrk(target, seconds)
            runs[target.name].append(figures)
            print(f"  round {n + 1} {target.name:>9}: {_line(figures)}", flush=True)
    return {name: _median(results) for name, results in runs.items()}


def _median(results: list[Figures]) -> Figures:
    return Figures(
        rps=statistics.median(r.rps for r in results),
        p50_ms=statistics.median(r.p50_ms for r in results),
        p99_ms=statistics.median(r.p99_ms for r in results),
    )


def _line(figures: Figures) -> str:
    return f"{figures.rps:9.0f} req/s  p50 {figures.p50_ms:6.2f} ms  p99 {figures.p99_ms:6.2f} ms"
