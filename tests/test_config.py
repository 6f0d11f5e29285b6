"""Embedded defaults with no configuration; environment switches to real services."""

from pathlib import Path

import pytest
from flask import Flask

from inkwell.platform.core.app import create_base_app
from inkwell.platform.core.config import ConfigError


@pytest.fixture
def bare_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for key in ("DATABASE_URL", "REDIS_URL", "INKWELL_SECRET_KEY", "INKWELL_ENV"):
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
    ({"INKWELL_ENV": "production"}, "SECRET_KEY", "s3cret"),
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
