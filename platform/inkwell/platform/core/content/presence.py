"""Who has a post open in the editor, so a writer knows before a conflict does.

Each editor tab names itself (a random `tab`) and sends a heartbeat every ~20 s;
a row of `editor_presence` per tab says since when it has been open and when it
was last heard from. A tab not heard from for `EXPIRES` is gone; a tab that is
closed may say so at once (`leave`). Rows live in the database, so every web
worker sees the same, on SQLite as on PostgreSQL; each heartbeat sweeps the
blog's expired rows. Presence only informs: it never blocks an edit.

The current tenant (see `tenancy`) must be the post's blog; the caller commits.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, select, update

from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import EditorPresence, User
from inkwell.platform.core.types import utcnow

EXPIRES = timedelta(seconds=60)


@dataclass(frozen=True)
class Editing:
    """Another tab with the post open: someone else's, or `mine` in another tab."""

    name: str
    email: str
    since: datetime
    mine: bool


def heartbeat(post_id: int, user_id: int, tab: str) -> None:
    """The tab `tab` of `user_id` has the post open now."""
    now = utcnow()
    db.session.execute(delete(EditorPresence).where(EditorPresence.seen_at < now - EXPIRES))
    seen = db.session.execute(
        update(EditorPresence)
        .where(_tab(post_id, user_id, tab))
        .values(seen_at=now)
        .execution_options(synchronize_session=False)
    )
    if seen.rowcount == 0:
        tenant_id = tenancy.current_tenant_id()
        row = EditorPresence(
            tenant_id=tenant_id, post_id=post_id, user_id=user_id, tab=tab, since=now, seen_at=now
        )
        db.session.add(row)


def leave(post_id: int, user_id: int, tab: str) -> None:
    """The tab closed or went to another page."""
    db.session.execute(delete(EditorPresence).where(_tab(post_id, user_id, tab)))


def others_editing(post_id: int, user_id: int, tab: str = "") -> list[Editing]:
    """Every tab but `tab` of `user_id` with the post open, longest open first."""
    query = (
        select(EditorPresence, User)
        .join(User, User.id == EditorPresence.user_id)
        .where(EditorPresence.post_id == post_id, EditorPresence.seen_at >= utcnow() - EXPIRES)
        .order_by(EditorPresence.since, EditorPresence.tab)
    )
    return [
        Editing(user.display_name or user.email, user.email, row.since, user.id == user_id)
        for row, user in db.session.execute(query)
        if (row.user_id, row.tab) != (user_id, tab)
    ]


def _tab(post_id: int, user_id: int, tab: str) -> ColumnElement[bool]:
    return and_(
        EditorPresence.post_id == post_id,
        EditorPresence.user_id == user_id,
        EditorPresence.tab == tab,
    )
