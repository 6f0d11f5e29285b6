"""Load configuration in layers onto an app (see `settings` for every key)."""

import os
import secrets
from pathlib import Path
from typing import Any

from argon2 import Parameters, profiles
from flask import Config, Flask

from inkwell.platform.core import config_checks, settings

# platform/inkwell/platform/core/config.py -> the repository root.
REPO_ROOT = Path(__file__).resolve().parents[4]


class ConfigError(RuntimeError):
    """The configuration cannot work; the message has one line per mistake, each
    naming the key to set."""

    def report(self) -> str:
        """What a process prints as it refuses to start: an "Error:" line per mistake."""
        return "\n".join(f"Error: configuration: {line}" for line in str(self).splitlines())


def secret_keys(config: Config) -> list[str]:
    """Keys that may have signed what comes back: SECRET_KEY (signs everything new),
    then SECRET_KEY_FALLBACKS (the previous ones, during and after a rotation)."""
    return [config["SECRET_KEY"], *config["SECRET_KEY_FALLBACKS"]]


def instance_path() -> str:
    """Where the SQLite file, secret key and outputs live; INKWELL_INSTANCE_PATH overrides.
    It must be absolute: every relative path of the configuration is resolved in it."""
    path = os.environ.get("INKWELL_INSTANCE_PATH") or str(REPO_ROOT / "instance")
    if not Path(path).expanduser().is_absolute():
        raise ConfigError(
            f"INKWELL_INSTANCE_PATH: {path!r} is relative, so it would depend on the working "
            "directory; give an absolute path"
        )
    return str(Path(path).expanduser())


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
    problems = config_checks.problems(config, Path(app.instance_path))
    problems += _password_profile_problems(config)
    if problems:
        raise ConfigError("\n".join(problems))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not config["SECRET_KEY"]:  # development only: the checks refused it in production
        config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")
    # Flask-WTF signs forms with one key; itsdangerous takes a list, newest last.
    config.setdefault("WTF_CSRF_SECRET_KEY", secret_keys(config)[::-1])
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


def _password_profile_problems(config: Config) -> list[str]:
    profile = config["PASSWORD_HASH_PROFILE"]
    try:
        profile_parameters(profile)
    except ValueError as error:
        return [f"INKWELL_PASSWORD_HASH_PROFILE: {error}"]
    if profile == "CHEAPEST" and config["ENV"] == "production":
        return ["INKWELL_PASSWORD_HASH_PROFILE=CHEAPEST is for tests, never production"]
    return []


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
