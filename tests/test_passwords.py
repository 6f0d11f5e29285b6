"""Password hashes: production's Argon2 cost stays what it has been, while the
suite hashes at the cheapest (fixtures.app); either way hashes verify everywhere."""

from pathlib import Path

import pytest
from argon2 import Parameters, PasswordHasher, Type, extract_parameters

from fixtures.accounts import PASSWORD
from inkwell.platform.core.accounts.passwords import check_password, hash_password, hasher
from inkwell.platform.core.app import create_base_app
from inkwell.platform.core.config import ConfigError

# What every stored hash was made with before the profile was a setting (argon2-cffi's
# RFC 9106 low-memory profile). Spelled out so a new argon2-cffi cannot move it either.
PRODUCTION = Parameters(
    type=Type.ID,
    version=19,
    salt_len=16,
    hash_len=32,
    time_cost=3,
    memory_cost=65536,
    parallelism=4,
)


@pytest.fixture
def bare_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in ("DATABASE_URL", "REDIS_URL", "INKWELL_ENV", "INKWELL_PASSWORD_HASH_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("INKWELL_INSTANCE_PATH", str(tmp_path))


def test_production_hashes_with_the_parameters_it_always_had(bare_env: None) -> None:
    app = create_base_app("t")
    with app.app_context():
        stored = hash_password(PASSWORD)
        assert check_password(stored, PASSWORD)
    assert extract_parameters(stored) == PRODUCTION


def test_an_unknown_or_test_only_profile_refuses_to_start(
    bare_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match="PASSWORD_HASH_PROFILE"):
        create_base_app("t", {"PASSWORD_HASH_PROFILE": "FAST"})
    monkeypatch.setenv("INKWELL_ENV", "production")
    monkeypatch.setenv("INKWELL_SECRET_KEY", "s3cret")
    with pytest.raises(ConfigError, match="never production"):
        create_base_app("t", {"PASSWORD_HASH_PROFILE": "CHEAPEST"})


def test_hashes_verify_under_any_profile(app) -> None:
    production = hasher("RFC_9106_LOW_MEMORY")
    strong = production.hash(PASSWORD)
    with app.app_context():
        cheap = hash_password(PASSWORD)
        assert check_password(strong, PASSWORD)
        assert not check_password(strong, "not the password")
    assert production.verify(cheap, PASSWORD)
    # Rehashing is judged against the profile in force, not the one a hash was made with.
    assert production.check_needs_rehash(cheap) and not production.check_needs_rehash(strong)
    assert hasher("CHEAPEST").check_needs_rehash(strong)


def test_no_such_user_costs_a_hash_of_the_profile_in_force(
    app, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []
    real_verify = PasswordHasher.verify

    def spy(self: PasswordHasher, stored: str, password: str) -> bool:
        verified.append(stored)
        return real_verify(self, stored, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    with app.app_context():
        assert not check_password(None, PASSWORD)
        real = hash_password(PASSWORD)
    assert extract_parameters(verified[0]) == extract_parameters(real) != PRODUCTION
