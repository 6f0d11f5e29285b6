"""The `media` queue: make an uploaded image's files (`core.media.processing`).

The upload's view wrote the image's row and an outbox row in one transaction; the
task claims the outbox row (a redelivery does nothing) and the processing itself
only works on an image still "processing", so no image is processed twice. In the
embedded mode the relay runs it inline right after the upload's commit.
"""

import logging

from celery import shared_task
from flask import current_app

from inkwell.platform.core import outbox
from inkwell.platform.core.media import processing

log = logging.getLogger(__name__)


@shared_task(name=f"{__name__}.process_media")
def process_media(outbox_id: int, tenant_id: int, media_id: int) -> str | None:
    """Process one image; its state afterwards (None: another delivery has it)."""
    row = outbox.claim(outbox_id, lease_seconds=current_app.config["CELERY_TASK_TIME_LIMIT"])
    if row is None:
        return None
    try:
        state = processing.process(tenant_id, media_id)
    except Exception as error:
        # The store failed (StorageError) or the worker ran out of time: free the row
        # for the sweeper, which publishes it again later.
        log.warning("outbox %s: media %s not processed: %r", outbox_id, media_id, error)
        outbox.release(row, repr(error))
        raise
    outbox.finish(row)
    return state
