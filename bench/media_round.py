"""What one round of the media benchmark measures, whichever library does the
work (`media_pillow`, `media_vips`): the wall and CPU seconds of making the files
of the image named on the command line, and the process's peak memory, printed
as JSON. Imports no imaging library: each round runs in its library's venv."""

import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path


def peak_mb() -> float:
    """The process's peak resident memory so far (VmHWM): unlike getrusage's
    ru_maxrss, it starts afresh at exec, not with the bench process that forked it."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:", 1)[1].split()[0]) / 1024


def measure_round(make_files: Callable[[bytes], list[bytes]]) -> None:
    data = Path(sys.argv[1]).read_bytes()
    baseline = peak_mb()
    before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    files = make_files(data)
    wall, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    figures = {"wall": wall, "cpu": cpu, "peak_mb": peak_mb(), "baseline_mb": baseline}
    print(json.dumps({**figures, "files": len(files), "bytes": sum(map(len, files))}))
