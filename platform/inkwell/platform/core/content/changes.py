"""The one event "what readers of a blog see changed".

`content_changed` is the only code that bumps a blog's `content_version`, in the
caller's transaction: every cache key and ETag carries the version, so the bump
alone drops the blog's cached pages and no other blog's. It then tells the
subscribers of `changed` what changed, in the same transaction, so what they
record commits (or rolls back) with the change itself. Subscribers connect in
their own module's `init_app` (the mirror's publish requests today; newsletter
sends and hub pings later), so the code that saves never lists who reacts.
"""

from dataclasses import dataclass
from typing import Literal

from blinker import Namespace
from sqlalchemy import update

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Tenant

# posts: posts went live, changed or left; snippets: the same for snippets;
# settings: the blog's title, look or comments; status: an admin's action
# (suspend, restore, quarantine...); rendering: stored HTML rendered anew;
# tags: a tag renamed, moved to another address or merged into another; domains: the
# primary host changed, so every absolute URL did; navigation: the header's links.
What = Literal[
    "posts", "snippets", "settings", "status", "rendering", "tags", "domains", "navigation"
]

_signals = Namespace()
# Sent with the blog's id as sender and `change=Change(...)`.
changed = _signals.signal("content-changed")


@dataclass(frozen=True)
class Change:
    tenant_id: int
    what: What
    ids: tuple[int, ...] = ()  # the posts or snippets concerned, where known


def content_changed(tenant: Tenant | int, what: What, ids: tuple[int, ...] = ()) -> Change:
    """Record that readers of `tenant` (a loaded blog, or a blog's id) now see
    something else; the caller commits."""
    if isinstance(tenant, Tenant):
        tenant.content_version += 1
        tenant_id = tenant.id
    else:  # no row loaded, as for scheduled posts going live across blogs
        tenant_id = tenant
        bump = update(Tenant).where(Tenant.id == tenant_id)
        db.session.execute(bump.values(content_version=Tenant.content_version + 1))
    change = Change(tenant_id, what, ids)
    changed.send(tenant_id, change=change)
    return change
