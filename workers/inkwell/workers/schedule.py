"""Time-driven work on celery beat's schedule: scheduled posts go live,
mirror publishes start, deleted blogs past their grace period are purged, post
revisions are thinned and expired ones removed, unverified domain claims past
their lifetime are removed, nginx's mirror host map is kept current."""

from celery import shared_task
from flask import current_app

from inkwell.platform.core.administration import purge
from inkwell.platform.core.content import revision_retention
from inkwell.platform.core.content.posts import publish_due
from inkwell.platform.core.domains import expiry, nginx_map
from inkwell.workers import publish


@shared_task(name=f"{__name__}.publish_due_posts")
def publish_due_posts() -> int:
    """Publish the scheduled posts that are due; how many went live."""
    return publish_due()


@shared_task(name=f"{__name__}.dispatch_mirror_publishes")
def dispatch_mirror_publishes() -> int:
    """Send a publish task for each blog whose mirror has an open request."""
    return publish.dispatch(publish.send)


@shared_task(name=f"{__name__}.purge_deleted_blogs")
def purge_deleted_blogs() -> int:
    """Purge the deleted blogs whose grace period is over; how many."""
    return purge.purge_due()


@shared_task(name=f"{__name__}.prune_post_revisions")
def prune_post_revisions() -> int:
    """Thin old autosave revisions and remove deleted posts' expired ones; how many went."""
    return revision_retention.prune()


@shared_task(name=f"{__name__}.expire_domain_claims")
def expire_domain_claims() -> int:
    """Remove unverified domain claims older than DOMAIN_CLAIM_DAYS; how many."""
    return expiry.remove_expired()


@shared_task(name=f"{__name__}.write_nginx_map")
def write_nginx_map() -> bool:
    """Write nginx's host -> blog map to NGINX_MAP_PATH if it changed; whether it did."""
    return nginx_map.write_configured(current_app.config)
