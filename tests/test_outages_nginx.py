"""End to end: a real nginx (infra/nginx, set up as in test_infra) in front of a
real gunicorn serving a blog whose mirror is published to a folder. gunicorn is
stopped while a reader keeps requesting; the reader keeps getting the blog's
pages, from the mirror once the app is gone, and never a 5xx."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pytest
from test_infra import NGINX, nginx_in_front_of

from fixtures.mirrors import publish
from fixtures.services import unavailable

ROOT = Path(__file__).resolve().parents[1]
HOST = "alice.blogs.test"
# Each page the reader asks for, and words only that page of the blog holds.
PAGES = {
    "/": "Post 10",
    "/hello/": "Hello from Alice",
    "/page/2/": "Post 0",
    "/latest.atom": "Hello from Alice",
}
MAX_REQUESTS = 50_000  # the reader's bound; it is stopped far sooner


@dataclass
class Answer:
    path: str
    status: int
    body: str
    mirror: bool
    headers: Message


@pytest.fixture
def mirrored_blog(app, make_tenant, make_post, tmp_path: Path, monkeypatch) -> str:
    """alice, with two index pages and a post "hello", published into
    tmp_path/mirror/<uuid>/ (where nginx_in_front_of looks); its UUID."""
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant

    blog = make_tenant("alice")
    for n in range(11):
        make_post(blog, f"Post {n}")
    make_post(blog, "Hello", "Hello from Alice")
    monkeypatch.setitem(app.config, "MIRROR_URL", str(tmp_path / "mirror"))
    [run] = publish(app, blog.id)
    assert run.status == "succeeded"
    with app.app_context():
        return str(db.session.get_one(Tenant, blog.id).uuid)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def gunicorn(app, tmp_path: Path) -> Iterator[subprocess.Popen]:
    """gunicorn with infra's settings on the test database, in a process group of
    its own (so a test can kill it and its workers); `.port` is where it listens."""
    port = free_port()
    env = {
        "PATH": str(Path(sys.executable).parent),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "INKWELL_INSTANCE_PATH": str(tmp_path / "instance"),
        "INKWELL_APP_HOST": "app.test",
        "INKWELL_BLOG_DOMAIN": "blogs.test",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
    }
    command = [
        Path(sys.executable).with_name("gunicorn"),
        "-c", ROOT / "infra" / "gunicorn.conf.py", "inkwell.platform.wsgi:create_app()",
    ]  # fmt: skip
    server = subprocess.Popen(
        command, env=env, cwd=tmp_path, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    server.port = port  # type: ignore[attr-defined]
    try:
        for _ in range(400):  # bounded: at most 40 s on a busy machine
            if listening(port) or server.poll() is not None:
                break
            time.sleep(0.1)
        assert listening(port), f"gunicorn did not start (exit code {server.poll()})"
        yield server
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)  # only its own group: it and its workers
        server.wait(timeout=30)


def read(port: int, path: str, host: str = HOST) -> Answer:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        response = urllib.request.urlopen(request, timeout=10)  # noqa: S310 - loopback
    except urllib.error.HTTPError as error:
        response = error
    with response:
        mirror = response.headers.get("X-Inkwell-Mirror") == "1"
        return Answer(path, response.status, response.read().decode(), mirror, response.headers)


class Reader(threading.Thread):
    """Reads the blog's pages through nginx, one after another, until it has read
    `stop_at` of them (None: not yet known) or MAX_REQUESTS, or a request fails.
    It holds `between_requests` during each request."""

    def __init__(self, port: int) -> None:
        super().__init__()
        self.port = port
        self.answers: list[Answer] = []
        self.errors: list[BaseException] = []
        self.stop_at: int | None = None
        self.between_requests = threading.Lock()

    def run(self) -> None:
        paths = list(PAGES)
        for n in range(MAX_REQUESTS):
            if self.stop_at is not None and len(self.answers) >= self.stop_at:
                return
            with self.between_requests:
                try:
                    self.answers.append(read(self.port, paths[n % len(paths)]))
                except Exception as error:  # a reset or truncated answer
                    self.errors.append(error)
                    return

    def wait_for(self, count: int) -> None:
        for _ in range(3000):  # bounded: at most 30 s
            if len(self.answers) >= count or not self.is_alive():
                return
            time.sleep(0.01)


@pytest.mark.parametrize("stop", ["SIGTERM", "SIGKILL"])
def test_readers_keep_their_pages_while_gunicorn_stops(
    mirrored_blog: str, gunicorn, tmp_path: Path, stop: str
) -> None:
    if NGINX is None:
        unavailable("nginx is not installed (.ci/run installs it)")
    with nginx_in_front_of(gunicorn.port, tmp_path, mirrored_blog) as port:
        reader = Reader(port)
        reader.start()
        try:
            reader.wait_for(20)
            if stop == "SIGTERM":
                gunicorn.send_signal(signal.SIGTERM)  # graceful: workers finish their requests
            else:
                # Between two requests: a worker killed while writing a page truncates
                # what nginx has begun to send, which no configuration can mend.
                with reader.between_requests:
                    os.killpg(gunicorn.pid, signal.SIGKILL)
            gunicorn.wait(timeout=30)
            for _ in range(300):  # bounded: the workers close the socket within 3 s
                if not listening(gunicorn.port):
                    break
                time.sleep(0.01)
            assert not listening(gunicorn.port)
            gone = len(reader.answers)
            reader.stop_at = gone + 40
        finally:
            if reader.stop_at is None:  # failed before gunicorn was gone: stop at once
                reader.stop_at = 0
            reader.join(timeout=60)
        # A blog with no mirror (no line in the map) is told when to come back.
        elsewhere = read(port, "/", host="mallory.blogs.test")
        assert (elsewhere.status, elsewhere.headers["Retry-After"]) == (503, "5")
    answers = reader.answers
    from_app = [a for a in answers if not a.mirror]
    from_mirror = [a for a in answers if a.mirror]
    print(
        f"\n{stop}: {len(answers)} requests, {len(from_app)} answered by the app, "
        f"{len(from_mirror)} from the mirror, {len(reader.errors)} errors"
    )
    assert reader.errors == []
    assert [a for a in answers if a.status != 200] == []
    for answer in answers:
        assert PAGES[answer.path] in answer.body, answer
    assert len(from_app) >= 20 and len(answers) == gone + 40
    assert all(answer.mirror for answer in answers[gone:])
