"""Site apps for freezing, kept warm in the process between publishes.

A new app for every publish compiled every template and every SQL statement
again and opened new database connections: most of a small publish's time. The
process keeps the apps a publish is done with (at most IDLE_APPS, the least
recently used closed first) and hands one back to the next publish with the
same configuration. A publish has its app to itself: taking one removes it from
the pool, so two publishes of one process (threads of an inline publish) never
share one, and the freezer re-pins it (`hosts.pin`) to its blog and unpins it
before it goes back.
"""

import os
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

from inkwell.platform.core.extensions import db

IDLE_APPS = 2
Config = dict[str, Any]


class WarmApps:
    """Idle apps with the configuration each was made with."""

    def __init__(self, make: Callable[[Config], Flask], idle: int = IDLE_APPS) -> None:
        self.make, self.idle_max = make, idle
        self.idle: list[tuple[Config, Flask]] = []  # most recently used last
        self.lock = threading.Lock()
        # A forked child must not use the parent's pooled connections: it starts empty.
        os.register_at_fork(after_in_child=self.idle.clear)

    def take(self, config: Config) -> Flask:
        """An idle app made with `config` (equal values), or a new one."""
        with self.lock:
            for n, (made_with, app) in enumerate(reversed(self.idle)):
                if made_with == config:
                    del self.idle[len(self.idle) - 1 - n]
                    return app
        return self.make(config)

    def give_back(self, config: Config, app: Flask) -> None:
        """Keep `app` (made with `config`) for the next publish, closing the
        least recently used app beyond the bound."""
        with self.lock:
            self.idle.append((dict(config), app))
            closing = self.idle[: -self.idle_max]
            del self.idle[: -self.idle_max]
        for _config, old in closing:
            close(old)


def close(app: Flask) -> None:
    """Close the app's database connections."""
    with app.app_context():
        db.engine.dispose()
