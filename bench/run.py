"""`make bench`: Inkwell measured on real PostgreSQL and Redis, in two parts.

`http` (issue 4, point 7): install wrk and nginx if missing; import a generated
1,000-post blog; serve it with gunicorn, cached and uncached, and a static copy
of one post page with nginx; measure each with wrk; time the index page query
at 1,000,000 posts.

`static` (issue 6, point 8): freeze and publish the same corpus with
`inkwell publish` into a local folder, and build it with Hugo and Pelican, in
alternating rounds; then republish after editing one post.

`media` (issue 17): a 12 MP photo into its variants with Pillow and pyvips, and
upload-to-visible in the embedded mode (`bench/media.py`).

`search` (issue 20): one blog's search query at 1,000,000 posts and 10,000 blogs
on PostgreSQL, median and p99, with its plan (`bench/search_query.py`).

`newsletter` (issue 20): one post to 10,000 subscribers into a local aiosmtpd,
mails a second, the worker's peak memory, and lost / duplicated mails of sends
whose worker a watcher killed halfway (`bench/newsletter.py`).

`import` (issue 23): a generated 10,000-post WordPress export (about 100 MB)
imported: wall time, peak memory, posts a second; then export → import → export
byte-identical at that size (`bench/imports.py`).

`edge` (issue 22): readers through nginx with infra's site in front of gunicorn:
a hot post page against nginx's static copy, a random page among 10,000 blogs,
an edit's freshness through nginx (`bench/edge.py`).

`freshness` (issue 22): an edit saved through the dashboard until the mirror
holds it, folder and moto S3, through beat and a worker (`bench/freshness.py`).

`hosts` (issue 22): made-up Host headers at the site app, queries a request and
requests a second (`bench/unknown_hosts.py`).

`python -m bench.run [PART...]` (any of PARTS) runs the parts
named (default: all) and writes their sections of bench/RESULTS.md. Everything
started here is stopped and dropped again, also when a step fails.
"""

import argparse
import os
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import (
    edge,
    freshness,
    imports,
    media,
    newsletter,
    publish,
    search_query,
    services,
    static_builds,
    static_report,
    unknown_hosts,
)
from bench.corpus import write_corpus
from bench.http_load import Figures, Target, rounds, run_wrk
from bench.index_query import QueryTiming, load, measure
from bench.machine import describe, http_tools, load_average, postgres
from bench.publish import Publish
from bench.redis_read import RedisRead, time_get
from bench.report import Run, http_sections, summary, write_results
from bench.static_report import StaticRun

DATABASE, BIG_DATABASE = "inkwell_bench", "inkwell_bench_big"
MIRROR_DATABASE = "inkwell_bench_mirror"
SEARCH_DATABASE = "inkwell_bench_search"
EDGE_DATABASE = "inkwell_bench_edge"
REDIS_URL = "redis://127.0.0.1:6379/13"  # the bench's own database, flushed before and after
BLOG, HOST = "bench", "bench.blogs.bench"
EMAIL, PASSWORD = "bench@example.com", "bench-password"
POST_COUNT = 1_000
ROUNDS, SECONDS, WARMUP_SECONDS = 5, 5, 2
STATIC_ROUNDS = 5
MINIMAL_APP, PAGE_APP = "bench.minimal_app:app", "bench.minimal_app:page"
EDGE_POST_COUNT = 100
PARTS = ("http", "static", "media", "search", "newsletter", "import", "edge", "freshness", "hosts")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    # Not `choices=PARTS`: Python 3.11's argparse checks an empty list against
    # them and refuses the plain `make bench`.
    parser.add_argument("parts", nargs="*", help=f"any of {', '.join(PARTS)} (default: all)")
    parts = parser.parse_args().parts or PARTS
    if unknown := set(parts) - set(PARTS):
        parser.error(f"no part named {', '.join(sorted(unknown))}: choose from {', '.join(PARTS)}")
    # make (or a CI runner) stops us with SIGTERM: unwind, so the cleanup runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    machine, sections, summaries = describe(), [], []

    def report(part: Any, figures: Any, *when: Any) -> None:
        """A part's section of RESULTS.md and its summary line, from its figures."""
        sections.append(part.section(figures, *when))
        summaries.append(part.summary(figures))

    with tempfile.TemporaryDirectory(prefix="inkwell-bench-") as folder:
        tmp = Path(folder)
        os.environ["INKWELL_INSTANCE_PATH"] = str(tmp / "instance")
        if "http" in parts:
            run = run_http(tmp, machine)
            sections += http_sections(run)
            summaries.append(summary(run))
        if "static" in parts:
            report(static_report, run_static(tmp, machine))
        if "media" in parts:
            report(media, media.measure(tmp, _now(), load_average()))
        if "search" in parts:
            report(search_query, run_search(tmp))
        if "newsletter" in parts:
            report(newsletter, newsletter.measure(tmp, _now()))
        if "import" in parts:
            report(imports, imports.measure(tmp, _now()))
        if "edge" in parts:
            report(edge, run_edge(tmp))
        if "freshness" in parts:
            date, load = _now(), load_average()
            report(freshness, freshness.measure(tmp), date, load)
        if "hosts" in parts:
            date, load = _now(), load_average()
            report(unknown_hosts, unknown_hosts.measure(tmp), date, load)
    write_results(machine, sections)
    print("\n\n".join(summaries))
    minutes = (time.monotonic() - started) / 60
    print(f"Written to {services.ROOT.name}/bench/RESULTS.md in {minutes:.1f} minutes.")


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def run_http(tmp: Path, machine: dict[str, str]) -> Run:
    started, date, load_at_start = time.monotonic(), _now(), load_average()
    services.ensure_tools()
    machine.update(http_tools(f"{services.PG_SERVER}/postgres", REDIS_URL, services.nginx_binary()))
    http, page, redis_read = measure_http(tmp)
    queries = measure_index_query(tmp)
    return Run(
        http=http,
        redis_read=redis_read,
        queries=queries,
        date=date,
        minutes=(time.monotonic() - started) / 60,
        load=load_at_start,
        rounds=ROUNDS,
        seconds=SECONDS,
        page=page,
    )


def measure_http(tmp: Path) -> tuple[dict[str, Figures], str, RedisRead]:
    """wrk figures per target, a description of the post page, and what one
    redis-py read of a page's size costs here."""
    with (
        services.database(DATABASE) as database_url,
        services.redis_database(REDIS_URL) as redis_url,
    ):
        env = services.base_env(database_url, redis_url, tmp / "instance")
        path = _bench_blog(env, tmp / "corpus", POST_COUNT)
        # `cached` answers from Redis alone, `hot` from each process's memory first
        # (the default, issue 22), `uncached` from neither.
        redis_env = {**env, "INKWELL_PAGE_MEMORY_CACHE_BYTES": "0"}
        uncached_env = {**redis_env, "INKWELL_CACHE_TYPE": "NullCache"}
        with (
            services.gunicorn(redis_env, tmp / "gunicorn.log", HOST) as cached,
            services.gunicorn(env, tmp / "gunicorn-hot.log", HOST) as hot,
            services.gunicorn(uncached_env, tmp / "gunicorn-uncached.log", HOST) as uncached,
            services.gunicorn(env, tmp / "gunicorn-flask.log", HOST, MINIMAL_APP) as minimal,
        ):
            page, etag = _check_caching(cached, uncached, path)
            (tmp / "page.html").write_bytes(page)
            page_env = {**env, "BENCH_PAGE": str(tmp / "page.html")}
            with (
                services.nginx(tmp / "nginx", path, page, HOST) as static,
                services.gunicorn(page_env, tmp / "gunicorn-page.log", HOST, PAGE_APP) as memory,
            ):
                host = f"Host: {HOST}"
                targets = [
                    Target("nginx", static + path, (host,)),
                    Target("flask", minimal + path, (host,)),
                    Target("memory", memory + path, (host,)),
                    Target("cached", cached + path, (host,)),
                    Target("hot", hot + path, (host,)),
                    Target("uncached", uncached + path, (host,)),
                    Target("feed", cached + "/latest.atom", (host,)),
                    Target("304", cached + path, (host, f"If-None-Match: {etag}")),
                ]
                print("Warming up, then measuring:", flush=True)
                for target in targets:
                    run_wrk(target, WARMUP_SECONDS)
                figures = rounds(targets, ROUNDS, SECONDS)
                feed = services.fetch(cached + "/latest.atom", HOST)[0]
        redis_read = time_get(redis_url, len(page))
    return (
        figures,
        f"`{path}`, {len(page) / 1024:.1f} KB of HTML (the feed: {len(feed) / 1024:.0f} KB)",
        redis_read,
    )


def _bench_blog(env: dict[str, str], corpus: Path, count: int) -> str:
    """The blog imported from a corpus of `count` posts written to `corpus`; the
    path of its middle post, the page measured."""
    corpus.mkdir()
    slugs = write_corpus(corpus, count)
    _import_blog(env, corpus)
    return f"/{slugs[len(slugs) // 2]}/"


def _import_blog(env: dict[str, str], corpus: Path) -> None:
    """Migrate, create the blog and import the corpus."""
    print(f"Importing the corpus into blog {BLOG!r}...", flush=True)
    services.inkwell(env, "db", "upgrade")
    services.inkwell(env, "users", "create", EMAIL, "--password", PASSWORD)
    services.inkwell(env, "blogs", "create", BLOG, "--owner", EMAIL, "--title", "Bench")
    services.inkwell(env, "import", "markdown", BLOG, str(corpus))


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


def run_edge(tmp: Path) -> edge.EdgeRun:
    """Issue 22, point 1: the blog's hot page and random pages of many blogs through
    infra's nginx in front of gunicorn, against nginx's static copy; then edits."""
    started, date, load_at_start = time.monotonic(), _now(), load_average()
    services.ensure_tools()
    with (
        services.database(EDGE_DATABASE) as url,
        services.redis_database(REDIS_URL) as redis_url,
    ):
        env = services.base_env(url, redis_url, tmp / "instance")
        path = _bench_blog(env, tmp / "edge-corpus", EDGE_POST_COUNT)
        print(f"Loading {edge.BLOGS:,} blogs of {edge.POSTS_PER_BLOG} posts...", flush=True)
        edge.load_blogs(url)
        proxied = {**env, "INKWELL_PROXY_FIX__X_FOR": "1", "INKWELL_PROXY_FIX__X_PROTO": "1"}
        with (
            services.gunicorn(proxied, tmp / "gunicorn-edge.log", HOST) as app,
            services.shipped_nginx(tmp / "nginx-edge", app, HOST) as front,
        ):
            page = services.fetch(app + path, HOST)[0]
            edge.check_hits(front, path, HOST)
            host = f"Host: {HOST}"
            with services.nginx(tmp / "nginx-static", path, page, HOST) as static:
                targets = [
                    Target("nginx", static + path, (host,)),
                    Target("edge-hot", front + path, (host,)),
                    Target("app-hot", app + path, (host,)),
                    edge.random_pages(tmp, front),
                ]
                print("Warming up, then measuring:", flush=True)
                for target in targets:
                    run_wrk(target, WARMUP_SECONDS)
                figures = rounds(targets, ROUNDS, SECONDS)
            print(f"Editing {path} {edge.EDITS} times through the dashboard:", flush=True)
            owner = edge.Owner(app, EMAIL, PASSWORD)
            fresh = edge.freshness(owner, front, HOST, edge.post_to_edit(url, path.strip("/")))
    return edge.EdgeRun(
        date=date,
        minutes=(time.monotonic() - started) / 60,
        load=load_at_start,
        rounds=ROUNDS,
        seconds=SECONDS,
        page=f"`{path}` ({len(page) / 1024:.1f} KB of HTML)",
        figures=figures,
        fresh=fresh,
    )


def measure_index_query(tmp: Path) -> list[QueryTiming]:
    with services.database(BIG_DATABASE) as url:
        env = services.base_env(url, "", tmp / "instance")
        services.inkwell(env, "db", "upgrade")
        print("Loading 10,000 blogs and 1,000,000 posts...", flush=True)
        load(url)
        return measure(url, env["INKWELL_SECRET_KEY"])


def run_search(tmp: Path) -> search_query.SearchTiming:
    started, date, load_at_start = time.monotonic(), _now(), load_average()
    with services.database(SEARCH_DATABASE) as url:
        env = services.base_env(url, "", tmp / "instance")
        services.inkwell(env, "db", "upgrade")
        print("Loading 10,000 blogs and 1,000,000 posts of words...", flush=True)
        search_query.load(url)
        median, p99, plan = search_query.measure(url, env["INKWELL_SECRET_KEY"])
    minutes = (time.monotonic() - started) / 60
    return search_query.SearchTiming(median, p99, plan, date, minutes, load_at_start)


def run_static(tmp: Path, machine: dict[str, str]) -> StaticRun:
    """Inkwell's full publish against Hugo and Pelican, then incremental republishes."""
    started, date, load_at_start = time.monotonic(), _now(), load_average()
    corpus = tmp / "static" / "corpus"
    corpus.mkdir(parents=True)
    write_corpus(corpus, POST_COUNT)
    print("Setting up the Hugo and Pelican sites...", flush=True)
    builders = [
        static_builds.hugo(corpus, tmp / "static" / "hugo"),
        static_builds.pelican(corpus, tmp / "static" / "pelican"),
    ]
    machine.update({builder.name: builder.version for builder in builders})
    with services.database(MIRROR_DATABASE) as url:
        env = services.base_env(url, "", tmp / "instance")
        machine["PostgreSQL"] = postgres(url)
        _import_blog(env, corpus)
        ours = static_builds.inkwell(env, BLOG, tmp / "static" / "mirror")
        builders.insert(0, ours)
        builds, full = _static_rounds(builders)
        slugs = publish.by_date(corpus)
        print("Republishing after editing one post at a time...", flush=True)
        edits = {
            slug: publish.republish_after_edit(env, BLOG, corpus, slug, ours.output)
            for slug in (slugs[0], slugs[len(slugs) // 2], slugs[-1])
        }
    return StaticRun(
        date=date,
        minutes=(time.monotonic() - started) / 60,
        load=load_at_start,
        rounds=STATIC_ROUNDS,
        seconds={name: [build.seconds for build in runs] for name, runs in builds.items()},
        cpu={name: [build.cpu for build in runs] for name, runs in builds.items()},
        files={b.name: static_builds.count_files(b.output) for b in builders},
        versions={b.name: b.version for b in builders},
        full=full,
        edits=edits,
    )


def _static_rounds(
    builders: list[static_builds.Builder],
) -> tuple[dict[str, list[static_builds.Build]], list[Publish]]:
    """Each builder's builds, round by round, and Inkwell's publishes (if it ran)."""
    builds: dict[str, list[static_builds.Build]] = {builder.name: [] for builder in builders}
    publishes = []
    for n in range(1, STATIC_ROUNDS + 1):
        for builder in builders:
            build = builder.build()
            builds[builder.name].append(build)
            print(f"round {n}: {builder.name} {build.seconds:.2f} s", flush=True)
            if builder.name == static_report.OURS:
                publishes.append(publish.summary(build.output, build.seconds))
                # An emptied folder must get every page: a publish that skips
                # uploads here judges "unchanged" by something outside the target.
                if publishes[-1].uploaded == 0 or static_builds.count_files(builder.output) == 0:
                    raise RuntimeError(
                        f"inkwell publish --full into the emptied {builder.output} uploaded"
                        f" nothing: {publishes[-1].line}"
                    )
    return builds, publishes


if __name__ == "__main__":
    main()
