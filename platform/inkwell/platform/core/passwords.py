"""Password hashing with Argon2id (argon2-cffi's RFC 9106 low-memory profile)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

# Verified against when no user matches, so "no such account" costs as much as
# "wrong password" and timing does not tell them apart.
_DUMMY_HASH = _hasher.hash("inkwell-dummy-password")

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
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False
