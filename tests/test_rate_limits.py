"""Account forms are rate-limited per client: 429 with Retry-After, even when
the limits' Redis is down (counted in memory then)."""

from collections.abc import Iterator

import pytest

from conftest import AuthActions, csrf_token, platform_browser
from inkwell.platform.core.extensions import limiter

TIGHT = {
    "RATE_LIMITS_ENABLED": True,
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


@pytest.fixture
def dead_storage() -> Iterator[str]:
    yield "redis://127.0.0.1:1/0"
    # Flask-Limiter keeps one storage state per process, not per app: having seen this
    # storage dead, it counts in memory until a timed health check (with back-off) finds
    # a later app's storage alive, which can fall midway through a later test and
    # restart its counts. Leave the process as a fresh one would be.
    limiter._storage_dead = False


def test_limits_hold_while_their_redis_is_down(app, app_factory, make_tenant, dead_storage) -> None:
    make_tenant("alice")
    browser = platform_browser(app_factory(RATELIMIT_STORAGE_URI=dead_storage, **TIGHT))
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
