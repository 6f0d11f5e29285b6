"""Create users and blogs: the one place signup, the CLI and the demo go through."""

from datetime import datetime

from sqlalchemy import func, select

from inkwell.platform.core import time_zones
from inkwell.platform.core.accounts.passwords import hash_password
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import blog_host
from inkwell.platform.core.models import Domain, Membership, SubdomainHold, Tenant, User
from inkwell.platform.core.types import utcnow
from inkwell.platform.core.validation import (
    normalize_email,
    normalize_subdomain,
    single_line_problem,
    subdomain_problem,
)


class AccountError(ValueError):
    """A request that cannot be done as asked; the message is for the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def email_taken(email: str) -> bool:
    query = select(func.count()).select_from(User).where(User.email == normalize_email(email))
    return db.session.scalar(query) > 0


def subdomain_taken(subdomain: str) -> bool:
    query = select(func.count()).select_from(Tenant).where(Tenant.subdomain == subdomain)
    return db.session.scalar(query) > 0


def subdomain_held_until(subdomain: str) -> datetime | None:
    """When the hold on a purged blog's `subdomain` ends, if it is held now."""
    query = select(SubdomainHold.until).where(
        SubdomainHold.subdomain == subdomain, SubdomainHold.until > utcnow()
    )
    return db.session.scalar(query)


def new_user(
    email: str,
    password: str,
    *,
    display_name: str = "",
    admin: bool = False,
    verified: bool = False,
) -> User:
    """Add a user to the session (not committed); raise AccountError if taken.
    `verified`: the address is known to be theirs (an admin created the account)."""
    if email_taken(email):
        raise AccountError("An account with this email already exists.", "email")
    user = User(
        email=normalize_email(email),
        password_hash=hash_password(password),
        display_name=display_name,
        is_admin=admin,
        email_verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    return user


def check_subdomain(subdomain: str) -> str:
    """The normalized `subdomain`; AccountError if it cannot name a new blog."""
    subdomain = normalize_subdomain(subdomain)
    problem = subdomain_problem(subdomain) or (
        "That address is taken. Please choose another." if subdomain_taken(subdomain) else None
    )
    if not problem and (until := subdomain_held_until(subdomain)):
        # A purged blog's address: its old links and feeds must not reach a new owner.
        problem = f"That address is reserved until {until:%Y-%m-%d}. Please choose another."
    if problem:
        raise AccountError(problem, "subdomain")
    return subdomain


def new_blog(
    owner: User,
    subdomain: str,
    title: str,
    blog_domain: str,
    *,
    signup_network: str = "",
    quarantined: bool = False,
    time_zone: str = time_zones.DEFAULT,
) -> Tenant:
    """Add a blog, its primary host and the owner's membership to the session.
    A signup passes where it came from, whether new blogs start quarantined, and
    the zone of the browser it came from (`core.time_zones`)."""
    subdomain = check_subdomain(subdomain)
    if problem := single_line_problem(title):
        raise AccountError(problem, "title")
    if problem := time_zones.zone_problem(time_zone):
        raise AccountError(problem, "time_zone")
    tenant = Tenant(
        subdomain=subdomain,
        title=title.strip() or subdomain,
        signup_network=signup_network,
        quarantined_at=utcnow() if quarantined else None,
        time_zone=time_zone,
    )
    tenant.domains.append(
        Domain(host=blog_host(subdomain, blog_domain), is_primary=True, verified_at=utcnow())
    )
    db.session.add(tenant)
    db.session.add(Membership(tenant=tenant, user=owner, role="owner"))
    return tenant
