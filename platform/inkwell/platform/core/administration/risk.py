"""Signup risk signals: what an admin sees beside a blog that may be abuse.

Signals inform the admin; they change nothing by themselves. They are computed
when shown, for a page of blogs at a time, so a threshold changed in the
settings applies to every blog at once.
"""

import ipaddress
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Membership, Tenant, User

# Names that pass as the platform or its staff when a reader sees them in an
# address: a phishing page on `paypal-verify.<domain>` or `inkwell-support.…`.
# Generic words that the reserved list also holds (blog, www, app…) are left
# out: too many honest names contain them.
LOOKALIKE_WORDS = (
    "abuse",
    "account",
    "admin",
    "billing",
    "helpdesk",
    "hostmaster",
    "inkwell",
    "login",
    "moderator",
    "official",
    "password",
    "payment",
    "paypal",
    "postmaster",
    "secure",
    "security",
    "signin",
    "support",
    "verify",
    "wallet",
    "webmaster",
)
# Digits that stand in for letters ("adm1n", "supp0rt"); 1 reads as i or l.
_AS_LETTERS = (str.maketrans("013457", "oieast"), str.maketrans("013457", "oleast"))


@dataclass(frozen=True)
class Signal:
    code: str  # same_network | lookalike_name | unverified_owner
    text: str


def network_of(address: str | None) -> str:
    """Where a signup came from, as signals compare it: an IPv4 address, or the
    /64 of an IPv6 one (one subscriber's share, which it can rotate through)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def lookalike(subdomain: str) -> str | None:
    """The word of LOOKALIKE_WORDS that `subdomain` imitates, if any."""
    for table in _AS_LETTERS:
        plain = subdomain.translate(table).replace("-", "")
        for word in LOOKALIKE_WORDS:
            if word in plain:
                return word
    return None


def signals(tenants: list[Tenant]) -> dict[int, list[Signal]]:
    """The signals of each blog in `tenants` (every one has an entry)."""
    same_network = _blogs_per_network({t.signup_network for t in tenants} - {""})
    unverified = _unverified_owners([t.id for t in tenants])
    threshold = current_app.config["SIGNUP_RISK_SAME_NETWORK"]
    found: dict[int, list[Signal]] = {}
    for tenant in tenants:
        found[tenant.id] = mine = []
        count = same_network.get(tenant.signup_network, 0)
        if count >= threshold:
            mine.append(
                Signal("same_network", f"{count} blogs signed up from {tenant.signup_network}")
            )
        if word := lookalike(tenant.subdomain):
            mine.append(Signal("lookalike_name", f"its name looks like “{word}”"))
        if tenant.id in unverified:
            mine.append(Signal("unverified_owner", "its owner has not confirmed their email"))
    return found


def _blogs_per_network(networks: set[str]) -> dict[str, int]:
    query = (
        select(Tenant.signup_network, func.count())
        .where(Tenant.signup_network.in_(networks))
        .group_by(Tenant.signup_network)
    )
    return {network: count for network, count in db.session.execute(query)}


def _unverified_owners(tenant_ids: list[int]) -> set[int]:
    """Blogs none of whose owners has confirmed their address."""
    verified = (
        select(Membership.tenant_id)
        .join(User)
        .where(Membership.role == "owner", User.email_verified_at.is_not(None))
    )
    query = select(Tenant.id).where(Tenant.id.in_(tenant_ids), Tenant.id.not_in(verified))
    return set(db.session.scalars(query))
