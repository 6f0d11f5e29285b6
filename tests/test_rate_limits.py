"""Account forms are rate-limited per client: 429 with Retry-After, even when
the limits' Redis is down (counted in memory then)."""

import secrets
from collections.abc import Iterator
from ipaddress import IPv4Address

import pytest
from flask import Flask
from flask.testing import FlaskClient

from fixtures.accounts import AuthActions
from fixtures.app import csrf_token, platform_browser
from inkwell.platform.core.extensions import limiter

TIGHT = {
    "RATE_LIMITS_ENABLED": True,
    "RATE_LIMIT_LOGIN": "3 per minute",
    "RATE_LIMIT_SIGNUP": "2 per minute",
    "RATE_LIMIT_RESET_REQUEST": "2 per minute",
}


@pytest.fixture(autouse=True)
def _limits_storage_alive_again() -> Iterator[None]:
    yield
    # Flask-Limiter's limiter is one object per process, shared by every app the
    # suite makes. Once a dead Redis marked its storage dead, a later test's app
    # counted in the in-memory fallback until a timed re-check found its own
    # storage alive and switched to it, the counts so far lost: a test slowed
    # down by a loaded machine then saw no 429.
    limiter._storage_dead = False


def browser_of_its_own(app: Flask) -> FlaskClient:
    """A platform browser from a client address of its own. Limits count per
    address, and with REDIS_URL set their counters outlive the app: tests (and
    concurrent runs) all posting from 127.0.0.1 would share them."""
    browser = platform_browser(app)
    browser.environ_base["REMOTE_ADDR"] = str(IPv4Address(b"\x0a" + secrets.token_bytes(3)))
    return browser


def attempts(browser, url: str, data: dict[str, str], times: int) -> list[int]:
    token = csrf_token(browser, url)
    return [browser.post(url, data={"csrf_token": token, **data}).status_code for _ in range(times)]


@pytest.mark.parametrize(
    ("url", "data", "allowed"),
    [
        ("/login", {"email": "a@example.com", "password": "wrong password"}, 3),
        ("/signup", {"email": "a@example.com", "password": "x", "subdomain": "ab"}, 2),
        ("/forgot-password", {"email": "a@example.com"}, 2),
    ],
)
def test_limits_answer_429_with_retry_after(app, app_factory, url, data, allowed) -> None:
    browser = browser_of_its_own(app_factory(**TIGHT))
    codes = attempts(browser, url, data, allowed)
    assert 429 not in codes
    blocked = browser.post(url, data={"csrf_token": csrf_token(browser, url), **data})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Too many attempts" in blocked.text
    assert browser.get(url).status_code == 200  # showing the form is never limited


def test_limits_hold_while_their_redis_is_down(app, app_factory, make_tenant) -> None:
    make_tenant("alice")
    dead = "redis://127.0.0.1:1/0"
    browser = browser_of_its_own(app_factory(RATELIMIT_STORAGE_URI=dead, **TIGHT))
    login = AuthActions(browser)
    assert login.login("alice@example.com").status_code == 302  # works, no 500
    codes = [login.login("alice@example.com", "wrong password").status_code for _ in range(3)]
    assert codes[-1] == 429


def test_invitations_are_limited(app, app_factory, make_tenant) -> None:
    make_tenant("alice")
    owner = AuthActions(browser_of_its_own(app_factory(**TIGHT, RATE_LIMIT_INVITE="2 per minute")))
    owner.login("alice@example.com")
    token = csrf_token(owner.client, "/blogs/alice/team/")
    codes = [
        owner.client.post(
            "/blogs/alice/team/invitations",
            data={"csrf_token": token, "email": f"friend{n}@example.com", "role": "author"},
        ).status_code
        for n in range(3)
    ]
    assert codes == [302, 302, 429]
