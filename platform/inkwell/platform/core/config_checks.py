"""Every mistake in a configuration at once, one line each, before anything starts.

`problems` normalises what has one meaning only, in place: the case of
INKWELL_ENV ("Production") and PREFERRED_URL_SCHEME ("HTTPS"), a single string
for SECRET_KEY_FALLBACKS, a folder given relative or as `file:///path` (made
absolute against the instance folder, never the working directory, which
differs between gunicorn, the worker and a shell). Anything else that cannot
work is a line of the returned list; `config.configure` refuses to start with
all of them. No check touches the network: `inkwell doctor` does that.
"""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Config
from limits import parse_many

from inkwell.platform.core import settings

ENVS = ("development", "production")
# Long enough that guessing it is hopeless: `secrets.token_hex(32)` makes 64.
SECRET_KEY_MIN_LENGTH = 32
MAKE_KEY = "python3 -c 'import secrets; print(secrets.token_hex(32))'"
# S3's rules for new buckets: 3-63 lowercase letters, digits, dots and hyphens.
BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
STORE_KEYS = ("MIRROR_URL", "MEDIA_URL")
HTTP_URL_KEYS = ("WEBSUB_HUB_URL", "MIRROR_ENDPOINT_URL", "MIRROR_PUBLIC_URL", "MEDIA_PUBLIC_URL")
SERVICE_SCHEMES = {
    "DATABASE_URL": ("postgresql", "postgres", "sqlite"),
    "REDIS_URL": ("redis", "rediss", "unix"),
    "CELERY_BROKER_URL": ("redis", "rediss", "amqp", "amqps", "sqs"),
}


def problems(config: Config, instance: Path) -> list[str]:
    """What is wrong with `config` (normalised in place first), one line per mistake."""
    found: list[str] = []
    # Normalising first, so the type check sees "HTTPS" as https and one key as a list.
    checks: tuple[Callable[[Config], list[str]], ...] = (
        _env,
        _scheme,
        _secret_keys,
        _types,
        _rate_limits,
        _http_urls,
        _service_urls,
        _proxy_fix,
        _mail_encryption,
    )
    for check in checks:
        found += check(config)
    for key in STORE_KEYS:
        found += _store(config, key, instance)
    config["DATABASE_URL"] = _sqlite_in_instance(config["DATABASE_URL"], instance)
    for key in ("MAIL_OUTBOX_DIR", "NGINX_MAP_PATH"):  # files the app writes
        if config.get(key) and isinstance(config[key], str):
            config[key] = str(instance / Path(config[key]).expanduser())
    return found


def _types(config: Config) -> list[str]:
    """A setting whose default is a bool or a number must be one (environment values
    are JSON: INKWELL_MAIL_PORT=587, INKWELL_RATE_LIMITS_ENABLED=false). Whole and
    decimal numbers are alike: seconds may be 0.5 where the default is 3."""
    found = []
    for key, default in vars(settings).items():
        if not key.isupper() or default is None or key not in config:
            continue
        value = config[key]
        numeric = isinstance(default, int | float) and not isinstance(default, bool)
        expected = (int, float) if numeric else (type(default),)
        if isinstance(value, bool) != isinstance(default, bool) or not isinstance(value, expected):
            if isinstance(default, bool):
                kind = "true or false"
            else:
                kind = "a number" if numeric else f"a {type(default).__name__}"
            found.append(f"INKWELL_{key}: {value!r} is not {kind}")
    return found


def _env(config: Config) -> list[str]:
    env = str(config["ENV"]).strip().lower()
    if env not in ENVS:
        # "prod" or "staging" would silently run as development (a secret per node).
        return [f"INKWELL_ENV: {config['ENV']!r} is not one of {', '.join(ENVS)}"]
    config["ENV"] = env
    return []


def _secret_keys(config: Config) -> list[str]:
    found = []
    key, fallbacks = config["SECRET_KEY"], config.get("SECRET_KEY_FALLBACKS") or []
    if isinstance(fallbacks, str):
        fallbacks = [fallbacks]  # one old key, not its characters
    if not isinstance(fallbacks, list) or not all(isinstance(k, str) and k for k in fallbacks):
        found.append('INKWELL_SECRET_KEY_FALLBACKS: must be a JSON list of keys, ["old key"]')
        fallbacks = []
    config["SECRET_KEY_FALLBACKS"] = fallbacks
    if key is not None and not isinstance(key, str):
        found.append("INKWELL_SECRET_KEY: must be a string (quote it in config.py)")
    elif config["ENV"] == "production":
        if not key:
            found.append("INKWELL_SECRET_KEY must be set when INKWELL_ENV=production")
        elif len(key) < SECRET_KEY_MIN_LENGTH:
            found.append(
                f"INKWELL_SECRET_KEY: {len(key)} characters; production needs at least "
                f"{SECRET_KEY_MIN_LENGTH} (make one: {MAKE_KEY})"
            )
    return found


def _scheme(config: Config) -> list[str]:
    scheme = str(config["PREFERRED_URL_SCHEME"]).strip().lower()
    if scheme not in ("http", "https"):
        return [
            f"INKWELL_PREFERRED_URL_SCHEME: {config['PREFERRED_URL_SCHEME']!r} is not http or https"
        ]
    config["PREFERRED_URL_SCHEME"] = scheme  # "HTTPS" must still make Secure __Host- cookies
    return []


def _rate_limits(config: Config) -> list[str]:
    found = []
    for key in sorted(k for k in config if k.startswith("RATE_LIMIT_")):
        try:
            parse_many(config[key])
        except (ValueError, TypeError):
            found.append(f'INKWELL_{key}: {config[key]!r} is not a rate limit like "10 per minute"')
    return found


def _http_urls(config: Config) -> list[str]:
    return [
        f"INKWELL_{key} must be an http:// or https:// URL, not {config[key]!r}"
        for key in HTTP_URL_KEYS
        if config[key] and not _is_http_url(config[key])
    ]


def _is_http_url(url: Any) -> bool:
    parts = urlsplit(str(url))
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _service_urls(config: Config) -> list[str]:
    found = []
    for key, schemes in SERVICE_SCHEMES.items():
        url = config[key]
        scheme = urlsplit(str(url)).scheme.split("+")[0]
        if url and scheme not in schemes:
            found.append(f"{key}: {url!r} does not start with {'://, '.join(schemes)}://")
    return found


def _proxy_fix(config: Config) -> list[str]:
    trusted = config["PROXY_FIX"]
    if not isinstance(trusted, dict) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in trusted.values()
    ):
        return ['INKWELL_PROXY_FIX: must map headers to hops, {"x_for": 1, "x_proto": 1}']
    config["PROXY_FIX"] = {header.lower(): hops for header, hops in trusted.items()}
    return []


def _mail_encryption(config: Config) -> list[str]:
    if config["MAIL_USE_TLS"] is True and config["MAIL_USE_SSL"] is True:
        return ["INKWELL_MAIL_USE_TLS and INKWELL_MAIL_USE_SSL: one or the other (587 or 465)"]
    return []


def _store(config: Config, key: str, instance: Path) -> list[str]:
    """A store is s3://bucket/prefix or a folder; a folder becomes an absolute path."""
    url = config[key]
    if not url or not isinstance(url, str):
        return []  # not a string: _types said so
    parts = urlsplit(url)
    if parts.scheme == "s3":
        if not BUCKET_RE.fullmatch(parts.netloc) or ".." in parts.netloc:
            return [f"{key}: {parts.netloc!r} in {url!r} is not an S3 bucket name"]
        return []
    if parts.scheme == "file":
        if parts.netloc not in ("", "localhost"):
            # file://tmp/x is host "tmp", path "/x": it would write to /x.
            return [f"{key}: {url!r} names host {parts.netloc!r}; a folder is file:///abs/path"]
        config[key] = unquote(parts.path)
    elif parts.scheme and len(parts.scheme) > 1:  # "C:" is a Windows drive, not a scheme
        return [f"{key}: {url!r} is neither s3://bucket/prefix nor a folder"]
    config[key] = str(instance / Path(config[key]).expanduser())
    return []


def _sqlite_in_instance(url: str, instance: Path) -> str:
    """sqlite:///name.db is relative (sqlite:////abs/name.db is not): in the instance folder."""
    if (
        not isinstance(url, str)
        or not url.startswith("sqlite:///")
        or url.startswith("sqlite:////")
    ):
        return url
    name = url.removeprefix("sqlite:///")
    return f"sqlite:///{instance / name}" if name and not name.startswith(":") else url
