"""Who works on a blog: change a member's role or remove them, keeping an owner."""

from sqlalchemy import func, select

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import ROLES, Membership


class TeamError(ValueError):
    """A team change that cannot be made; the message is for the user."""


def _owners(tenant_id: int) -> int:
    query = select(func.count()).where(
        Membership.tenant_id == tenant_id, Membership.role == "owner"
    )
    return db.session.scalar(query) or 0


def set_role(membership: Membership, role: str) -> None:
    if role not in ROLES:
        raise TeamError(f"Unknown role {role!r}.")
    if membership.role == "owner" and role != "owner" and _owners(membership.tenant_id) == 1:
        raise TeamError("A blog needs an owner: make someone else owner first.")
    membership.role = role


def remove(membership: Membership) -> None:
    if membership.role == "owner" and _owners(membership.tenant_id) == 1:
        raise TeamError("A blog needs an owner: make someone else owner first.")
    db.session.delete(membership)
