"""WebSub pings: when a blog's feeds change, its hub hears of it.

With WEBSUB_HUB_URL set, every change readers of a blog's feeds would see
(`content.changes.changed` of the kinds in FEED_CHANGES) writes an outbox row in
the change's own transaction, so a ping is never lost nor sent for a change that
rolled back; `inkwell.workers.websub` then POSTs the blog's feed URLs to the
hub. A draft save sends no event at all (`content.posts.save_post`), so no ping;
nor does a change to pages alone (`/now/`: in no feed), unless a post became a
page or a page a post in this transaction (`_note_turned_posts`).
Only blogs that are active and not quarantined ping (`pings_for`); the worker
asks again when it runs, since a blog may be suspended meanwhile.

Several events of one transaction (a media change touching many posts) make one
row. Rows of separate transactions are not merged: a ping already on its way may
have been answered before the later change committed, and a hub that fetched
too early must hear again.
"""

from uuid import uuid4

from flask import Flask, current_app
from flask_sqlalchemy.session import Session
from sqlalchemy import event, inspect, select

from inkwell.platform.core import outbox, tenancy
from inkwell.platform.core.content import changes
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Tenant

TASK = "inkwell.workers.websub.ping_hub"

# Snippets have no feed; every other kind of change may alter what a feed shows
# (its entries, its title, its links: a new primary host changes every URL).
FEED_CHANGES = frozenset({"posts", "settings", "status", "rendering", "tags", "domains"})

# Ids of the posts whose `is_page` changed in the session's transaction.
_TURNED = "inkwell_websub_turned"


def init_app(app: Flask) -> None:
    changes.changed.connect(_on_change)


def pings_for(tenant: Tenant | None) -> bool:
    """Whether the blog's feeds are public and discoverable, so worth a ping."""
    return tenant is not None and tenant.status == "active" and not tenant.quarantined_at


def _on_change(tenant_id: int, change: changes.Change) -> None:
    if change.what not in FEED_CHANGES or not current_app.config["WEBSUB_HUB_URL"]:
        return
    if not pings_for(db.session.get(Tenant, tenant_id)) or _pending_here(tenant_id):
        return
    if change.what == "posts" and _pages_only(tenant_id, change.ids):
        return
    outbox.enqueue(TASK, f"websub:{tenant_id}:{uuid4().hex}", tenant_id=tenant_id)


def _pending_here(tenant_id: int) -> bool:
    """Whether this transaction already holds a ping of the blog (one is enough:
    the hub fetches the feeds as they are once the transaction committed)."""
    return any(row.args.get("tenant_id") == tenant_id for row in outbox.in_transaction(TASK))


def _pages_only(tenant_id: int, ids: tuple[int, ...]) -> bool:
    """Whether the posts `ids` are all pages, and were before this transaction."""
    if not ids or set(ids) & db.session.info.get(_TURNED, set()):
        return False
    query = select(Post.is_page).where(Post.tenant_id == tenant_id, Post.id.in_(ids))
    with tenancy.tenant_scope(tenant_id):
        found = db.session.scalars(query).all()
    return len(found) == len(set(ids)) and all(found)


@event.listens_for(Session, "before_flush")
def _note_turned_posts(session: Session, _context: object, _instances: object) -> None:
    """Remember posts that became pages (they leave the feeds) or stopped being ones."""
    for post in session.dirty:
        if isinstance(post, Post) and inspect(post).attrs.is_page.history.has_changes():
            session.info.setdefault(_TURNED, set()).add(post.id)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_turned_posts(session: Session) -> None:
    session.info.pop(_TURNED, None)
