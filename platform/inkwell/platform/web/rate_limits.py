"""Rate limits of the account forms per client address, from settings RATE_LIMIT_*:
past one, the answer is 429 with Retry-After (see errors). GETs, which only show a
form, are free. Logins are also throttled per account, whatever the address
(`login_throttle`)."""

from collections.abc import Callable
from typing import Any

from flask import current_app

from inkwell.platform.core.extensions import limiter


def limited(
    setting: str, key: Callable[[], str] | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Limit POSTs to the view per client address, or per `key()` when given
    (the email address a form names, say, whatever the client)."""
    return limiter.limit(
        lambda: current_app.config[setting],
        key_func=key,
        methods=["POST"],
        # Read per request: Flask-Limiter's own switch is one per process, not per app.
        exempt_when=lambda: not current_app.config["RATE_LIMITS_ENABLED"],
    )
