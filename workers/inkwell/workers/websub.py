"""The WebSub ping (`core.publishing.websub` writes its outbox row): tell the hub
that a blog's feeds changed, so it fetches them and pushes them to subscribers.

The task claims its row, then POSTs `hub.mode=publish` and one `hub.url` per feed
(form-encoded; the blog's Atom, RSS and JSON feeds and those of every tag in use,
at most URLS_PER_PING a request) to WEBSUB_HUB_URL, URLs on the blog's primary
host. A ping is idempotent (the hub just fetches again), so a failure retries the
whole row: refused, timed out, a 5xx or 429 reply retry with growing, jittered
delays, the row held until the retry is due; any other 4xx is logged, not retried.
Nothing here can fail a save: the row committed with it and the ping runs after.
"""

import logging
import urllib.request
from urllib.error import HTTPError
from urllib.parse import urlencode

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from flask import current_app

from inkwell.platform.core import outbox, tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import blog_url
from inkwell.platform.core.models import Tenant
from inkwell.platform.core.publishing.websub import pings_for
from inkwell.tenants.content import Live
from inkwell.tenants.feed_model import feed_paths
from inkwell.workers.mail import backoff

log = logging.getLogger(__name__)

# Hubs cap a request's size; a blog with hundreds of tags pings in several.
URLS_PER_PING = 100


@shared_task(bind=True, name=f"{__name__}.ping_hub")
def ping_hub(self: Task, outbox_id: int, tenant_id: int) -> None:
    config = current_app.config
    row = outbox.claim(outbox_id, lease_seconds=config["CELERY_TASK_TIME_LIMIT"])
    if row is None:
        return  # done already, or another delivery holds it
    hub = config["WEBSUB_HUB_URL"]
    tenant = db.session.get(Tenant, tenant_id)
    if not hub or not pings_for(tenant):
        outbox.finish(row, error="no ping: no hub, or the blog is not public any more")
        return
    urls = feed_urls(tenant)
    db.session.rollback()  # no transaction open while waiting for the hub
    try:
        for start in range(0, len(urls), URLS_PER_PING):
            publish(hub, urls[start : start + URLS_PER_PING], config["WEBSUB_TIMEOUT"])
    except Exception as error:
        if not is_transient(error):
            log.error("outbox %s: hub refused the ping, not retried: %r", outbox_id, error)
            outbox.finish(row, error=f"not sent: {error!r}")
            return
        delay = backoff(self.request.retries, "WEBSUB")
        outbox.release(row, error=repr(error), held_for=delay)
        log.warning("outbox %s: hub ping failed (%r), retrying in %.1f s", outbox_id, error, delay)
        raise self.retry(
            exc=error, countdown=delay, max_retries=config["WEBSUB_MAX_RETRIES"]
        ) from error
    outbox.finish(row)


def feed_urls(tenant: Tenant) -> list[str]:
    """Absolute URLs of the blog's feeds and of each tag's with a public post."""
    with tenancy.tenant_scope(tenant.id):
        tags = [slug for slug, _newest in Live().tags_in_use()]
    paths = feed_paths() + [path for tag in tags for path in feed_paths(tag)]
    return [blog_url(tenant, path) for path in paths]


def publish(hub: str, urls: list[str], timeout: float) -> None:
    """One publish notification; raises on anything but a 2xx reply."""
    body = urlencode([("hub.mode", "publish")] + [("hub.url", url) for url in urls]).encode()
    # WEBSUB_HUB_URL is checked to be http(s) at startup (`core.config`).
    request = urllib.request.Request(hub, data=body, method="POST")  # noqa: S310
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
        answer.read()


def is_transient(error: Exception) -> bool:
    """Whether the same ping may succeed later."""
    if isinstance(error, HTTPError):
        return error.code >= 500 or error.code == 429
    return isinstance(error, OSError | SoftTimeLimitExceeded)  # refused, reset, timed out
