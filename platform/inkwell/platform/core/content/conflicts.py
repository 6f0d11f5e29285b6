"""No silent overwrite: a save names the revision it started from, and one that
started from an older revision than the stored row writes nothing.

Posts count their changes in `revision`, SQLAlchemy's version counter: every
UPDATE of the row adds one and is an `UPDATE ... WHERE revision = <the one read>`,
a compare-and-set, so of two saves that read the same revision at the same moment
one wins and the other updates no row (`StaleDataError`). Blogs count their
settings' changes in `settings_revision`, claimed the same way by hand (their row
also changes at every post saved: `content_version`).

Either way the loser gets `EditConflict` carrying the stored row: once the caller
has rolled back its session, the row reads as the other save left it, to show
beside the text the writer sent, which the caller keeps.
"""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import update
from sqlalchemy.orm.exc import StaleDataError

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Tenant

P = ParamSpec("P")
R = TypeVar("R")
Row = Post | Tenant


class EditConflict(Exception):
    """Someone saved `stored` since the writer's base revision: nothing was written.

    Roll the session back before reading `stored`: it then reads as stored.
    """

    def __init__(self, stored: Row) -> None:
        super().__init__("Someone else saved this meanwhile; your changes were not saved.")
        self.stored = stored


def check_base(post: Post, base_revision: int | None) -> None:
    """EditConflict unless the writer started from the post as loaded (or names no base:
    a new post, or a caller that takes the latest, such as an import)."""
    if base_revision is not None and post.id is not None and base_revision != post.revision:
        raise EditConflict(post)


def compare_and_set(save: Callable[Concatenate[Post, P], R]) -> Callable[Concatenate[Post, P], R]:
    """Decorate `save(post, ...)`: its lost compare-and-set raises EditConflict(post)."""

    @wraps(save)
    def guarded(post: Post, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return save(post, *args, **kwargs)
        except StaleDataError:
            raise EditConflict(post) from None

    return guarded


def claim_settings(tenant: Tenant, base_revision: int | None) -> None:
    """Take the blog's next settings revision if its settings are still at
    `base_revision` (any, when None); else EditConflict. The row stays locked
    (PostgreSQL) until the caller's commit, so the check holds for the whole save."""
    expected = tenant.settings_revision if base_revision is None else base_revision
    claimed = db.session.execute(
        update(Tenant)
        .where(Tenant.id == tenant.id, Tenant.settings_revision == expected)
        .values(settings_revision=expected + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise EditConflict(tenant)
    db.session.expire(tenant, ["settings_revision"])
