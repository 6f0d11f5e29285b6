"""Wrong passwords for one account slow down its next attempts from every client
address (the per-address limits cannot see a guesser spread over many): 429 with
Retry-After, the same for an address with no account, forgotten on success or
after a password reset. Time moves by the throttle's clock, never by sleeping."""

import re
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from fixtures.clock import Clock
from inkwell.platform.core.accounts.registration import new_user
from inkwell.platform.core.extensions import db
from inkwell.platform.web import login_throttle
from inkwell.platform.web.accounts import auth

VICTIM, SECRET = "victim@example.com", "the right password"
FREE, CAP = 3, 8.0
# Never one address twice in a run, nor likely across runs: the PostgreSQL pass keeps
# the per-address limits' counters in a shared Redis.
ADDRESSES = (f"2001:db8:{secrets.token_hex(2)}::{n:x}" for n in count(1))
TOKEN_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Site:
    app: Flask
    clock: Clock
    behind_proxy: bool

    def visitor(self) -> "Visitor":
        """A new browser at an address never seen before."""
        return Visitor(self, next(ADDRESSES))

    def login(self, email: str, password: str) -> TestResponse:
        return self.visitor().login(email, password)


class Visitor:
    """A browser on the platform host at one client address: the socket's, or the
    one nginx forwards (X-Forwarded-For) when the app trusts a proxy hop."""

    def __init__(self, site: Site, address: str) -> None:
        self.site, self.address = site, address
        self.client = site.app.test_client()

    def open(self, path: str, method: str = "GET", **kwargs) -> TestResponse:
        if self.site.behind_proxy:  # the socket is nginx's; the client is in the header
            kwargs["headers"] = {"X-Forwarded-For": self.address}
        else:
            kwargs["environ_base"] = {"REMOTE_ADDR": self.address}
        host = self.site.app.config["APP_HOST"]
        return self.client.open(path, method=method, base_url=f"http://{host}/", **kwargs)

    def submit(self, path: str, data: dict[str, str]) -> TestResponse:
        token = TOKEN_RE.search(self.open(path).text)[1]
        return self.open(path, "POST", data={"csrf_token": token, **data})

    def login(self, email: str, password: str) -> TestResponse:
        return self.submit("/login", {"email": email, "password": password})


@pytest.fixture(params=["direct", "behind_proxy"])
def site(request, app, app_factory) -> Iterator[Site]:
    """The whole app with rate limits on, its own limit keys (the PostgreSQL pass
    shares a Redis) and a stopped clock; clients connect directly, or through one
    trusted proxy."""
    behind_proxy = request.param == "behind_proxy"
    prefix = f"test-limits-{uuid.uuid4().hex}"
    limited = app_factory(
        RATE_LIMITS_ENABLED=True,
        RATELIMIT_KEY_PREFIX=prefix,
        LOGIN_THROTTLE_FREE_FAILURES=FREE,
        LOGIN_THROTTLE_MAX_SECONDS=CAP,
        PROXY_FIX={"x_for": 1} if behind_proxy else {},
    )
    clock = Clock(start=1_900_000_000.0)  # wall-clock seconds, as the throttle reads
    throttle = login_throttle.of(limited)
    throttle.clock = clock
    with limited.app_context():
        new_user(VICTIM, SECRET, verified=True)
        db.session.commit()
    yield Site(limited, clock, behind_proxy)
    if throttle.redis is not None:  # leave nothing behind in a shared Redis
        for key in throttle.redis.scan_iter(match=f"{prefix}*"):
            throttle.redis.delete(key)


def exhaust(site: Site, email: str) -> list[int]:
    """The free failures and the first that costs a wait, each from a new address."""
    return [site.login(email, "wrong password").status_code for _ in range(FREE + 1)]


def assert_throttled(answer: TestResponse, seconds: int) -> None:
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == str(seconds)
    assert "Too many attempts" in answer.text
    assert f"try again in {seconds} second" in answer.text
    assert 'href="/login"' in answer.text and 'href="/forgot-password"' in answer.text


def test_many_addresses_guessing_one_account_wait_longer_and_longer(site: Site) -> None:
    assert exhaust(site, VICTIM) == [401] * (FREE + 1)
    assert_throttled(site.login(VICTIM, "a wrong guess"), 1)
    for wait in (1, 2, 4, 8, 8):  # doubling, up to the cap
        site.clock.advance(wait)
        assert site.login(VICTIM, "a wrong guess").status_code == 401  # checked, and wrong
        assert_throttled(site.login(VICTIM, "a wrong guess"), min(2 * wait, int(CAP)))


def test_an_address_without_account_is_answered_the_same(site: Site, monkeypatch) -> None:
    checked = []
    monkeypatch.setattr(auth, "check_password", lambda *args: checked.append(args) or False)
    answers = {}
    for email in (VICTIM, "nobody@example.com"):
        statuses = exhaust(site, email)
        waiting = site.login(email, "a wrong guess")
        answers[email] = (statuses, waiting.status_code, waiting.headers["Retry-After"])
    assert answers[VICTIM] == answers["nobody@example.com"] == ([401] * (FREE + 1), 429, "1")
    # A waiting address costs no account lookup and no hash, known or not.
    assert len(checked) == 2 * (FREE + 1)


def test_the_right_password_waits_too(site: Site) -> None:
    exhaust(site, VICTIM)
    assert_throttled(site.login(VICTIM, SECRET), 1)
    site.clock.advance(1)
    assert site.login(VICTIM, SECRET).status_code == 302


def test_a_success_forgets_the_failures(site: Site) -> None:
    exhaust(site, VICTIM)
    site.clock.advance(1)
    assert site.login(VICTIM.upper(), SECRET).status_code == 302  # any spelling of the address
    assert exhaust(site, VICTIM)[:FREE] == [401] * FREE  # free again


def test_a_password_reset_lets_the_owner_in_at_once(site: Site, mailbox) -> None:
    exhaust(site, VICTIM)
    owner = site.visitor()
    assert_throttled(owner.login(VICTIM, SECRET), 1)
    owner.submit("/forgot-password", {"email": VICTIM})
    mail = mailbox.to(VICTIM)[-1].get_body(("plain",)).get_content()
    owner.open(re.search(r"http://app\.test(/reset-password/\S+)", mail)[1])
    new = {"password": "a new password", "confirm": "a new password"}
    assert owner.submit("/reset-password", new).status_code == 302
    assert owner.login(VICTIM, "a new password").status_code == 302


def test_the_throttle_counts_on_redis_and_in_memory_when_it_hangs(app, own_redis) -> None:
    # A throttle of its own: Flask-Limiter's storage is one per process, and pointing
    # an app's at this server would leave it dead for the tests after this one.
    config = {**app.config, "RATELIMIT_STORAGE_URI": own_redis.url}
    throttle = login_throttle.LoginThrottle({**config, "LOGIN_THROTTLE_FREE_FAILURES": FREE})
    throttle.clock = clock = Clock(start=1_900_000_000.0)
    for _ in range(FREE + 1):
        throttle.failed(VICTIM)
    assert throttle.wait(VICTIM) == 1.0
    assert throttle.memory == {}  # counted on Redis, where every process sees it
    own_redis.freeze()
    try:
        assert throttle.wait(VICTIM) == 0.0  # Redis does not answer: memory, empty so far
        for _ in range(FREE + 1):
            throttle.failed(VICTIM)  # no error, and counted all the same
        assert throttle.wait(VICTIM) == 1.0
    finally:
        own_redis.thaw()
    in_memory = dict(throttle.memory)
    clock.advance(login_throttle.REDIS_RETRY_SECONDS)  # Redis is tried again
    throttle.failed(VICTIM)
    assert throttle.wait(VICTIM) == 2.0 and throttle.memory == in_memory
    throttle.forget(VICTIM)
    assert throttle.wait(VICTIM) == 0.0


def test_logins_work_and_are_throttled_while_its_redis_is_down(site: Site) -> None:
    dead = {**site.app.config, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"}
    site.app.extensions[login_throttle.EXTENSION] = throttle = login_throttle.LoginThrottle(dead)
    throttle.clock = site.clock
    assert exhaust(site, VICTIM) == [401] * (FREE + 1)  # counted in memory, no 500
    assert_throttled(site.login(VICTIM, SECRET), 1)
    site.clock.advance(1)
    assert site.login(VICTIM, SECRET).status_code == 302
