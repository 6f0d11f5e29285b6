"""A user deletes their own account (the account page).

What happens, in the caller's transaction:
- every blog the user owns alone goes through `lifecycle.delete`, as an admin's
  delete does: offline at once, restorable by an admin until `purge_after`, then
  purged; blogs with other owners stay with them;
- every membership and open invitation the user sent goes, and so do their logins,
  links, two-factor state and recovery codes;
- the row stays, anonymised: no email, no password that any input matches, disabled.
  Posts and revisions on blogs that stay keep pointing at it (their author is then
  "a deleted account"), and nothing cascades into tenant content.
- An admin's account first gives up the admin role (refused for the last admin).
The audit log records "user.delete", with the blogs deleted, under the address
the account had.
"""

from typing import NamedTuple

from sqlalchemy import delete, func, select, update

from inkwell.platform.core import audit
from inkwell.platform.core.accounts import login_sessions, tokens, two_factor
from inkwell.platform.core.administration import lifecycle, user_admin
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Invitation, Membership, Tenant, User
from inkwell.platform.core.types import utcnow

REASON = "Its owner deleted their account."
# Not an Argon2 hash, so no password matches it: nobody logs in to a deleted account.
NO_PASSWORD = "!deleted"  # noqa: S105 - not a hash: verifying against it always fails


class AccountBlogs(NamedTuple):
    """The blogs of an account, as deleting it treats them."""

    deleted: list[Tenant]  # owned alone: deleted with the account
    kept: list[Tenant]  # owned with others: stay with them
    left: list[Tenant]  # editor or author: the membership goes


def blogs_of(user: User) -> AccountBlogs:
    owners = (
        select(Membership.tenant_id, func.count().label("owners"))
        .where(Membership.role == "owner")
        .group_by(Membership.tenant_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Tenant, Membership.role, owners.c.owners)
        .join(Membership, Membership.tenant_id == Tenant.id)
        .outerjoin(owners, owners.c.tenant_id == Tenant.id)
        .where(Membership.user_id == user.id, Tenant.status != "deleted")
        .order_by(Tenant.subdomain)
    )
    blogs = AccountBlogs([], [], [])
    for tenant, role, owner_count in rows:
        if role != "owner":
            blogs.left.append(tenant)
        else:
            (blogs.deleted if owner_count == 1 else blogs.kept).append(tenant)
    return blogs


def delete_account(user: User, actor: audit.Actor) -> list[str]:
    """Delete `user`'s account as described above; the subdomains of the blogs deleted
    with it. Raises `user_admin.UserAdminError` for the last admin."""
    db.session.refresh(user, with_for_update=True)
    if user.is_admin:
        user_admin.revoke_admin(user, actor)
    deleted = blogs_of(user).deleted
    for tenant in deleted:
        lifecycle.delete(tenant, REASON, actor)
    audit.record(actor, "user.delete", user, blogs_deleted=[t.subdomain for t in deleted])
    db.session.execute(delete(Membership).where(Membership.user_id == user.id))
    db.session.execute(
        update(Invitation)
        .where(Invitation.invited_by_id == user.id, Invitation.used_at.is_(None))
        .values(used_at=utcnow(), revoked_at=utcnow())
    )
    for purpose in ("verify_email", "reset_password", "change_email"):
        tokens.use_up_all(user, purpose)
    login_sessions.end_all(user)
    two_factor.disable(user)
    _anonymise(user)
    return [t.subdomain for t in deleted]


def _anonymise(user: User) -> None:
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.display_name = ""
    user.password_hash = NO_PASSWORD
    user.disabled_at = utcnow()
    user.session_epoch += 1
