"""Load configuration in layers onto an app (see `settings` for every key)."""

import os
import secrets
from pathlib import Path
from typing import Any

from argon2 import Parameters, profiles
from flask import Config, Flask

from inkwell.platform.core import settings

# platform/inkwell/platform/core/config.py -> the repository root.
REPO_ROOT = Path(__file__).resolve().parents[4]


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says which key to set."""


def instance_path() -> str:
    """Where the SQLite file, secret key and outputs live; INKWELL_INSTANCE_PATH overrides."""
    return os.environ.get("INKWELL_INSTANCE_PATH") or str(REPO_ROOT / "instance")


def configure(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    """Apply the configuration layers to `app` and derive dependent keys."""
    app.config.from_object(settings)
    app.config["PROXY_FIX"] = dict(settings.PROXY_FIX)  # filled in place by nested env keys
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("INKWELL")
    for key in (
        "DATABASE_URL",
        "REDIS_URL",
        "CELERY_BROKER_URL",
        "MIRROR_URL",
        "MIRROR_ENDPOINT_URL",
        "MEDIA_URL",
    ):
        if os.environ.get(key):
            app.config[key] = os.environ[key]
    app.config.update(overrides or {})
    _derive(app)


def _derive(app: Flask) -> None:
    config = app.config
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config["PROXY_FIX"] = {key.lower(): int(hops) for key, hops in config["PROXY_FIX"].items()}
    if not config["SECRET_KEY"]:
        if config["ENV"] == "production":
            raise ConfigError("INKWELL_SECRET_KEY must be set when INKWELL_ENV=production")
        config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    _check_password_profile(config)
    if config["WEBSUB_HUB_URL"] and not config["WEBSUB_HUB_URL"].startswith(
        ("http://", "https://")
    ):
        raise ConfigError("INKWELL_WEBSUB_HUB_URL must be an http:// or https:// URL")
    if config["ADMIN_REQUIRE_2FA"] is None:
        config["ADMIN_REQUIRE_2FA"] = config["ENV"] == "production"
    config["SQLALCHEMY_DATABASE_URI"] = _with_driver(config["DATABASE_URL"]) or (
        f"sqlite:///{Path(app.instance_path) / 'inkwell.db'}"
    )
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    config.setdefault("CACHE_KEY_PREFIX", "inkwell:")
    _configure_limits(config)
    if config["REDIS_URL"]:
        timeout = config["REDIS_SOCKET_TIMEOUT"]
        config.setdefault("CACHE_TYPE", "RedisCache")
        config.setdefault("CACHE_REDIS_URL", config["REDIS_URL"])
        config.setdefault(
            "CACHE_OPTIONS", {"socket_timeout": timeout, "socket_connect_timeout": timeout}
        )
    else:
        config.setdefault("CACHE_TYPE", "SimpleCache")
    config["MAIL_OUTBOX_DIR"] = config["MAIL_OUTBOX_DIR"] or str(Path(app.instance_path) / "outbox")
    config["MIRROR_URL"] = config["MIRROR_URL"] or str(Path(app.instance_path) / "mirror")
    config["MEDIA_URL"] = config["MEDIA_URL"] or str(Path(app.instance_path) / "media")
    if config["PREFERRED_URL_SCHEME"] == "https":
        # `__Host-` makes browsers refuse the cookie unless Secure, Path=/ and no Domain.
        config.update(
            SESSION_COOKIE_SECURE=True,
            SESSION_COOKIE_NAME="__Host-session",
            REMEMBER_COOKIE_SECURE=True,
            REMEMBER_COOKIE_NAME="__Host-remember",
        )


def profile_parameters(profile: str) -> Parameters:
    """The Argon2 parameters of the `argon2.profiles` entry named `profile` (the
    PASSWORD_HASH_PROFILE setting); ValueError for a name that is not one."""
    parameters = getattr(profiles, profile, None)
    if not isinstance(parameters, Parameters):
        raise ValueError(f"{profile!r} is not a profile in argon2.profiles")
    return parameters


def _check_password_profile(config: Config) -> None:
    profile = config["PASSWORD_HASH_PROFILE"]
    try:
        profile_parameters(profile)
    except ValueError as error:
        raise ConfigError(f"PASSWORD_HASH_PROFILE: {error}") from None
    if profile == "CHEAPEST" and config["ENV"] == "production":
        raise ConfigError("PASSWORD_HASH_PROFILE=CHEAPEST is for tests, never production")


def _configure_limits(config: Config) -> None:
    timeout = config["REDIS_SOCKET_TIMEOUT"]
    config.setdefault("RATELIMIT_STORAGE_URI", config["REDIS_URL"] or "memory://")
    config.setdefault(
        "RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    )
    # A dead Redis must not lock people out or fail their requests: count in memory.
    config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    # Retry-After goes on 429s only, set by the platform's error page (web.errors).
    config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    config.setdefault("RATELIMIT_KEY_PREFIX", "inkwell-limits")


def _with_driver(url: str) -> str:
    """Pin plain PostgreSQL URLs to psycopg2 (SQLAlchemy 2.1 defaults to psycopg 3)."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg2://" + url.removeprefix(scheme)
    return url


def _instance_secret(path: Path) -> str:
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.touch(mode=0o600)
    path.write_text(key)
    return key
