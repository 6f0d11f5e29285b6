"""How long post revisions stay; run by the periodic job (`prune`: celery beat
every TENANT_PURGE_INTERVAL, or `inkwell scheduler`), never per request.

- Every revision but autosaves (saves, publishes, restores, imports, the
  scheduler's, deletes, baselines) stays as long as its post does.
- Autosaves of the last day all stay: they are already at most one per person
  every few minutes (`revisions.AUTOSAVE_COALESCE`).
- Older autosaves keep at most one per post, person and UTC day: the day's last.
- Autosaves older than 30 days go once a later revision of another kind follows
  them: the post's words were kept on purpose after them.
- So a post's latest revision, the text it was left with, never goes while the
  post exists.
- A deleted post's revisions go once `expires_at` passes: the blog's delete grace
  period (TENANT_DELETE_GRACE_DAYS) after the delete. Bringing the post back
  clears it (`restoring.bring_back`).
"""

from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import aliased

from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import PostRevision
from inkwell.platform.core.types import utcnow

KEEP_EVERY_AUTOSAVE = timedelta(days=1)
DROP_FOLLOWED_AUTOSAVES = timedelta(days=30)
DELETE_BATCH = 500


def prune(now: datetime | None = None) -> int:
    """Thin old autosaves and remove expired revisions across blogs, and commit;
    how many revisions went."""
    now = now or utcnow()
    with tenancy.across_tenants():
        doomed = thin_autosaves(now) + expired(now)
        for start in range(0, len(doomed), DELETE_BATCH):
            batch = doomed[start : start + DELETE_BATCH]
            db.session.execute(
                delete(PostRevision).where(PostRevision.id.in_(batch)),
                execution_options={"synchronize_session": False},
            )
        db.session.commit()
    return len(doomed)


def thin_autosaves(now: datetime) -> list[int]:
    """Ids of the autosave revisions the policy no longer keeps. Across tenants."""
    later = aliased(PostRevision)
    followed = exists().where(
        later.tenant_id == PostRevision.tenant_id,
        later.post_id == PostRevision.post_id,
        later.post_uuid == PostRevision.post_uuid,
        later.id > PostRevision.id,
        later.kind != "autosave",
    )
    query = (
        select(PostRevision.id, PostRevision.tenant_id, PostRevision.post_uuid)
        .add_columns(PostRevision.actor, PostRevision.created_at, followed.label("followed"))
        .where(PostRevision.kind == "autosave")
        .where(PostRevision.created_at < now - KEEP_EVERY_AUTOSAVE)
        .order_by(PostRevision.id.desc())
    )
    kept_days, doomed = set(), []
    for row in db.session.execute(query):
        day = (row.tenant_id, row.post_uuid, row.actor, row.created_at.date())
        old = row.created_at < now - DROP_FOLLOWED_AUTOSAVES
        if day in kept_days or (old and row.followed):
            doomed.append(row.id)
        kept_days.add(day)
    return doomed


def expired(now: datetime) -> list[int]:
    """Ids of deleted posts' revisions whose grace period is over. Across tenants."""
    query = select(PostRevision.id).where(PostRevision.expires_at <= now)
    return list(db.session.scalars(query))
