"""What a platform admin does to user accounts, from the console or the CLI.

Each action checks the account's state, changes it and records an audit entry
in the caller's transaction, so the change and its entry commit together (or
neither does). A state that does not allow the action raises `UserAdminError`.
"""

from collections import defaultdict
from typing import NamedTuple

from flask import current_app
from sqlalchemy import Select, or_, select

from inkwell.platform.core import audit
from inkwell.platform.core.accounts import login_sessions, tokens, two_factor
from inkwell.platform.core.audit import Actor
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import AccountToken, Membership, Tenant, User
from inkwell.platform.core.types import utcnow


class UserAdminError(ValueError):
    """An action the account's state does not allow; the message is for the admin."""


def search(text: str = "", admins: bool = False, disabled: bool = False) -> Select[tuple[User]]:
    """Users whose email or display name contains `text`, newest first."""
    query = select(User).order_by(User.created_at.desc(), User.id.desc())
    if text:
        # autoescape: a "_" or "%" typed into the search means itself.
        query = query.where(
            or_(
                User.email.icontains(text, autoescape=True),
                User.display_name.icontains(text, autoescape=True),
            )
        )
    if admins:
        query = query.where(User.is_admin)
    if disabled:
        query = query.where(User.disabled_at.is_not(None))
    return query


class BlogRole(NamedTuple):
    tenant_id: int
    subdomain: str
    role: str


def blogs_of(user_ids: list[int]) -> dict[int, list[BlogRole]]:
    """Every membership of these users, in one query."""
    query = (
        select(Membership.user_id, Tenant.id, Tenant.subdomain, Membership.role)
        .join(Tenant, Tenant.id == Membership.tenant_id)
        .where(Membership.user_id.in_(user_ids))
        .order_by(Tenant.subdomain)
    )
    blogs: dict[int, list[BlogRole]] = defaultdict(list)
    for user_id, *membership in db.session.execute(query):
        blogs[user_id].append(BlogRole(*membership))
    return blogs


def disable(user: User, actor: Actor, reason: str = "") -> None:
    """Refuse the account every login and end its sessions, remember-me included."""
    _lock_admins()
    _lock(user)
    if user.disabled_at is not None:
        raise UserAdminError(f"{user.email} is disabled already.")
    if user.id == actor.user_id:
        # It would end the session acting here; another admin (or the CLI) can do it.
        raise UserAdminError("You cannot disable your own account.")
    if user.is_admin:
        _keep_an_admin(user)
    user.disabled_at = utcnow()
    user.session_epoch += 1  # every session and remember-me cookie stops loading
    audit.record(actor, "user.disable", user, reason=reason)


def enable(user: User, actor: Actor) -> None:
    """Let the account log in again (its old sessions stay ended)."""
    _lock(user)
    if user.disabled_at is None:
        raise UserAdminError(f"{user.email} is not disabled.")
    user.disabled_at = None
    audit.record(actor, "user.enable", user)


def grant_admin(user: User, actor: Actor) -> None:
    _lock(user)
    if user.is_admin:
        raise UserAdminError(f"{user.email} is an admin already.")
    if user.disabled_at is not None:
        raise UserAdminError(f"{user.email} is disabled: enable the account first.")
    user.is_admin = True
    audit.record(actor, "user.grant_admin", user)


def revoke_admin(user: User, actor: Actor) -> None:
    """Take the admin role away; admins may step down, but one must remain."""
    _lock_admins()
    _lock(user)
    if not user.is_admin:
        raise UserAdminError(f"{user.email} is not an admin.")
    _keep_an_admin(user)
    user.is_admin = False
    audit.record(actor, "user.revoke_admin", user)


def start_reset(user: User, actor: Actor) -> AccountToken:
    """Issue a password reset link for `user` and record that an admin asked.

    The caller mails the token as the user's own request does (the mail task is
    in a layer above this one); nobody but the mailbox's owner ever sees it, and
    the admin never sees or sets a password. A disabled account gets its link
    too, and stays disabled after using it.
    """
    token = tokens.issue(user, "reset_password", current_app.config["PASSWORD_RESET_HOURS"])
    audit.record(actor, "user.start_reset", user)
    return token


def reset_two_factor(user: User, actor: Actor) -> None:
    """Turn off two-factor sign-in for a user who lost both the device and the
    recovery codes, and end every login of theirs: whoever held a session need
    not be them. The caller mails the user, who may enrol again (an admin is
    asked to, where ADMIN_REQUIRE_2FA)."""
    _lock(user)
    if user.totp_enabled_at is None:
        raise UserAdminError(f"{user.email} does not use two-factor sign-in.")
    if user.id == actor.user_id:
        # The admin has their own session and a code: the account page does it.
        raise UserAdminError("Turn off your own two-factor sign-in on your account page.")
    two_factor.disable(user)
    login_sessions.end_all(user)
    user.session_epoch += 1  # remember-me cookies too
    audit.record(actor, "user.reset_two_factor", user)


def _lock(user: User) -> None:
    """Read the account again under a row lock, so racing actions check fresh state."""
    db.session.refresh(user, with_for_update=True)


def _lock_admins() -> None:
    """Lock the rows of the active admins (before the target's, always in id order):
    of two admins revoking each other at once, the second waits for the first and
    then finds itself the last admin."""
    db.session.execute(select(User.id).where(*_active_admin()).order_by(User.id).with_for_update())


def _keep_an_admin(user: User) -> None:
    others = db.session.scalars(select(User.id).where(*_active_admin(), User.id != user.id)).first()
    if others is None:
        raise UserAdminError(f"{user.email} is the last admin: grant admin to someone else first.")


def _active_admin() -> tuple:
    return (User.is_admin, User.disabled_at.is_(None))
