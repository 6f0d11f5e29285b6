"""Single-use, expiring links mailed to users (email verification, password reset).

A token is 256 bits: HMAC-SHA256 of a random nonce under the secret key. The
database keeps the nonce and the token's SHA-256 hash, never the token; the
mail task derives the token again from the nonce, so the outbox carries only
ids. A token is used at most once: redemption is one atomic UPDATE ... WHERE
used_at IS NULL, so of two racing redemptions exactly one wins.
"""

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import AccountToken, User
from inkwell.platform.core.types import utcnow

# Paths on the platform host that mail links to: `web.auth` routes them, and
# the mail task builds links from them and APP_HOST (never a request's Host).
LINK_PATHS = {
    "verify_email": "/verify-email/",
    "reset_password": "/reset-password/",
    "login": "/login",
    "forgot_password": "/forgot-password",
}


def issue(user: User, purpose: str, hours: float) -> AccountToken:
    """Add a new token for `user` to the session (flushed, so it has an id)."""
    nonce = secrets.token_bytes(32)
    token = AccountToken(
        user=user,
        purpose=purpose,
        nonce=nonce,
        token_hash=_hash(_derive(nonce)),
        expires_at=utcnow() + timedelta(hours=hours),
    )
    db.session.add(token)
    db.session.flush()
    return token


def token_text(token: AccountToken) -> str:
    """The token as it goes into a link."""
    return _derive(token.nonce)


def valid(text: str, purpose: str) -> AccountToken | None:
    """The unused, unexpired token `text` for `purpose`, or None."""
    query = select(AccountToken).where(
        AccountToken.token_hash == _hash(text),
        AccountToken.purpose == purpose,
        AccountToken.used_at.is_(None),
        AccountToken.expires_at > utcnow(),
    )
    return db.session.scalar(query)


def redeem(text: str, purpose: str) -> AccountToken | None:
    """Use the token `text` up, in the current transaction; None if it is not
    valid or another redemption got it first."""
    now = utcnow()
    result = db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.token_hash == _hash(text),
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > now,
        )
        .values(used_at=now)
    )
    if result.rowcount != 1:
        return None
    return db.session.scalar(select(AccountToken).where(AccountToken.token_hash == _hash(text)))


def use_up_all(user: User, purpose: str) -> None:
    """Void every outstanding token of `user` for `purpose` (e.g. older reset links)."""
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )


def _derive(nonce: bytes) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, b"inkwell-account-token:" + nonce, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _hash(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()
