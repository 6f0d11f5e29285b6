"""What this process counts for Prometheus: requests and cache lookups.

`web.metrics` serves these with the figures read at scrape time (queues, the
outbox, publishes, mails), at `/metrics` on the app host. Under gunicorn each
worker counts its own; with PROMETHEUS_MULTIPROC_DIR set in the environment
(before this module is imported: prometheus_client reads it then) they write to
files there and a scrape adds them up (infra/gunicorn.conf.py clears the folder
at start and marks a dead worker's files).
"""

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "inkwell_http_requests",
    "Requests answered, by app (platform or site), method and status code.",
    ["app", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "inkwell_http_request_duration_seconds",
    "Time to the start of the answer, by app.",
    ["app"],
    # A cache hit takes about 0.3 ms, an uncached page 5-50 ms, an import seconds.
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CACHE_LOOKUPS = Counter(
    "inkwell_cache_lookups",
    "Page and fragment cache lookups: hit, miss, or unavailable (Redis down).",
    ["result"],
)
# Methods are labels as they are only when common, so a client cannot make a
# label per made-up method.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str) -> str:
    return method if method in METHODS else "other"
