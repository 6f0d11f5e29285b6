"""Logging a browser in, and loading its login on each request.

Every way in (the login form and its code step, the verification link, an
invitation's new account) goes through `log_in`, which records the login
(`core.accounts.login_sessions`) before Flask-Login keeps its id. The login id is
`<user id>:<session epoch>:<session key>`: the loader drops an older epoch (a
password reset, a disabled account), a disabled account, and a key whose row is
gone (signed out from the account page).

A password right for an account with two-factor sign-in does not log in: it is
remembered as a pending login (`begin_second_step`) for LOGIN_CODE_SECONDS, and
only the code step (`web.accounts.two_factor`) finishes it.
"""

from typing import Any

from flask import current_app, request, session
from flask_login import login_user

from inkwell.platform.core import clock
from inkwell.platform.core.accounts import login_sessions
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import User

PENDING_KEY = "pending_login"


def log_in(user: User, remember: bool = False) -> bool:
    """Log `user` in on this browser and commit; False (nothing done) for a disabled account."""
    if not user.is_active:
        return False
    login_sessions.start(user, request.user_agent.string, request.remote_addr)
    db.session.commit()
    session.pop(PENDING_KEY, None)
    return login_user(user, remember=remember)


def load(login_id: str) -> User | None:
    """Flask-Login's user loader: the user of a login that still stands, or None."""
    user_id, _, rest = login_id.partition(":")
    epoch, _, key = rest.partition(":")
    if not (user_id.isdigit() and epoch.isdigit() and key):
        return None
    # A disabled account's epoch moved on too; checking is_active as well keeps
    # its sessions ended however the flag was set.
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_epoch != int(epoch):
        return None
    login = login_sessions.find(user, key)
    if login is None:
        return None
    user.session_key = key
    login_sessions.touch(login)
    return user


def begin_second_step(user: User, remember: bool, next_path: str | None) -> None:
    """Remember that `user` gave the right password on this browser; the code comes next."""
    session[PENDING_KEY] = {
        "user_id": user.id,
        "epoch": user.session_epoch,
        "remember": remember,
        "next": next_path or "",
        "at": clock.wall(),
    }


def pending_user() -> tuple[User, dict[str, Any]] | None:
    """The user whose password this browser gave, and the pending login, while it
    lasts and nothing (a reset, disabling) has ended it since."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if clock.wall() - float(pending.get("at", 0)) > current_app.config["LOGIN_CODE_SECONDS"]:
        session.pop(PENDING_KEY, None)
        return None
    user = db.session.get(User, int(pending.get("user_id", 0)))
    if user is None or user.session_epoch != pending.get("epoch") or not user.two_factor:
        session.pop(PENDING_KEY, None)
        return None
    return user, pending
