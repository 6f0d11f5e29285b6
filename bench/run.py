"""`make bench`: Inkwell against nginx on real PostgreSQL and Redis (issue 4, point 7).

Steps: install wrk and nginx if missing; import a generated 1,000-post blog;
serve it with gunicorn, cached and uncached, and a static copy of one post page
with nginx; measure each with wrk; time the index page query at 1,000,000 posts;
write bench/RESULTS.md. Everything started here is stopped and dropped again,
also when a step fails.
"""

import os
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import services
from bench.corpus import write_corpus
from bench.http_load import Figures, Target, rounds, run_wrk
from bench.index_query import QueryTiming, load, measure
from bench.machine import describe
from bench.report import Run, summary, write_results

DATABASE, BIG_DATABASE = "inkwell_bench", "inkwell_bench_big"
REDIS_URL = "redis://127.0.0.1:6379/13"  # the bench's own database, flushed before and after
BLOG, HOST = "bench", "bench.blogs.bench"
EMAIL, PASSWORD = "bench@example.com", "bench-password"
POST_COUNT = 1_000
ROUNDS, SECONDS, WARMUP_SECONDS = 5, 5, 2
MINIMAL_APP = "bench.minimal_app:app"


def main() -> None:
    # make (or a CI runner) stops us with SIGTERM: unwind, so the cleanup runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    services.ensure_tools()
    with tempfile.TemporaryDirectory(prefix="inkwell-bench-") as folder:
        tmp = Path(folder)
        os.environ["INKWELL_INSTANCE_PATH"] = str(tmp / "instance")
        machine = describe(f"{services.PG_SERVER}/postgres", REDIS_URL, services.nginx_binary())
        http, page = measure_http(tmp)
        queries = measure_index_query(tmp)
    run = Run(
        http=http,
        queries=queries,
        machine=machine,
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        minutes=(time.monotonic() - started) / 60,
        rounds=ROUNDS,
        seconds=SECONDS,
        page=page,
    )
    write_results(run)
    print(summary(run))
    print(f"Written to {services.ROOT.name}/bench/RESULTS.md in {run.minutes:.1f} minutes.")


def measure_http(tmp: Path) -> tuple[dict[str, Figures], str]:
    """wrk figures per target, and a description of the post page."""
    with (
        services.database(DATABASE) as database_url,
        services.redis_database(REDIS_URL) as redis_url,
    ):
        env = services.base_env(database_url, redis_url, tmp / "instance")
        path = _blog_with_posts(env, tmp / "corpus")
        uncached_env = {**env, "INKWELL_CACHE_TYPE": "NullCache"}
        with (
            services.gunicorn(env, tmp / "gunicorn.log", HOST) as cached,
            services.gunicorn(uncached_env, tmp / "gunicorn-uncached.log", HOST) as uncached,
            services.gunicorn(env, tmp / "gunicorn-flask.log", HOST, MINIMAL_APP) as minimal,
        ):
            page, etag = _check_caching(cached, uncached, path)
            with services.nginx(tmp / "nginx", path, page, HOST) as static:
                host = f"Host: {HOST}"
                targets = [
                    Target("nginx", static + path, (host,)),
                    Target("flask", minimal + path, (host,)),
                    Target("cached", cached + path, (host,)),
                    Target("uncached", uncached + path, (host,)),
                    Target("feed", cached + "/latest.atom", (host,)),
                    Target("304", cached + path, (host, f"If-None-Match: {etag}")),
                ]
                print("Warming up, then measuring:", flush=True)
                for target in targets:
                    run_wrk(target, WARMUP_SECONDS)
                figures = rounds(targets, ROUNDS, SECONDS)
                feed = services.fetch(cached + "/latest.atom", HOST)[0]
    return (
        figures,
        f"`{path}`, {len(page) / 1024:.1f} KB of HTML (the feed: {len(feed) / 1024:.0f} KB)",
    )


def _blog_with_posts(env: dict[str, str], corpus: Path) -> str:
    """Migrate, create the blog and import the corpus; the path of a post page."""
    print(f"Importing {POST_COUNT} posts into blog {BLOG!r}...", flush=True)
    services.inkwell(env, "db", "upgrade")
    services.inkwell(env, "users", "create", EMAIL, "--password", PASSWORD)
    services.inkwell(env, "blogs", "create", BLOG, "--owner", EMAIL, "--title", "Bench")
    corpus.mkdir()
    slugs = write_corpus(corpus, POST_COUNT)
    services.inkwell(env, "import", "markdown", BLOG, str(corpus))
    return f"/{slugs[len(slugs) // 2]}/"


def _check_caching(cached: str, uncached: str, path: str) -> tuple[bytes, str]:
    """The page and its ETag; fails unless the cached server hits and the other never does."""
    services.fetch(cached + path, HOST)  # the miss that stores the page
    page, headers = services.fetch(cached + path, HOST)
    states = [headers.get("X-Cache")] + [
        services.fetch(uncached + path, HOST)[1].get("X-Cache") for _ in range(2)
    ]
    if states != ["hit", "miss", "miss"]:
        raise RuntimeError(f"caching is not what the figures claim: X-Cache {states}")
    return page, headers["ETag"]


def measure_index_query(tmp: Path) -> list[QueryTiming]:
    with services.database(BIG_DATABASE) as url:
        env = services.base_env(url, "", tmp / "instance")
        services.inkwell(env, "db", "upgrade")
        print("Loading 10,000 blogs and 1,000,000 posts...", flush=True)
        load(url)
        return measure(url, env["INKWELL_SECRET_KEY"])


if __name__ == "__main__":
    main()
