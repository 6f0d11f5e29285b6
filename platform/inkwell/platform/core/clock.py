"""The monotonic clock that the app's timed behaviour reads: the cache breaker's
cooldown (`caching.SafeCache`) and the blog lookup TTL (`tenants.fast_path`).

Read it as `clock.monotonic()`, looked up at each call, never imported by name:
the test suite replaces it (its `clock` fixture) to move time forward instead of
sleeping through a TTL. The plain C function, so the fast path pays no extra call.
"""

import time

monotonic = time.monotonic
