"""Fixtures that speak the app's language: make_tenant("alice"), site_client(tenant),
auth.login(...), post_form(client, url, data).

Tests run on SQLite by default and on the database in DATABASE_URL when set (it
must be named test*: tests wipe it). Nothing reaches a real service by accident.
"""

import email
import email.policy
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, NoReturn

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import make_url, select, text
from werkzeug.test import TestResponse

APP_HOST = "app.test"
BLOG_DOMAIN = "blogs.test"
PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def pytest_configure(config: pytest.Config) -> None:
    # Never the developer's instance folder, secret key or database.
    base = Path(config.rootpath) / ".pytest_cache" / "instance"
    base.mkdir(parents=True, exist_ok=True)
    os.environ["INKWELL_INSTANCE_PATH"] = str(base)


def database_url(tmp_dir: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir / 'test.db'}"
    name = make_url(url).database or ""
    if not name.startswith("test"):
        pytest.exit(f"refusing to wipe database {name!r}: test databases are named test*", 2)
    return url


@pytest.fixture(scope="session")
def app_factory(tmp_path_factory: pytest.TempPathFactory):
    """app_factory(**config) -> a whole app (both hosts) on the test database."""
    url = database_url(tmp_path_factory.mktemp("db"))

    def make(**extra: Any) -> Flask:
        from inkwell.platform.wsgi import create_app

        config = {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "APP_HOST": APP_HOST,
            "BLOG_DOMAIN": BLOG_DOMAIN,
            "DATABASE_URL": url,
            "MAIL_OUTBOX_DIR": str(tmp_path_factory.getbasetemp() / "mail"),
            "ACCOUNT_MAIL_MIN_SECONDS": 0,
            # Every test posts from 127.0.0.1; test_rate_limits turns limits on.
            "RATE_LIMITS_ENABLED": False,
            # Tests check each change at once; the TTL has a test of its own.
            "TENANT_LOOKUP_TTL": 0,
            # Production's Argon2 cost is ~0.5 s a hash, paid at every account a test
            # makes and every login; test_passwords checks production's parameters.
            "PASSWORD_HASH_PROFILE": "CHEAPEST",
        }
        return create_app({**config, **extra})

    return make


@pytest.fixture(scope="session")
def app(app_factory) -> Flask:
    from inkwell.platform.core import database
    from inkwell.platform.core.extensions import db

    app = app_factory()
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        database.upgrade()
    return app


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" not in request.fixturenames:
        return
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.tenancy import across_tenants

    app = request.getfixturevalue("app")
    with app.app_context(), across_tenants(), db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An app context for direct database work in a test."""
    with app.app_context():
        yield


class HostClient(FlaskClient):
    """A test browser whose requests go to one host unless told otherwise."""

    def __init__(self, app: Flask, host: str) -> None:
        super().__init__(app, app.response_class, use_cookies=True)
        self.host = host

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        if args and isinstance(args[0], str):
            kwargs.setdefault("base_url", f"http://{self.host}/")
        return super().open(*args, **kwargs)


def platform_browser(app: Flask) -> FlaskClient:
    """A browser on the platform host."""
    return HostClient(app, APP_HOST)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return platform_browser(app)


@dataclass
class Blog:
    id: int
    subdomain: str
    owner_email: str


@pytest.fixture
def make_tenant(app: Flask):
    """make_tenant("alice") -> a blog alice.blogs.test owned by alice@example.com."""
    from inkwell.platform.core.accounts.registration import new_blog, new_user
    from inkwell.platform.core.extensions import db

    def make(subdomain: str, owner_email: str | None = None) -> Blog:
        email = owner_email or f"{subdomain}@example.com"
        with app.app_context():
            user = new_user(email, PASSWORD, verified=True)
            tenant = new_blog(user, subdomain, subdomain.title(), BLOG_DOMAIN)
            db.session.commit()
            return Blog(tenant.id, tenant.subdomain, email)

    return make


@pytest.fixture
def site_client(app: Flask):
    """site_client(blog) -> a reader's browser on that blog's host."""

    def make(blog: Blog | str) -> FlaskClient:
        sub = blog if isinstance(blog, str) else blog.subdomain
        return HostClient(app, f"{sub}.{BLOG_DOMAIN}")

    return make


@pytest.fixture
def make_post(app: Flask):
    """make_post(blog, "Title", "*markdown*", status="published") -> the post's id."""
    from inkwell.platform.core import tenancy
    from inkwell.platform.core.content.posts import PostInput, save_post
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Post, Tenant

    def make(blog: Blog, title: str, body: str = "", status: str = "published", **extra) -> int:
        with app.app_context(), tenancy.tenant_scope(blog.id):
            post = Post()
            tenant = db.session.get(Tenant, blog.id)
            save_post(post, tenant, PostInput(title=title, body_md=body, status=status, **extra))
            db.session.commit()
            return post.id

    return make


@pytest.fixture
def add_member(app: Flask):
    """add_member(blog, "ed@example.com", "editor") -> the new member's email."""
    from inkwell.platform.core.accounts.registration import new_user
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Membership

    def add(blog: Blog, email: str, role: str) -> str:
        with app.app_context():
            user = new_user(email, PASSWORD, verified=True)
            db.session.flush()
            db.session.add(Membership(tenant_id=blog.id, user_id=user.id, role=role))
            db.session.commit()
        return email

    return add


@dataclass
class Invited:
    id: int
    token: str


@pytest.fixture
def make_invitation(app: Flask):
    """make_invitation(blog, "ed@example.com", "editor") -> the invitation's id and
    token, as the blog's owner invites (no mail is sent)."""
    from inkwell.platform.core.accounts import invitations, tokens
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant, User

    def make(blog: Blog, email: str, role: str = "author") -> Invited:
        with app.app_context():
            owner = db.session.scalar(select(User).where(User.email == blog.owner_email))
            invitation = invitations.invite(
                db.session.get(Tenant, blog.id), owner, email, role, hours=1, max_pending=100
            )
            db.session.commit()
            return Invited(invitation.id, tokens.token_text(invitation))

    return make


@pytest.fixture
def make_snippet(app: Flask):
    """make_snippet(blog, "Title", "print(1)", language="python") -> the snippet's id."""
    from inkwell.platform.core import tenancy
    from inkwell.platform.core.content.snippets import SnippetInput, save_snippet
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Snippet, Tenant

    def make(blog: Blog, title: str, code: str, language: str = "") -> int:
        with app.app_context(), tenancy.tenant_scope(blog.id):
            snippet = Snippet()
            tenant = db.session.get(Tenant, blog.id)
            save_snippet(snippet, tenant, SnippetInput(title=title, code=code, language=language))
            db.session.commit()
            return snippet.id

    return make


@pytest.fixture
def change_blog(app: Flask):
    """change_blog(blog, title="...") -> update the blog's row as the settings page
    does, announcing the change so cached pages go stale."""
    from inkwell.platform.core.content.changes import content_changed
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant

    def change(blog: Blog, **values: Any) -> None:
        with app.app_context():
            tenant = db.session.get_one(Tenant, blog.id)
            for name, value in values.items():
                setattr(tenant, name, value)
            content_changed(tenant, "settings")
            db.session.commit()

    return change


def blog_id(app: Flask, subdomain: str) -> int:
    """The id of the blog `subdomain` (as admin URLs take it)."""
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant

    with app.app_context():
        return db.session.scalars(select(Tenant.id).where(Tenant.subdomain == subdomain)).one()


def content_version(app: Flask, blog: Blog) -> int:
    """The blog's content_version as stored now."""
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant

    with app.app_context():
        return db.session.get(Tenant, blog.id).content_version


def csrf_token(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    match = CSRF_RE.search(page.text)
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def post_form(client: FlaskClient, url: str, data: dict[str, Any], form_url: str | None = None):
    """Submit a form as a browser does: with the CSRF token of the page that shows it."""
    return client.post(url, data={"csrf_token": csrf_token(client, form_url or url), **data})


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, email: str, password: str = PASSWORD) -> TestResponse:
        return post_form(self.client, "/login", {"email": email, "password": password})

    def signup(self, **fields: str) -> TestResponse:
        data = {"email": "new@example.com", "password": PASSWORD, "subdomain": "newblog"}
        data = {**data, "title": "New Blog", **fields}
        return post_form(self.client, "/signup", data)


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def admin(app: Flask, make_tenant) -> FlaskClient:
    """A logged-in platform admin's browser, root@example.com (and a blog, alice, to act on)."""
    from inkwell.platform.core.accounts.registration import new_user
    from inkwell.platform.core.extensions import db

    make_tenant("alice")
    with app.app_context():
        new_user("root@example.com", PASSWORD, admin=True, verified=True)
        db.session.commit()
    browser = platform_browser(app)
    AuthActions(browser).login("root@example.com")
    return browser


def mail_link(message: EmailMessage, path: str) -> str:
    """The path (on the platform host) of the link in `message` that starts with `path`."""
    text = message.get_body(("plain",)).get_content()
    match = re.search(rf"http://{re.escape(APP_HOST)}({re.escape(path)}\S*)", text)
    assert match, f"no {path} link in {message['Subject']!r}"
    return match.group(1)


def stored_only_as_hash(app: Flask, model: type, link: str) -> str:
    """The token of the mailed `link`, checked to be 256 bits and absent from the
    database, which holds only its nonce and hash (in the one row of `model`)."""
    from inkwell.platform.core.extensions import db

    token = link.rsplit("/", 1)[1]
    assert len(token) == 43  # 256 bits, base64url
    with app.app_context():
        stored = db.session.scalar(select(model))
        assert token.encode() not in (stored.nonce, stored.token_hash)
    return token


class Mailbox:
    """Messages the app sent, in the order they arrived."""

    def messages(self) -> list[EmailMessage]:
        raise NotImplementedError

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages() if m["To"] == address]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages once there are `count` (fails after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while len(messages := self.messages()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(messages) >= count, f"{len(messages)} of {count} mails arrived"
        return messages


class FileMailbox(Mailbox):
    """The .eml files of the embedded default (no MAIL_SERVER)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def messages(self) -> list[EmailMessage]:
        files = sorted(self.folder.glob("*.eml")) if self.folder.exists() else []
        return [_parse(path.read_bytes()) for path in files]


def _parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


@pytest.fixture
def mailbox(app: Flask) -> FileMailbox:
    """Mail written by the app during this test (embedded default)."""
    folder = Path(app.config["MAIL_OUTBOX_DIR"])
    shutil.rmtree(folder, ignore_errors=True)
    return FileMailbox(folder)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPMailbox(Mailbox):
    """A real SMTP server (aiosmtpd) on a loopback port, keeping what it receives.
    start()/stop() let a test take it away and bring it back on the same port."""

    def __init__(self, port: int) -> None:
        self.port, self.received, self.controller = port, [], None
        self.reply = "250 OK"  # a 4xx or 5xx here refuses every message

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reply.startswith("250"):
            self.received.append(_parse(envelope.original_content))
        return self.reply

    def messages(self) -> list[EmailMessage]:
        return list(self.received)

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server() -> Iterator[SMTPMailbox]:
    server = SMTPMailbox(free_port())
    server.start()
    yield server
    server.stop()


class RedisServer:
    """Our own redis-server on a free port, for tests that stop the broker."""

    def __init__(self) -> None:
        self.port, self.process = free_port(), None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.thaw()  # a stopped process would not see the terminate
            self.process.terminate()
            self.process.wait(5)
            self.process = None

    def freeze(self) -> None:
        """Hang the server (SIGSTOP): connections open, nothing answers."""
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


def unavailable(reason: str) -> NoReturn:
    """Skip locally; fail in CI, where every real part must be there."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true requires it)")
    pytest.skip(reason)


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    if not shutil.which("redis-server"):
        unavailable("redis-server is not installed")
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _broker_server() -> Iterator[RedisServer]:
    if not shutil.which("redis-server"):
        unavailable("redis-server is not installed")
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(_broker_server: RedisServer) -> str:
    """The URL of a Redis broker of this run's own, emptied so no earlier test's
    task lingers. Never a shared Redis: another run's worker on the same queues
    would take our tasks, and its cleanup would empty our queues."""
    redis.Redis.from_url(_broker_server.url).flushdb()
    return _broker_server.url


# Fast retries and timeouts, so each fault shows within seconds.
FAST_JOBS = {
    "MAIL_TIMEOUT": 0.5,
    "MAIL_RETRY_BACKOFF": 0.2,
    "MAIL_RETRY_BACKOFF_MAX": 1.0,
    "MAIL_MAX_RETRIES": 10,
    "CELERY_BROKER_TIMEOUT": 1,
}


@pytest.fixture
def jobs_app(app: Flask, app_factory):
    """jobs_app(broker_url, smtp_port) -> an app on the test database that publishes
    tasks to `broker_url` and mails through SMTP on `smtp_port`."""

    def make(broker_url: str, smtp_port: int) -> Flask:
        # Flask-Mail suppresses sending when TESTING unless told otherwise.
        smtp = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port, "MAIL_SUPPRESS_SEND": False}
        return app_factory(CELERY_BROKER_URL=broker_url, **smtp, **FAST_JOBS)

    return make


class WorkerActivity:
    """Counts the task messages this process published (the relay, a sweep, a
    task's retry) and those the worker finished with: when the counts meet,
    nothing is queued, running or waiting for its retry."""

    def __init__(self) -> None:
        self.published = self.finished = 0
        self.lock = threading.Lock()

    def on_published(self, **_: Any) -> None:
        with self.lock:
            self.published += 1

    def on_finished(self, **_: Any) -> None:
        with self.lock:
            self.finished += 1

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Return once every published task is finished (fails after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while self.finished < self.published and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.finished == self.published, f"{self.finished} of {self.published} tasks ran"


@contextmanager
def running_worker(app: Flask) -> Iterator[WorkerActivity]:
    """A real Celery worker (in a thread of this process) consuming app's queues."""
    from celery import signals
    from celery.contrib.testing.worker import start_worker

    activity = WorkerActivity()
    # A retry publishes its next attempt before the attempt that retries ends
    # (task_postrun), so the counts never meet while a retry is on its way.
    watched = [
        (signals.after_task_publish, activity.on_published),
        (signals.task_postrun, activity.on_finished),
        (signals.task_revoked, activity.on_finished),
        (signals.task_rejected, activity.on_finished),
        (signals.task_unknown, activity.on_finished),
    ]
    for hook, receiver in watched:
        hook.connect(receiver, weak=False)
    celery = app.extensions["celery"]
    # The worker notices it should stop only when its BRPOP on the broker returns:
    # after 1 s with nothing to fetch, kombu's default, at the end of every test.
    options = celery.conf.broker_transport_options
    celery.conf.broker_transport_options = {**options, "polling_interval": 0.05}
    try:
        with start_worker(celery, perform_ping_check=False, queues=["mail", "publish"]):
            yield activity
    finally:
        for hook, receiver in watched:
            hook.disconnect(receiver)


class Clock:
    """Stands in for the app's `core.clock.monotonic`: time moves when a test says."""

    def __init__(self) -> None:
        self.now = time.monotonic()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The app's clock, stopped: `clock.advance(seconds)` instead of sleeping
    through a TTL or a cooldown."""
    from inkwell.platform.core import clock as app_clock

    stopped = Clock()
    monkeypatch.setattr(app_clock, "monotonic", stopped)
    return stopped
