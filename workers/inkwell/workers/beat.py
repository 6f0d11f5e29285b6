"""celery beat's scheduler, quiet through a broker outage.

Celery's own logs a traceback for every due task it cannot send: with Redis
down that was a traceback every two seconds (1,578 lines in 30 s). This one
logs one line when sending first fails, and one when a send succeeds again,
saying how long the broker was away and how many sends were missed. The tasks
themselves lose nothing: each one's work is in the database (outbox rows,
publish requests, due posts) and the next run after the outage does it.
"""

import logging
import time
from typing import Any

from celery.beat import PersistentScheduler, ScheduleEntry

log = logging.getLogger(__name__)


class BrokerOutage:
    """Whether sends are failing; logs the change, not every failure."""

    def __init__(self) -> None:
        self.since: float | None = None
        self.missed = 0

    def failed(self, task: str, error: BaseException) -> None:
        self.missed += 1
        if self.since is None:
            self.since = time.monotonic()
            log.error(
                "broker unavailable, scheduled tasks wait until it is back (first: %s): %r",
                task,
                error,
            )

    def succeeded(self) -> None:
        if self.since is None:
            return
        seconds = time.monotonic() - self.since
        log.warning(
            "broker back after %.0f s; %d scheduled sends were missed, their work runs now",
            seconds,
            self.missed,
        )
        self.since, self.missed = None, 0


class QuietScheduler(PersistentScheduler):
    """PersistentScheduler (the default) that logs a broker outage once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.outage = BrokerOutage()
        super().__init__(*args, **kwargs)

    def apply_entry(self, entry: ScheduleEntry, producer: Any = None) -> None:
        try:
            self.apply_async(entry, producer=producer, advance=False)
        except Exception as error:  # celery's own catches all too: beat must keep ticking
            self.outage.failed(entry.task, error)
        else:
            self.outage.succeeded()
            log.debug("sent %s", entry.task)
