"""Password hashing with Argon2id, at the cost PASSWORD_HASH_PROFILE names (in
production argon2-cffi's RFC 9106 low-memory profile; see `settings`).

Every hash carries its own parameters, so a hash made under one profile verifies
under any other; `hasher(profile).check_needs_rehash(h)` says whether `h` was
made under a profile other than `profile`.
"""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from inkwell.platform.core.config import profile_parameters


@cache
def hasher(profile: str) -> PasswordHasher:
    """The hasher of `profile` (one per process and profile)."""
    return PasswordHasher.from_parameters(profile_parameters(profile))


def _profile() -> str:
    return current_app.config["PASSWORD_HASH_PROFILE"]


@cache
def _dummy_hash(profile: str) -> str:
    """Verified against when no user matches, so "no such account" costs as much
    as "wrong password" and timing does not tell them apart: hence made under the
    profile real hashes are made under. Made on first use: at import it cost every
    process (each CLI command, each worker) ~90 ms."""
    return hasher(profile).hash("inkwell-dummy-password")


# Refused before hashing whatever a caller's own limit says: KDF cost grows with input.
HARD_MAX_LENGTH = 4096


def hash_password(password: str) -> str:
    if len(password) > HARD_MAX_LENGTH:
        raise ValueError("password too long")
    return hasher(_profile()).hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; `None` (no such user) costs the same and fails."""
    if len(password) > HARD_MAX_LENGTH:
        return False
    profile = _profile()
    try:
        matches = hasher(profile).verify(password_hash or _dummy_hash(profile), password)
    except (VerificationError, InvalidHashError):
        return False
    return matches and bool(password_hash)
