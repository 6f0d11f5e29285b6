"""gunicorn settings for Inkwell.

    gunicorn -c infra/gunicorn.conf.py 'inkwell.platform.wsgi:create_app()'

Behind nginx (infra/nginx/inkwell.conf) also set INKWELL_PROXY_FIX__X_FOR=1 and
INKWELL_PROXY_FIX__X_PROTO=1 so the app sees the client's address and scheme.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count()))
# Threads: a request spends part of its time waiting on Redis or PostgreSQL, and
# a sync worker idles through that, and through closing every connection (it
# waits for the client's FIN). gthread overlaps those waits and keeps
# connections alive, so nginx reuses its upstream ones (`keepalive 32` in
# infra/nginx). On the bench's 2 cores, 4 threads a worker answered cache hits
# ~1.5x and a minimal Flask view ~1.7x as fast as sync, at no more CPU per
# request. Sessions and the current tenant belong to a request's context; what
# the site's fast path remembers is shared, read-only.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Longer than nginx keeps idle upstream connections (60 s), so nginx, not
# gunicorn, closes them and never sends on one gunicorn just closed.
keepalive = 75
# A worker that stops answering its arbiter for this long is restarted; with
# threads a request stuck in one thread goes unnoticed, hence Redis's timeouts.
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


# Prometheus (/metrics, web.metrics): with PROMETHEUS_MULTIPROC_DIR set, each
# worker writes its counts to files there and a scrape, answered by any worker,
# adds them all up. The folder must start empty (counts of a previous run would
# add in) and be this server's alone (systemd's RuntimeDirectory is both).
def on_starting(server: object) -> None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if name.endswith(".db"):
                os.remove(os.path.join(folder, name))


def child_exit(server: object, worker: object) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
