"""The clocks that the app's timed behaviour reads: `monotonic` for durations (the
cache breaker's cooldown in `caching.SafeCache`, the blog lookup TTL in
`tenants.fast_path`) and `wall` for dates (`types.utcnow`, so every stored time and
HTTP validator date).

Read them as `clock.monotonic()` and `clock.wall()`, looked up at each call, never
imported by name: the test suite replaces them (its `clock` fixture, or a stopped
`Clock` set on `wall`) to move time forward instead of sleeping. The plain C
functions, so the fast path pays no extra call.
"""

import time

monotonic = time.monotonic
wall = time.time
