"""Invitations to a blog: an owner invites an email address with a role; whoever
opens the mailed link (which proves the mailbox) and accepts becomes a member of
that blog only.

An invitation is a `tokens` link: single-use, expiring, stored as a hash.
Accepting is one atomic UPDATE that also requires the invited address, so of
two racing accepts exactly one wins, and never for another account.
"""

from sqlalchemy import func, select, update

from inkwell.platform.core.accounts import tokens
from inkwell.platform.core.accounts.registration import new_user
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits import quotas
from inkwell.platform.core.models import ROLES, Invitation, Membership, Tenant, User
from inkwell.platform.core.types import utcnow
from inkwell.platform.core.validation import normalize_email

NOT_FOUND = "This invitation link is not valid. Open the whole link from the mail."
WITHDRAWN = "This invitation was withdrawn or replaced by a newer one."
ACCEPTED = "This invitation was already accepted. Log in to reach the blog."
EXPIRED = "This invitation has expired. Ask the blog's owner to invite you again."


class InvitationError(ValueError):
    """An invitation that cannot be made or accepted; the message is for the user."""


def _open(tenant_id: int) -> tuple:
    return (Invitation.tenant_id == tenant_id, Invitation.used_at.is_(None))


def pending(tenant_id: int) -> list[Invitation]:
    """The blog's invitations that can still be accepted, oldest first."""
    query = (
        select(Invitation)
        .where(*_open(tenant_id), Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at, Invitation.id)
    )
    return list(db.session.scalars(query))


def invite(
    tenant: Tenant, inviter: User, email: str, role: str, *, hours: float, max_pending: int
) -> Invitation:
    """Add an invitation to the session (flushed, so it has an id), replacing an
    open one for the same address; InvitationError if it cannot be made,
    quotas.QuotaExceeded if the blog sent its mails of the day."""
    email = normalize_email(email)
    if role not in ROLES:
        raise InvitationError(f"Unknown role {role!r}.")
    member = (
        select(func.count())
        .select_from(Membership)
        .join(User)
        .where(Membership.tenant_id == tenant.id, User.email == email)
    )
    if db.session.scalar(member):
        raise InvitationError(f"{email} is already a member of this blog.")
    quotas.check_mail(tenant.id)  # each invitation is a mail the blog sends
    _withdraw(*_open(tenant.id), Invitation.email == email)
    if len(pending(tenant.id)) >= max_pending:
        raise InvitationError(
            f"This blog has {max_pending} open invitations, the most it can have. "
            "Revoke some, or wait until they are accepted or expire."
        )
    invitation = Invitation(
        tenant=tenant, email=email, role=role, invited_by=inviter, **tokens.new_secret(hours)
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation


def revoke(tenant_id: int, invitation_id: int) -> bool:
    """Withdraw an open invitation of the blog; False if there is none with that id."""
    return _withdraw(*_open(tenant_id), Invitation.id == invitation_id) == 1


def _withdraw(*criteria: object) -> int:
    now = utcnow()
    result = db.session.execute(
        update(Invitation).where(*criteria).values(used_at=now, revoked_at=now)
    )
    return result.rowcount


def find(text: str) -> Invitation | None:
    """The invitation of token `text` if it can still be accepted."""
    return tokens.find(Invitation, text)


def problem(text: str) -> str:
    """Why token `text` cannot be accepted, in words for the invitee."""
    invitation = tokens.any_state(Invitation, text)
    if invitation is None:
        return NOT_FOUND
    if invitation.revoked_at is not None:
        return WITHDRAWN
    return ACCEPTED if invitation.used_at is not None else EXPIRED


def accept(text: str, user: User) -> tuple[Invitation, bool]:
    """Use the invitation up and make `user` a member with its role (the
    invitation and whether they became a member; False: they were one already).
    InvitationError if it cannot be accepted, by this user or at all."""
    invitation = tokens.use(Invitation, text, Invitation.email == user.email)
    if invitation is None:
        raise InvitationError(problem(text))
    # The link reached them, so the address is theirs.
    user.email_verified_at = user.email_verified_at or utcnow()
    if db.session.get(Membership, (invitation.tenant_id, user.id)) is not None:
        return invitation, False
    db.session.add(
        Membership(tenant_id=invitation.tenant_id, user_id=user.id, role=invitation.role)
    )
    return invitation, True


def sign_up(text: str, password: str) -> tuple[User, Invitation]:
    """A new account for the invited address (verified: the link proves it),
    member of the inviting blog and of no other; AccountError if the address
    has an account by now, InvitationError if the invitation cannot be accepted."""
    invitation = find(text)
    if invitation is None:
        raise InvitationError(problem(text))
    user = new_user(invitation.email, password, verified=True)
    db.session.flush()
    return user, accept(text, user)[0]
