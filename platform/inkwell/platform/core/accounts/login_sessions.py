"""Logins kept server-side, so a user can see them and end them one by one.

Each login makes a `LoginSession` row and a random key; the login id that
Flask-Login keeps in the browser's session (and remember-me cookie) carries the
key (`User.get_id`), and the database only its SHA-256. A request's login loads
only while its row exists, so deleting a row signs that browser out at once,
remember-me included. The row's `last_seen_at` is written at most once every
LOGIN_SESSION_TOUCH_SECONDS, on a connection of its own, so a page view never
commits the view's own unfinished work.
"""

import hashlib
import ipaddress
import re
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import LoginSession, User
from inkwell.platform.core.types import utcnow

USER_AGENT_MAX = 300
# What the account page names a browser by: the first of each list that the
# user agent mentions (order matters: Edge and Chrome both say "Chrome").
BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
            ("Safari/", "Safari"), ("curl/", "curl"))  # fmt: skip
SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
           ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))  # fmt: skip


def start(user: User, user_agent: str, address: str | None) -> str:
    """Record a new login of `user` (flushed); its key, which `user.session_key` now holds."""
    key = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            user_id=user.id,
            key_hash=_hash(key),
            user_agent=user_agent[:USER_AGENT_MAX],
            address=truncated_address(address),
        )
    )
    db.session.flush()
    user.session_key = key
    return key


def find(user: User, key: str) -> LoginSession | None:
    """The login of `user` with `key`, or None (signed out, or never one)."""
    if not key:
        return None
    return db.session.scalar(
        select(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.key_hash == _hash(key)
        )
    )


def touch(login: LoginSession) -> None:
    """Note that `login` was seen now, if that was not noted within the last minute."""
    now = utcnow()
    every = timedelta(seconds=current_app.config["LOGIN_SESSION_TOUCH_SECONDS"])
    if now - login.last_seen_at < every:
        return
    # Its own transaction: the request's session may hold work its view has not
    # committed (or means to roll back). The WHERE keeps racing requests to one write.
    with db.engine.begin() as connection:
        connection.execute(
            update(LoginSession)
            .where(LoginSession.id == login.id, LoginSession.last_seen_at <= now - every)
            .values(last_seen_at=now)
        )


def of_user(user: User) -> list[LoginSession]:
    """Every login of `user`, the most recently seen first."""
    return list(
        db.session.scalars(
            select(LoginSession)
            .where(LoginSession.user_id == user.id)
            .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
        )
    )


def end(user: User, login_id: int) -> bool:
    """Sign out `user`'s login `login_id`; False if it has no such login."""
    ended = db.session.execute(
        delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.id == login_id)
    )
    return ended.rowcount == 1


def end_key(user: User, key: str) -> None:
    """Sign out `user`'s login with `key` (logging out)."""
    db.session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.key_hash == _hash(key)
        )
    )


def end_others(user: User, keep: str) -> int:
    """Sign out every login of `user` but the one with key `keep`; how many."""
    ended = db.session.execute(
        delete(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.key_hash != _hash(keep)
        )
    )
    return ended.rowcount


def end_all(user: User) -> None:
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))


def truncated_address(address: str | None) -> str:
    """The client's network, no more: an IPv4 /24 or an IPv6 /48; "" if unreadable."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def device(user_agent: str) -> str:
    """A short name for the browser that sent `user_agent`: "Firefox on Linux"."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in SYSTEMS if mark in user_agent), "")
    if browser and system:
        return f"{browser} on {system}"
    # An unknown client: the first word of what it says, without its version.
    return (
        browser
        or system
        or re.split(r"[/\s]", user_agent.strip(), maxsplit=1)[0][:40]
        or ("Unknown browser")
    )


def _hash(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()
