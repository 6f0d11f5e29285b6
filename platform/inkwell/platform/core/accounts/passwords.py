"""Password hashing with Argon2id (argon2-cffi's RFC 9106 low-memory profile)."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when no user matches, so "no such account" costs as much
    as "wrong password" and timing does not tell them apart. Made on first use:
    at import it cost every process (each CLI command, each worker) ~90 ms."""
    return _hasher.hash("inkwell-dummy-password")


# Refused before hashing whatever a caller's own limit says: KDF cost grows with input.
HARD_MAX_LENGTH = 4096


def hash_password(password: str) -> str:
    if len(password) > HARD_MAX_LENGTH:
        raise ValueError("password too long")
    return _hasher.hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; `None` (no such user) costs the same and fails."""
    if len(password) > HARD_MAX_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False
