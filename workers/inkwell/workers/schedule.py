"""Time-driven work: scheduled posts go live (on celery beat's schedule)."""

from celery import shared_task

from inkwell.platform.core.posts import publish_due


@shared_task(name=f"{__name__}.publish_due_posts")
def publish_due_posts() -> int:
    """Publish the scheduled posts that are due; how many went live."""
    return publish_due()
