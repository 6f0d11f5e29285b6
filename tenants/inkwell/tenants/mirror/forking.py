"""Run work over forked processes that share the parent's memory (a blog read
into memory once), streaming each result back as it is made.

The parent only reads: each child gets every n-th item, runs `work` on them and
writes one JSON line per result to its pipe, then leaves with os._exit (no
cleanup of what it shares with the parent: sockets, files, database pools).
"""

import json
import os
import select
import signal
from collections.abc import Callable, Iterable, Iterator
from typing import Any


class ChildFailed(RuntimeError):
    """A child stopped with an error; the message is its error."""


def in_processes(
    items: list[Any], processes: int, work: Callable[[list[Any]], Iterable[Any]]
) -> Iterator[Any]:
    """The results of `work` over `items`, split across `processes` children."""
    children: dict[int, tuple[int, list[bytes]]] = {}  # pipe -> (pid, unfinished line)
    try:
        for n in range(processes):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read)
                _child(write, work, items[n::processes])
            os.close(write)
            children[read] = (pid, [b""])
        while children:
            ready, _, _ = select.select(list(children), [], [])
            for pipe in ready:
                yield from _lines(pipe, children)
    finally:
        for pipe, (pid, _) in children.items():
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(pipe)


def _lines(pipe: int, children: dict[int, tuple[int, list[bytes]]]) -> Iterator[Any]:
    pid, unfinished = children[pipe]
    data = os.read(pipe, 1 << 16)
    if not data:  # the child is done
        del children[pipe]
        os.close(pipe)
        _, status = os.waitpid(pid, 0)
        if status != 0:
            raise ChildFailed(f"a build process ended with status {status}")
        return
    *lines, unfinished[0] = (unfinished[0] + data).split(b"\n")
    for line in lines:
        record = json.loads(line)
        if "error" in record:
            raise ChildFailed(record["error"])
        yield record["result"]


def _child(pipe: int, work: Callable[[list[Any]], Iterable[Any]], items: list[Any]) -> None:
    status = 0
    with os.fdopen(pipe, "w") as out:
        try:
            for result in work(items):
                out.write(json.dumps({"result": result}) + "\n")
                out.flush()
        except BaseException as error:
            out.write(json.dumps({"error": f"{type(error).__name__}: {error}"}) + "\n")
            status = 1
    os._exit(status)
