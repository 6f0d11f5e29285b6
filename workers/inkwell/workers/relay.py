"""Publish outbox rows to the broker: the relay after each commit, the sweeper
for whatever the relay could not publish or whose task never finished.

The relay runs when the app context ends (after the request's response is
built, or a command's work), not in SQLAlchemy's after_commit hook: that hook
cannot use the session, and an inline task (embedded mode) must not run inside
the transaction machinery of the commit that enqueued it. A broker that is down
leaves rows unpublished; the sweeper publishes them once it is back.
"""

import logging
from datetime import timedelta

from celery import shared_task
from flask import Flask, current_app
from kombu.exceptions import KombuError

from inkwell.platform.core import outbox
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Outbox
from inkwell.platform.core.types import utcnow

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def _relay(_exc: BaseException | None) -> None:
        if ids := outbox.committed_ids():
            publish(outbox.pending(ids))


def publish(rows: list[Outbox]) -> int:
    """Send `rows` to the broker, oldest first; stop at the first broker failure."""
    work = [(row.id, row.task, dict(row.args)) for row in rows]
    db.session.rollback()  # end the read, so an inline task can write (SQLite locks)
    tasks, sent = current_app.extensions["celery"].tasks, []
    for outbox_id, task, args in work:
        try:
            tasks[task].apply_async(kwargs={**args, "outbox_id": outbox_id}, retry=False)
        except (KombuError, OSError) as error:
            log.warning("broker unavailable, outbox %s stays pending: %s", outbox_id, error)
            break
        sent.append(outbox_id)
    outbox.mark_published(sent)
    return len(sent)


def sweep(older_than: float | None = None) -> int:
    """Publish again rows not done `older_than` seconds (default OUTBOX_RETRY_AFTER)
    after they were last published; the count published."""
    seconds = current_app.config["OUTBOX_RETRY_AFTER"] if older_than is None else older_than
    return publish(outbox.pending(older_than=utcnow() - timedelta(seconds=seconds)))


@shared_task(name=f"{__name__}.sweep_outbox")
def sweep_outbox() -> int:
    """The sweeper on Celery beat's schedule (OUTBOX_SWEEP_INTERVAL)."""
    return sweep()
