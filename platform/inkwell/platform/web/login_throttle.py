"""The per-account login throttle, beside the per-address limits of `rate_limits`.

The per-address limits cannot see a guesser who spreads one account's guesses over
many client addresses. This counts wrong passwords per account: after
LOGIN_THROTTLE_FREE_FAILURES in a row, every further one makes the account's next
attempt wait, from any address, twice as long as the one before (1 s, 2 s, 4 s…)
up to LOGIN_THROTTLE_MAX_SECONDS. Never a lockout: a wait always ends.

- Keyed by the normalized email, whether an account has it or not, and checked
  before any account is looked up or password hashed: the answers, and their
  timing, are the same for an address with no account.
- While an account waits, every attempt is refused (429, Retry-After) without its
  password being checked. The right password waits too: were it let through, the
  refusals would tell a guesser which of their guesses was right.
- A successful login forgets the failures, and so does a password reset through
  the mailed link (the way back offered on the 429 page: only the mailbox's owner
  can take it); otherwise Redis forgets them LOGIN_THROTTLE_FORGET_SECONDS after
  the last one.
- Counters live in Redis (RATELIMIT_STORAGE_URI, as the per-address limits'), under
  a keyed hash of the address, so the store holds no addresses and every process
  shares them; in memory when that is not a Redis URL, or while Redis fails (then
  per process, and tried again after REDIS_RETRY_SECONDS), so a dead Redis never
  fails a login nor lifts the throttle.

RATE_LIMITS_ENABLED switches it, with the per-address limits. Time is read from
`LoginThrottle.clock` (wall-clock seconds, shared by every process through Redis),
which tests replace to move time instead of sleeping.
"""

import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import redis
from flask import Flask, current_app
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

EXTENSION = "inkwell.login_throttle"
# After a Redis failure, count in memory this long before trying Redis again: a
# hung Redis then costs one socket timeout per interval, not two per login.
REDIS_RETRY_SECONDS = 15.0
# Bounds the memory a flood of made-up addresses can take while counting in memory.
MAX_REMEMBERED = 100_000
# 2**60 seconds outlasts any cap; a larger exponent would overflow a float.
MAX_DOUBLINGS = 60


class LoginThrottle:
    """One app's per-account counters of consecutive wrong passwords."""

    def __init__(self, config: dict[str, Any], clock: Callable[[], float] = time.time) -> None:
        self.free = config["LOGIN_THROTTLE_FREE_FAILURES"]
        self.base = config["LOGIN_THROTTLE_BASE_SECONDS"]
        self.cap = config["LOGIN_THROTTLE_MAX_SECONDS"]
        self.forget_after = config["LOGIN_THROTTLE_FORGET_SECONDS"]
        self.secret = str(config["SECRET_KEY"]).encode()
        self.prefix = f"{config['RATELIMIT_KEY_PREFIX']}:login-failures:"
        self.clock = clock
        self.redis = _redis_client(config)
        self.redis_back_at = 0.0
        # key -> (failures, time of the last one)
        self.memory: dict[str, tuple[int, float]] = {}
        self.lock = threading.Lock()

    def delay(self, failures: int) -> float:
        """How long the next attempt waits after `failures` wrong passwords in a row."""
        if failures <= self.free:
            return 0.0
        return min(self.base * 2.0 ** min(failures - self.free - 1, MAX_DOUBLINGS), self.cap)

    def wait(self, email: str) -> float:
        """Seconds before `email` (normalized) may try a password again; 0: now."""
        failures, last = self._read(self._key(email))
        return max(0.0, last + self.delay(failures) - self.clock())

    def failed(self, email: str) -> None:
        """Count a wrong password for `email`."""
        key, now = self._key(email), self.clock()
        ttl = int(self.forget_after)

        def count(client: redis.Redis) -> None:
            with client.pipeline(transaction=True) as pipe:
                pipe.hincrby(key, "failures", 1).hset(key, "last", repr(now)).expire(key, ttl)
                pipe.execute()

        if self._on_redis(count)[0]:
            return
        with self.lock:
            failures, _ = self._remembered(key, now)
            if len(self.memory) >= MAX_REMEMBERED:
                self.memory.clear()
            self.memory[key] = (failures + 1, now)

    def forget(self, email: str) -> None:
        """Drop `email`'s failures (a successful login, a password reset)."""
        key = self._key(email)
        if not self._on_redis(lambda client: client.delete(key))[0]:
            with self.lock:
                self.memory.pop(key, None)

    def _key(self, email: str) -> str:
        return self.prefix + hmac.new(self.secret, email.encode(), hashlib.sha256).hexdigest()

    def _read(self, key: str) -> tuple[int, float]:
        answered, found = self._on_redis(lambda client: client.hmget(key, "failures", "last"))
        if answered:
            failures, last = found
            return (int(failures), float(last)) if failures and last else (0, 0.0)
        with self.lock:
            return self._remembered(key, self.clock())

    def _remembered(self, key: str, now: float) -> tuple[int, float]:
        """The in-memory counter of `key`, forgotten as Redis would forget it."""
        failures, last = self.memory.get(key, (0, 0.0))
        if now - last > self.forget_after:
            self.memory.pop(key, None)
            return 0, 0.0
        return failures, last

    def _on_redis(self, operation: Callable[[redis.Redis], Any]) -> tuple[bool, Any]:
        """(True, `operation`'s result on Redis), or (False, None) without a working
        Redis: the caller counts in memory instead."""
        if self.redis is None or self.clock() < self.redis_back_at:
            return False, None
        try:
            return True, operation(self.redis)
        except (RedisError, OSError) as error:
            log.warning(
                "login throttle: Redis unavailable, counting in memory for %.0f s: %s",
                REDIS_RETRY_SECONDS,
                error,
            )
            self.redis_back_at = self.clock() + REDIS_RETRY_SECONDS
            return False, None


def _redis_client(config: dict[str, Any]) -> redis.Redis | None:
    uri = config["RATELIMIT_STORAGE_URI"]
    if not uri.startswith(("redis://", "rediss://")):
        return None
    options = config["RATELIMIT_STORAGE_OPTIONS"]
    return redis.Redis.from_url(
        uri,
        socket_timeout=options.get("socket_timeout"),
        socket_connect_timeout=options.get("socket_connect_timeout"),
    )


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = LoginThrottle(app.config)


def of(app: Flask) -> LoginThrottle:
    """`app`'s throttle."""
    return app.extensions[EXTENSION]


def _current() -> LoginThrottle | None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return of(app) if app.config["RATE_LIMITS_ENABLED"] else None


def seconds_to_wait(email: str) -> float:
    """How long `email` must wait before its password is checked; 0: check it now."""
    throttle = _current()
    return throttle.wait(email) if throttle else 0.0


def login_failed(email: str) -> None:
    if throttle := _current():
        throttle.failed(email)


def forget(email: str) -> None:
    if throttle := _current():
        throttle.forget(email)
