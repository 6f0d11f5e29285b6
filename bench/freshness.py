"""Mirror freshness (issue 22): from an edit saved through the dashboard to the
mirror object holding it, on the production path: a logged-in owner's real HTTP
POST to gunicorn, the change's debounce, celery beat's dispatch, a Celery worker
on Redis publishing, PostgreSQL. Once into a folder target, once into moto's S3
server; `EDITS` edits each, a random pause between them so the saves fall
anywhere in beat's interval. Then a burst: `BURST` saves a tenth of a second
apart, and how many publishes it made.

The clock starts just before the POST is sent (so the save's own request counts)
and stops when a poll of the object (every POLL seconds) first finds the new title.
"""

import logging
import random
import re
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import boto3
import psycopg2
import requests

from bench import services
from bench.corpus import write_corpus
from inkwell.platform.core import settings

DATABASE = "inkwell_bench_fresh"
REDIS_URL = "redis://127.0.0.1:6379/12"  # this bench's own database, flushed before and after
BLOG, EMAIL, PASSWORD = "fresh", "fresh@example.com", "fresh-bench-password"
APP_HOST, POSTS, EDITS, BURST = "app.bench", 30, 20, 10
BUCKET, PREFIX = "inkwell-mirrors", "blogs"
POLL, GIVE_UP = 0.02, 30.0  # seconds
TARGET_P95 = 2.0


@dataclass
class Freshness:
    target: str  # "folder" or "S3 (moto)"
    seconds: list[float]  # save to mirror, one per edit
    burst_publishes: int  # publishes made by a burst of BURST saves
    debounce: float
    interval: float

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.seconds, n=20, method="inclusive")[18]


def measure(tmp: Path) -> list[Freshness]:
    corpus = tmp / "fresh-corpus"
    corpus.mkdir()
    slugs = write_corpus(corpus, POSTS)
    return [_one_target(tmp, corpus, slugs, s3) for s3 in (False, True)]


def _one_target(tmp: Path, corpus: Path, slugs: list[str], s3: bool) -> Freshness:
    name = "S3 (moto)" if s3 else "folder"
    print(f"Freshness into a {name} mirror...", flush=True)
    with ExitStack() as stack:
        url = stack.enter_context(services.database(DATABASE))
        redis_url = stack.enter_context(services.redis_database(REDIS_URL))
        env = _env(services.base_env(url, redis_url, tmp / f"fresh-{'s3' if s3 else 'folder'}"))
        read: Callable[[str, str], bytes | None]
        if s3:
            endpoint = stack.enter_context(_moto())
            env.update(MIRROR_URL=f"s3://{BUCKET}/{PREFIX}", MIRROR_ENDPOINT_URL=endpoint)
            read = _s3_reader(endpoint)
        else:
            env["MIRROR_URL"] = str(tmp / "fresh-mirror")
            read = _folder_reader(tmp / "fresh-mirror")
        _set_up(env, corpus)
        blog_uuid, ids = _ids(url, slugs)
        web = stack.enter_context(services.gunicorn(env, tmp / "fresh-gunicorn.log", APP_HOST))
        stack.enter_context(_celery(env, tmp, "worker", "-Q", "mail,publish", "--concurrency", "2"))
        schedule = str(tmp / "fresh-celerybeat-schedule")
        stack.enter_context(_celery(env, tmp, "beat", "--schedule", schedule))
        owner = _Owner(web)
        rng = random.Random(22)
        # Not measured: the worker's and beat's first round trips (connections, imports).
        owner.edit_and_wait(
            ids[slugs[-1]], "Warming up", lambda: read(f"{blog_uuid}/{slugs[-1]}/index.html")
        )
        seconds = []
        for n in range(EDITS):
            slug = rng.choice(slugs)
            title = f"Fresh edit {n} of {slug}"
            key = f"{blog_uuid}/{slug}/index.html"
            seconds.append(owner.edit_and_wait(ids[slug], title, lambda k=key: read(k)))
            time.sleep(rng.uniform(0.2, 1.2))
        burst = _burst(owner, url, ids[slugs[0]], read, f"{blog_uuid}/{slugs[0]}/index.html")
    return Freshness(name, seconds, burst, DEBOUNCE, INTERVAL)


# The settings' defaults, which the run leaves as they are.
DEBOUNCE, INTERVAL = settings.MIRROR_DEBOUNCE, settings.MIRROR_DISPATCH_INTERVAL


def _env(env: dict[str, str]) -> dict[str, str]:
    return {
        **env,
        "CELERY_BROKER_URL": env["REDIS_URL"],
        "INKWELL_RATE_LIMITS_ENABLED": "false",  # one address logs in and saves all run
        "INKWELL_QUOTA_PUBLISHES_PER_HOUR": "1000",  # 30 an hour by default: a run makes ~50
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def _set_up(env: dict[str, str], corpus: Path) -> None:
    services.inkwell(env, "db", "upgrade")
    services.inkwell(env, "users", "create", EMAIL, "--password", PASSWORD)
    services.inkwell(env, "blogs", "create", BLOG, "--owner", EMAIL, "--title", "Fresh")
    services.inkwell(env, "import", "markdown", BLOG, str(corpus))
    services.inkwell(env, "publish", BLOG)  # the first, full publish: not what is measured


def _ids(url: str, slugs: list[str]) -> tuple[str, dict[str, int]]:
    """The blog's uuid and its posts' ids by slug (read as the superuser: no row security)."""
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT id, uuid FROM tenants WHERE subdomain = %s", (BLOG,))
        tenant_id, blog_uuid = cursor.fetchone()
        cursor.execute("SELECT slug, id FROM posts WHERE tenant_id = %s", (tenant_id,))
        ids = dict(cursor.fetchall())
    connection.close()
    assert set(slugs) <= set(ids), "the import lost posts"
    return str(blog_uuid), ids


def _publish_runs(url: str) -> int:
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM publish_runs")
        (count,) = cursor.fetchone()
    connection.close()
    return int(count)


def _burst(owner: "_Owner", url: str, post_id: int, read, key: str) -> int:
    """BURST saves of one post 0.1 s apart; the publishes they made."""
    before = _publish_runs(url)
    for n in range(BURST):
        owner.save(post_id, f"Burst {n}")
        time.sleep(0.1)
    owner.wait(lambda: read(key), f"Burst {BURST - 1}")
    time.sleep(DEBOUNCE + INTERVAL + 1)  # a late second publish would show by now
    return _publish_runs(url) - before


class _Owner:
    """The blog's owner in the dashboard, logged in over HTTP."""

    def __init__(self, base: str) -> None:
        self.base, self.http = base, requests.Session()
        self.http.headers.update(Host=APP_HOST, Origin=f"http://{APP_HOST}")
        token = _form_fields(self._get("/login"), None)["csrf_token"]
        data = {"csrf_token": token, "email": EMAIL, "password": PASSWORD}
        answer = self.http.post(f"{base}/login", data=data, allow_redirects=False, timeout=30)
        assert answer.status_code == 302, f"login: {answer.status_code}"

    def _get(self, path: str) -> str:
        answer = self.http.get(self.base + path, timeout=30)
        answer.raise_for_status()
        return answer.text

    def save(self, post_id: int, title: str) -> None:
        """Save the post with `title`, as the editor's Save button does."""
        path = f"/blogs/{BLOG}/posts/{post_id}/edit"
        fields = {**_form_fields(self._get(path), "post-form"), "title": title}
        answer = self.http.post(self.base + path, data=fields, allow_redirects=False, timeout=30)
        assert answer.status_code in (302, 303), f"save: {answer.status_code} {answer.text[:300]}"

    def edit_and_wait(self, post_id: int, title: str, read) -> float:
        """Seconds from the save's POST to the mirror holding `title`."""
        path = f"/blogs/{BLOG}/posts/{post_id}/edit"
        fields = {**_form_fields(self._get(path), "post-form"), "title": title}
        started = time.monotonic()
        answer = self.http.post(self.base + path, data=fields, allow_redirects=False, timeout=30)
        assert answer.status_code in (302, 303), f"save: {answer.status_code} {answer.text[:300]}"
        return self.wait(read, title) - started

    @staticmethod
    def wait(read, title: str) -> float:
        """The moment `read()` first holds `title` (escaped as pages escape it)."""
        wanted, deadline = title.encode(), time.monotonic() + GIVE_UP
        while time.monotonic() < deadline:
            if wanted in (read() or b""):
                return time.monotonic()
            time.sleep(POLL)
        raise RuntimeError(f"the mirror did not show {title!r} within {GIVE_UP} s")


class _Form(HTMLParser):
    """The fields a browser submits from the form with id `form_id` (or the first)."""

    def __init__(self, form_id: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.done = form_id, False, False
        self.fields: dict[str, str] = {}
        self._text: str | None = None  # the textarea being read
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.done and self.form_id in (None, a.get("id")):
            self.inside = True
        if not self.inside or ("name" not in a and tag != "option"):
            return
        if tag == "input" and a.get("type") not in ("submit", "file", "checkbox", "radio"):
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("type") in ("checkbox", "radio") and "checked" in a:
            self.fields[a["name"]] = a.get("value", "y")
        elif tag == "textarea":
            self._text, self.fields[a["name"]] = a["name"], ""
        elif tag == "select":
            self._select = a["name"]
        elif (
            tag == "option"
            and self._select
            and ("selected" in a or self._select not in self.fields)
        ):
            self.fields[self._select] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._text:
            self.fields[self._text] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._text = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def _form_fields(page: str, form_id: str | None) -> dict[str, str]:
    parser = _Form(form_id)
    parser.feed(page)
    assert parser.fields, f"no form {form_id or ''} on the page"
    # A textarea's first newline belongs to the markup, not the value (as browsers read it).
    return {k: re.sub(r"\A\r?\n", "", v) for k, v in parser.fields.items()}


def _folder_reader(root: Path) -> Callable[[str], bytes | None]:
    def read(key: str) -> bytes | None:
        try:
            return (root / key).read_bytes()
        except OSError:  # mid-replace
            return None

    return read


def _s3_reader(endpoint: str) -> Callable[[str], bytes | None]:
    client = _s3(endpoint)

    def read(key: str) -> bytes | None:
        try:
            return client.get_object(Bucket=BUCKET, Key=f"{PREFIX}/{key}")["Body"].read()
        except client.exceptions.NoSuchKey:
            return None

    return read


def _s3(endpoint: str) -> Any:
    keys = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **keys)


@contextmanager
def _moto() -> Iterator[str]:
    """moto's S3 server on a loopback port with the mirrors' bucket; its endpoint."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    port = services.free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        _s3(endpoint).create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        server.stop()


@contextmanager
def _celery(env: dict[str, str], tmp: Path, *args: str) -> Iterator[None]:
    log = tmp / f"fresh-celery-{args[0]}.log"  # each target's run appends
    command = [str(services.BIN / "celery"), "-A", "inkwell.workers.worker", *args]
    with log.open("a") as out:
        process = subprocess.Popen(
            [*command, "--loglevel", "INFO"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        time.sleep(0.5)
        assert process.poll() is None, f"celery {args[0]} exited: see {log}"
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def section(runs: list[Freshness], date: str, load: str) -> str:
    rows = "\n".join(
        f"| {r.target} | {r.median:.2f} s | {r.p95:.2f} s | {_verdict(r.p95)} | "
        f"{r.burst_publishes} |"
        for r in runs
    )
    debounce, interval = runs[0].debounce, runs[0].interval
    return f"""## Issue 22: mirror freshness

An edit saved through the dashboard (a logged-in owner's HTTP POST to gunicorn) until
the mirror's copy of the post page holds it: celery beat dispatching every
{interval:g} s (MIRROR_DISPATCH_INTERVAL), MIRROR_DEBOUNCE {debounce:g} s, a Celery
worker (2 processes) on Redis publishing, PostgreSQL; {EDITS} edits of a {POSTS}-post
blog a target, from just before the POST to the first poll (every {POLL * 1000:.0f} ms)
that finds the new title. Burst: {BURST} saves 0.1 s apart, and the publishes they made.
Measured {date}, load average at start {load} (`bench/freshness.py`).

| Target | Median | p95 | p95 ≤ {TARGET_P95:g} s | Burst: publishes |
|---|---|---|---|---|
{rows}

Each edit waits for the debounce ({debounce:g} s of quiet), then up to one dispatch
interval, then the publish. A publish reuses the site app of the worker process's
last one (`tenants.mirror.warm_apps`, re-pinned to its blog), so templates and SQL
statements compile once a process instead of once a publish; it rebuilds the pages
the change touched, and a new title of a post in the recent-posts block rebuilds the
post pages (which show the block) instead of every page (48 files here, not 140),
reading the blog into memory once from 30 pages on. Under cProfile, one 15-page publish
in a worker-like process (PostgreSQL, 30 posts, same minute): 2.07 s before, 0.51 s
after (Jinja compiling 0.38 s and SQL compiling 0.26 s of it gone); a recent post's
new title 1.4-2.7 s before, 0.6-1.0 s after. What is left is the debounce and the
interval by design, the publish's queries (~110 for 15 pages, Live reads) and this
shared machine's load (2 cores, other sessions' suites running).
"""


def _verdict(p95: float) -> str:
    if p95 <= TARGET_P95:
        return "met"
    return f"missed by {p95 - TARGET_P95:.2f} s"


def summary(runs: list[Freshness]) -> str:
    return "Freshness: " + "; ".join(
        f"{r.target} median {r.median:.2f} s, p95 {r.p95:.2f} s, burst {r.burst_publishes}"
        for r in runs
    )
