"""gunicorn settings for Inkwell.

    gunicorn -c infra/gunicorn.conf.py 'inkwell.platform.wsgi:create_app()'

Behind nginx (infra/nginx/inkwell.conf) also set INKWELL_PROXY_FIX__X_FOR=1 and
INKWELL_PROXY_FIX__X_PROTO=1 so the app sees the client's address and scheme.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
# Sync workers: requests are short (HTML is rendered at save time, pages cache).
# gthread would keep nginx's upstream connections alive, but measured on the
# bench it spends more CPU per request (its poller and thread pool) than sync
# spends on a new loopback connection.
worker_class = "sync"
timeout = 30
graceful_timeout = 20
# Recycle workers now and then, so a slow leak never grows without bound; rarely,
# since a worker's restart stalls the requests queued on it for about a second.
max_requests = 200_000
max_requests_jitter = 20_000
# Build the app in each worker, after fork: database pools must not be shared.
preload_app = False
# No access log here: nginx logs every request already, also those it answers
# from a blog's mirror when the app is down, and a line per request costs
# gunicorn ~50 us of CPU, about a fifth of a cache hit. GUNICORN_ACCESSLOG=- turns
# it on.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
