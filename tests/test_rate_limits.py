"""Account forms are rate-limited per client: 429 with Retry-After, even when
the limits' Redis is down (counted in memory then)."""

import contextlib
import uuid
from collections.abc import Iterator

import pytest
from redis.exceptions import RedisError

from fixtures.accounts import AuthActions
from fixtures.app import csrf_token, platform_browser
from inkwell.platform.core.extensions import limiter
from inkwell.platform.web import login_throttle

TIGHT = {
    "RATE_LIMITS_ENABLED": True,
    # This run's own keys for the login throttle: in the PostgreSQL pass its counters
    # live a day in a Redis that every run shares.
    "RATELIMIT_KEY_PREFIX": f"test-limits-{uuid.uuid4().hex}",
    "RATE_LIMIT_LOGIN": "3 per minute",
    "RATE_LIMIT_SIGNUP": "2 per minute",
    "RATE_LIMIT_RESET_REQUEST": "2 per minute",
}


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
    browser = platform_browser(app_factory(**TIGHT))
    codes = attempts(browser, url, data, allowed)
    assert 429 not in codes
    blocked = browser.post(url, data={"csrf_token": csrf_token(browser, url), **data})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "Too many attempts" in blocked.text
    assert browser.get(url).status_code == 200  # showing the form is never limited


@pytest.fixture(autouse=True)
def _fresh_limits(app) -> Iterator[None]:
    """Each test leaves the limits as a fresh process has them. Flask-Limiter keeps one
    storage state per process, not per app: counters in the PostgreSQL pass's Redis
    outlive the test that made them, and a storage seen dead makes it count in memory
    until a timed health check finds a later app's storage alive, which can fall
    midway through a later test and restart its counts."""
    yield
    limiter._storage_dead = False
    with contextlib.suppress(RedisError):  # the dead storage's test has nothing to clear
        limiter.reset()
    shared = login_throttle.of(app).redis  # the same Redis as the tests' apps, if any
    if shared is not None:
        for key in shared.scan_iter(match=f"{TIGHT['RATELIMIT_KEY_PREFIX']}:*"):
            shared.delete(key)


def test_limits_hold_while_their_redis_is_down(app, app_factory, make_tenant) -> None:
    make_tenant("alice")
    dead = "redis://127.0.0.1:1/0"
    browser = platform_browser(app_factory(RATELIMIT_STORAGE_URI=dead, **TIGHT))
    login = AuthActions(browser)
    assert login.login("alice@example.com").status_code == 302  # works, no 500
    codes = [login.login("alice@example.com", "wrong password").status_code for _ in range(3)]
    assert codes[-1] == 429


def test_invitations_are_limited(app, app_factory, make_tenant) -> None:
    make_tenant("alice")
    owner = AuthActions(platform_browser(app_factory(**TIGHT, RATE_LIMIT_INVITE="2 per minute")))
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
