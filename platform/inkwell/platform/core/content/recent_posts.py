"""The post page's "recent posts" block, kept on the blog's row at write time
(`tenants.recent_posts`: [slug, title] of its newest RECENT_POSTS listed posts).

A reader arriving on an old post of a quiet blog finds nothing cached; keeping the
block on the row lets the page read it with the post in one query
(`tenants.content.Live.post`) instead of a query of its own.

Only a change of posts (`content_changed(..., "posts")`) can alter the list: which
posts are listed, their titles, slugs and order. Such a change marks its blog on the
session, and the list is computed once per blog just before the transaction commits,
so it sees every write of that transaction (a delete reports its change before it
deletes) and commits, or rolls back, with them.
"""

from typing import Any

from flask import Flask
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from inkwell.platform.core import tenancy
from inkwell.platform.core.content import changes
from inkwell.platform.core.content.posts import NEWEST_FIRST
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Tenant

RECENT_POSTS = 5
_MARKED = "inkwell.recent_posts_stale"  # session.info key: blog ids to recompute


def init_app(app: Flask) -> None:
    changes.changed.connect(_mark)
    if not event.contains(Session, "before_commit", _recompute):
        event.listen(Session, "before_commit", _recompute)
        event.listen(Session, "after_rollback", _forget)


def newest(session: Session, tenant_id: int) -> list[list[str]]:
    """[slug, title] of the blog's newest listed posts, as the block shows them."""
    # `listed_posts` without its "not in the future": a published post never is (a
    # future date is a schedule), and publish_due may take posts live at its own `now`.
    listed = Post.status == "published", Post.is_page.is_(False), Post.tenant_id == tenant_id
    query = select(Post.slug, Post.title).where(*listed).order_by(*NEWEST_FIRST)
    with tenancy.across_tenants():  # explicit tenant_id: committed from any scope
        return [[slug, title] for slug, title in session.execute(query.limit(RECENT_POSTS))]


def _mark(tenant_id: int, change: changes.Change) -> None:
    if change.what == "posts":
        db.session.info.setdefault(_MARKED, set()).add(tenant_id)


def _recompute(session: Session) -> None:
    marked: set[int] = session.info.pop(_MARKED, set())
    for tenant_id in sorted(marked):  # one order: two commits never deadlock on rows
        stored = (
            update(Tenant)
            .where(Tenant.id == tenant_id)
            .values(recent_posts=newest(session, tenant_id))
        )
        session.execute(stored)


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_MARKED, None)
