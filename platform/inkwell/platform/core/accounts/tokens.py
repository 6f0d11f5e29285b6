"""Single-use, expiring links mailed to people: email verification, password
reset (`AccountToken`) and invitations to a blog (`Invitation`).

A token is 256 bits: HMAC-SHA256 of a random nonce under the secret key. The
database keeps the nonce and the token's SHA-256 hash, never the token; the
mail task derives the token again from the nonce, so the outbox carries only
ids. A token is used at most once: redemption is one atomic UPDATE ... WHERE
used_at IS NULL, so of two racing redemptions exactly one wins.

Secret key rotation: a link is found by its hash alone, so it works whichever
key made it. The mail task derives the token with the key whose token matches
the stored hash (SECRET_KEY or a fallback); a worker that knows no such key yet
(restarted after the web during a rotation) raises `KeyNotKnownYet`, which the
mail task retries, instead of mailing a link that would fail as "expired".
"""

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import ColumnElement, select, update

from inkwell.platform.core.config import secret_keys
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import AccountToken, Invitation, SecretLink, User
from inkwell.platform.core.types import utcnow

# Paths on the platform host that mail links to: `web` routes them, and the
# mail task builds links from them and APP_HOST (never a request's Host).
LINK_PATHS = {
    "verify_email": "/verify-email/",
    "reset_password": "/reset-password/",
    "change_email": "/account/email/",
    "invitation": "/invitations/",
    "login": "/login",
    "forgot_password": "/forgot-password",
}

Link = TypeVar("Link", AccountToken, Invitation)


class KeyNotKnownYet(LookupError):
    """No secret key of this process made the link: one that knows it must mail it."""


def new_secret(hours: float) -> dict[str, Any]:
    """The `SecretLink` columns of a new link that works for `hours`."""
    nonce = secrets.token_bytes(32)
    return {
        "nonce": nonce,
        "token_hash": _hash(_derive(nonce)),
        "expires_at": utcnow() + timedelta(hours=hours),
    }


def issue(user: User, purpose: str, hours: float, email: str = "") -> AccountToken:
    """Add a new token for `user` to the session (flushed, so it has an id); `email`:
    the new address a change_email token confirms."""
    token = AccountToken(user=user, purpose=purpose, email=email, **new_secret(hours))
    db.session.add(token)
    db.session.flush()
    return token


def token_text(link: SecretLink) -> str:
    """The token as it goes into a link, under whichever known key made it."""
    for key in secret_keys(current_app.config):
        text = _derive(link.nonce, key)
        if hmac.compare_digest(_hash(text), link.token_hash):
            return text
    raise KeyNotKnownYet(f"{type(link).__name__} {link.id}: made with a secret key not known here")


def find(model: type[Link], text: str, *criteria: ColumnElement[bool]) -> Link | None:
    """The unused, unexpired `model` row of token `text` (and `criteria`), or None."""
    return db.session.scalar(select(model).where(*_usable(model, text), *criteria))


def any_state(model: type[Link], text: str) -> Link | None:
    """The `model` row of token `text` whether used, expired or not, to say why it fails."""
    return db.session.scalar(select(model).where(model.token_hash == _hash(text)))


def use(model: type[Link], text: str, *criteria: ColumnElement[bool]) -> Link | None:
    """Use the token `text` up, in the current transaction; None if it is not
    valid or another redemption got it first."""
    update_ = update(model).where(*_usable(model, text), *criteria).values(used_at=utcnow())
    if db.session.execute(update_).rowcount != 1:
        return None
    return any_state(model, text)


def valid(text: str, purpose: str) -> AccountToken | None:
    """The unused, unexpired account token `text` for `purpose`, or None."""
    return find(AccountToken, text, AccountToken.purpose == purpose)


def redeem(text: str, purpose: str) -> AccountToken | None:
    """Use the account token `text` for `purpose` up (see `use`)."""
    return use(AccountToken, text, AccountToken.purpose == purpose)


def open_of(user: User, purpose: str) -> tuple[ColumnElement[bool], ...]:
    """Criteria of `user`'s unused, unexpired account tokens for `purpose`."""
    return (
        AccountToken.user_id == user.id,
        AccountToken.purpose == purpose,
        AccountToken.used_at.is_(None),
        AccountToken.expires_at > utcnow(),
    )


def use_up_all(user: User, purpose: str) -> None:
    """Void every outstanding token of `user` for `purpose` (e.g. older reset links)."""
    db.session.execute(update(AccountToken).where(*open_of(user, purpose)).values(used_at=utcnow()))


def _usable(model: type[SecretLink], text: str) -> tuple[ColumnElement[bool], ...]:
    return (
        model.token_hash == _hash(text),
        model.used_at.is_(None),
        model.expires_at > utcnow(),
    )


def _derive(nonce: bytes, key: str | None = None) -> str:
    """The token of `nonce` under `key` (default: SECRET_KEY, which makes new links)."""
    secret = (key or current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, b"inkwell-account-token:" + nonce, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _hash(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()
