"""Two-factor sign-in with TOTP (RFC 6238: 6 digits, 30-second steps, SHA-1, as
every authenticator app reads an `otpauth://` URI), and one-time recovery codes.

- Enrolling makes a secret that is only the user's once a code from it is
  confirmed (`enable`); that also makes RECOVERY_CODES recovery codes, shown once:
  the database keeps an HMAC of each under the secret key, never the code.
- A code is accepted for the step before, the current one or the one after (a
  phone's clock may be off by a few seconds), and only for a step later than the
  last one accepted: one UPDATE checks and records it, so a code seen over a
  shoulder, or sent twice at once, works once.
- A recovery code stands in for a code, once: using it is one UPDATE that one
  racer wins.
Time is `core.clock.wall`, which tests stop and move.
"""

import base64
import hashlib
import hmac
import re
import secrets

import pyotp
from flask import current_app
from sqlalchemy import delete, or_, select, update

from inkwell.platform.core import clock
from inkwell.platform.core.config import secret_keys
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import RecoveryCode, User
from inkwell.platform.core.types import utcnow

RECOVERY_CODES = 10
STEP_SECONDS = 30
# Steps either side of now whose codes are accepted: a clock a little off still works.
DRIFT_STEPS = 1
CODE_RE = re.compile(r"\d{6}")


def new_secret() -> str:
    """A new TOTP secret, base32 (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str) -> str:
    """The `otpauth://` URI an authenticator app scans."""
    issuer = current_app.config["TOTP_ISSUER"]
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def current_step() -> int:
    return int(clock.wall() // STEP_SECONDS)


def code_at(secret: str, step: int) -> str:
    """The code of `secret` for time step `step` (what the user's app shows then)."""
    return pyotp.TOTP(secret).at(step * STEP_SECONDS)


def matching_step(secret: str, code: str) -> int | None:
    """The time step near now whose code `code` is, or None."""
    code = _digits(code)
    if not CODE_RE.fullmatch(code):
        return None
    now = current_step()
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def enable(user: User, secret: str, code: str) -> list[str] | None:
    """Turn two-factor sign-in on with `secret` if `code` is one of its codes; the new
    recovery codes (to show once), or None for a wrong code."""
    step = matching_step(secret, code)
    if step is None:
        return None
    user.totp_secret, user.totp_enabled_at, user.totp_last_step = secret, utcnow(), step
    return new_recovery_codes(user)


def disable(user: User) -> None:
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def new_recovery_codes(user: User) -> list[str]:
    """Replace `user`'s recovery codes by RECOVERY_CODES new ones; the codes."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    query = select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
    )
    return len(db.session.scalars(query).all())


def check(user: User, code: str) -> bool:
    """Whether `code` (a TOTP code, or a recovery code) lets `user` in; using it up."""
    if user.totp_secret is None:
        return False
    if CODE_RE.fullmatch(_digits(code)):
        return _use_step(user, matching_step(user.totp_secret, code))
    return _use_recovery_code(user, code)


def _use_step(user: User, step: int | None) -> bool:
    if step is None:
        return False
    accepted = db.session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if accepted.rowcount != 1:
        return False  # this code, or a later one, was used already
    user.totp_last_step = step
    return True


def _use_recovery_code(user: User, code: str) -> bool:
    used = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            # Made under any key still configured: a rotation keeps them working.
            RecoveryCode.code_hash.in_([_hash(code, k) for k in secret_keys(current_app.config)]),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    return used.rowcount == 1


def _new_recovery_code() -> str:
    """Ten base32 characters (50 bits) in two groups of five: "k3x9a-7mq2p"."""
    text = base64.b32encode(secrets.token_bytes(10)).decode().lower()[:10]
    return f"{text[:5]}-{text[5:]}"


def _hash(code: str, key: str | None = None) -> bytes:
    """Keyed (default: SECRET_KEY), so a copy of the database alone cannot try codes
    offline; spaces, dashes and case are not part of a code, as people type it."""
    plain = re.sub(r"[\s-]", "", code).lower()
    secret = (key or current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"inkwell-recovery-code:" + plain.encode(), hashlib.sha256).digest()


def _digits(code: str) -> str:
    """A code as typed, without the spaces apps show in the middle of it."""
    return re.sub(r"\s", "", code or "")
