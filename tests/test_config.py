"""Embedded defaults with no configuration; environment switches to real services;
every mistake in a configuration stops the start, one line each, all at once."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from inkwell.platform.core.app import create_base_app
from inkwell.platform.core.config import ConfigError


@pytest.fixture
def bare_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for key in ("DATABASE_URL", "REDIS_URL", "MIRROR_URL", "MEDIA_URL", "CELERY_BROKER_URL"):
        monkeypatch.delenv(key, raising=False)
    for key in [k for k in os.environ if k.startswith("INKWELL_")]:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("INKWELL_INSTANCE_PATH", str(tmp_path))
    return tmp_path


def test_defaults_need_no_configuration(bare_env: Path) -> None:
    app = create_base_app("t")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{bare_env / 'inkwell.db'}"
    assert app.config["CACHE_TYPE"] == "SimpleCache"
    assert app.config["APP_HOST"] == "localhost:5000"
    assert app.config["BLOG_DOMAIN"] == "localhost:5000"
    assert app.instance_path == str(bare_env)


def test_secret_key_is_generated_once_and_kept(bare_env: Path) -> None:
    first = create_base_app("t").config["SECRET_KEY"]
    assert len(first) == 64
    assert create_base_app("t").config["SECRET_KEY"] == first
    assert (bare_env / "secret_key").stat().st_mode & 0o077 == 0


# (what is set first, the key that is then wrong or missing, a value that works)
REFUSED = [
    ({"INKWELL_ENV": "production"}, "SECRET_KEY", "s3cret" * 8),
    ({"INKWELL_WEBSUB_HUB_URL": "file:///etc/passwd"}, "WEBSUB_HUB_URL", "https://hub.example/"),
]


@pytest.mark.parametrize(("first", "key", "working"), REFUSED, ids=["secret", "websub hub"])
def test_a_setting_that_cannot_work_stops_the_start(
    bare_env: Path, monkeypatch: pytest.MonkeyPatch, first: dict, key: str, working: str
) -> None:
    for name, value in first.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=f"INKWELL_{key}"):
        create_base_app("t")
    monkeypatch.setenv(f"INKWELL_{key}", working)
    assert create_base_app("t").config[key] == working


def test_environment_switches_services(bare_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example/inkwell")
    monkeypatch.setenv("REDIS_URL", "redis://cache.example:6379/0")
    monkeypatch.setenv("INKWELL_APP_HOST", "app.example.com")
    monkeypatch.setenv("INKWELL_PROXY_FIX__X_FOR", "1")
    app: Flask = create_base_app("t")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg2://u@db.example/inkwell"
    assert app.config["CACHE_TYPE"] == "RedisCache"
    assert app.config["CACHE_REDIS_URL"] == "redis://cache.example:6379/0"
    assert app.config["APP_HOST"] == "app.example.com"
    assert app.config["PROXY_FIX"] == {"x_for": 1}


def test_https_hardens_cookies(bare_env: Path) -> None:
    config = create_base_app("t", {"PREFERRED_URL_SCHEME": "https"}).config
    assert config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_NAME"] == "__Host-remember"
    assert config["SESSION_COOKIE_DOMAIN"] in (None, False)


LONG_KEY = "k" * 32

# (environment, the line the start refuses with): each mistake of issue 21, point 3.
MISTAKES = [
    ({"INKWELL_ENV": "prod"}, "INKWELL_ENV: 'prod' is not one of development, production"),
    ({"INKWELL_ENV": "production", "INKWELL_SECRET_KEY": "x"}, "INKWELL_SECRET_KEY: 1 characters"),
    ({"INKWELL_RATE_LIMIT_LOGIN": "ten a minute"}, "INKWELL_RATE_LIMIT_LOGIN: 'ten a minute'"),
    ({"MIRROR_URL": "file://tmp/x"}, "MIRROR_URL: 'file://tmp/x' names host 'tmp'"),
    ({"MIRROR_URL": "s3://My_Bucket/blogs"}, "MIRROR_URL: 'My_Bucket' in 's3://My_Bucket/blogs'"),
    ({"MEDIA_URL": "gs://bucket/media"}, "MEDIA_URL: 'gs://bucket/media' is neither"),
    ({"INKWELL_PREFERRED_URL_SCHEME": "ftp"}, "INKWELL_PREFERRED_URL_SCHEME: 'ftp' is not"),
    (
        {"INKWELL_RATE_LIMITS_ENABLED": "no"},
        "INKWELL_RATE_LIMITS_ENABLED: 'no' is not true or false",
    ),
    ({"INKWELL_MAIL_PORT": "smtp"}, "INKWELL_MAIL_PORT: 'smtp' is not a number"),
    ({"INKWELL_SECRET_KEY_FALLBACKS": "[1]"}, "INKWELL_SECRET_KEY_FALLBACKS: must be a JSON list"),
    ({"REDIS_URL": "localhost:6379"}, "REDIS_URL: 'localhost:6379' does not start with redis://"),
    ({"INKWELL_MIRROR_PUBLIC_URL": "cdn.example"}, "INKWELL_MIRROR_PUBLIC_URL must be an http"),
    ({"INKWELL_PROXY_FIX__X_FOR": "one"}, "INKWELL_PROXY_FIX: must map headers to hops"),
    (
        {"INKWELL_MAIL_USE_TLS": "true", "INKWELL_MAIL_USE_SSL": "true"},
        "INKWELL_MAIL_USE_TLS and INKWELL_MAIL_USE_SSL: one or the other",
    ),
]


@pytest.mark.parametrize(("env", "line"), MISTAKES, ids=[m[1].split(":")[0] for m in MISTAKES])
def test_each_mistake_stops_the_start_with_its_line(
    bare_env: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], line: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as refused:
        create_base_app("t")
    assert str(refused.value).splitlines() == [
        next(found for found in str(refused.value).splitlines() if found.startswith(line))
    ]


def test_every_mistake_is_reported_at_once(bare_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for env, _line in MISTAKES[2:]:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("INKWELL_ENV", "Production")
    with pytest.raises(ConfigError) as refused:
        create_base_app("t")
    lines = str(refused.value).splitlines()
    # One line per mistake: MIRROR_URL is set twice (the last counts), and production
    # without a key is one more.
    assert len(lines) == len(MISTAKES[2:]) - 1 + 1
    assert "INKWELL_SECRET_KEY must be set when INKWELL_ENV=production" in lines


def test_unambiguous_spellings_are_normalised(
    bare_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INKWELL_ENV", " Production")
    monkeypatch.setenv("INKWELL_SECRET_KEY", LONG_KEY)
    monkeypatch.setenv("INKWELL_PREFERRED_URL_SCHEME", "HTTPS")
    monkeypatch.setenv("INKWELL_SECRET_KEY_FALLBACKS", "the old key")
    config = create_base_app("t").config
    assert config["ENV"] == "production"
    assert config["ADMIN_REQUIRE_2FA"] is True  # production really is on
    assert config["PREFERRED_URL_SCHEME"] == "https"
    assert config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SECRET_KEY_FALLBACKS"] == ["the old key"]  # one key, not its letters


def test_relative_paths_are_in_the_instance_folder(
    bare_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))  # the working directory never counts
    monkeypatch.setenv("MIRROR_URL", "mirror-files")
    monkeypatch.setenv("MEDIA_URL", "file:///srv/media")
    monkeypatch.setenv("INKWELL_MAIL_OUTBOX_DIR", "mail/out")
    monkeypatch.setenv("INKWELL_NGINX_MAP_PATH", "nginx/hosts.map")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///data/ink.db")
    config = create_base_app("t").config
    assert config["MIRROR_URL"] == str(bare_env / "mirror-files")
    assert config["MEDIA_URL"] == "/srv/media"
    assert config["MAIL_OUTBOX_DIR"] == str(bare_env / "mail/out")
    assert config["NGINX_MAP_PATH"] == str(bare_env / "nginx/hosts.map")
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{bare_env / 'data/ink.db'}"


def test_s3_stores_pass_unchanged(bare_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIRROR_URL", "s3://inkwell-mirrors.example/blogs")
    assert create_base_app("t").config["MIRROR_URL"] == "s3://inkwell-mirrors.example/blogs"


def test_workers_and_the_cli_check_too(bare_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker and beat build their app with the same factory as web and CLI."""
    monkeypatch.setenv("INKWELL_ENV", "prod")
    result = subprocess.run(
        [sys.executable, "-c", "import inkwell.workers.worker"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Error: configuration: INKWELL_ENV: 'prod' is not one of development, production"
    ]


def test_the_instance_folder_is_absolute(bare_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INKWELL_INSTANCE_PATH", "instance")
    with pytest.raises(ConfigError, match="INKWELL_INSTANCE_PATH: 'instance' is relative"):
        create_base_app("t")
