"""The services a bench run starts and always stops: its own databases, Redis
database, gunicorn and nginx. Each is a context manager, so a failed run
cleans up too (run.py stacks them in an ExitStack)."""

import getpass
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import redis
from psycopg2 import sql

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
STARTUP_SECONDS = 30


def ensure_tools() -> None:
    """Install wrk and nginx with apt when missing."""
    if not (shutil.which("wrk") and nginx_binary()):
        apt_install("wrk", "nginx")


def apt_install(*packages: str) -> None:
    """Install Debian packages, as root or else through sudo."""
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    install = [*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]
    if subprocess.run(install, check=False).returncode != 0:
        # A fresh machine's package lists may be empty or stale.
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
        subprocess.run(install, check=True)


def nginx_binary() -> str | None:
    # Debian keeps nginx in /usr/sbin, which is not on every user's PATH.
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _admin(statement: sql.Composable) -> None:
    connection = psycopg2.connect(f"{PG_SERVER}/postgres")
    # Not `with connection`: that opens a transaction, where CREATE/DROP DATABASE refuse to run.
    connection.autocommit = True
    try:
        connection.cursor().execute(statement)
    finally:
        connection.close()


@contextmanager
def database(name: str) -> Iterator[str]:
    """A fresh database `name` (never `test`: other suites own it), dropped afterwards."""
    assert not name.startswith("test"), "test* databases belong to the test suites"
    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    _admin(drop)  # a leftover from an interrupted run
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        _admin(drop)


@contextmanager
def redis_database(url: str) -> Iterator[str]:
    """Redis database `url`, flushed before and after; no other database is touched."""
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


def inkwell(env: dict[str, str], *args: str) -> str:
    """Run the `inkwell` command; its output, or an error with its stderr."""
    result = subprocess.run(
        [BIN / "inkwell", *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"inkwell {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


@contextmanager
def gunicorn(
    env: dict[str, str], log: Path, host: str, app: str = "inkwell.platform.wsgi:create_app()"
) -> Iterator[str]:
    """`app` (the platform) under gunicorn with the production config and 2 workers;
    yields its base URL."""
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2"}
    command = [BIN / "gunicorn", "-c", ROOT / "infra" / "gunicorn.conf.py", app]
    # Production has no access log (nginx keeps it); anything on stdout is discarded.
    with log.open("wb") as errors:
        server = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors
        )
    with _stopping(server):
        yield _wait_until_up(f"http://127.0.0.1:{port}", host, server, log)


NGINX_MAIN = """\
daemon off;
# Workers run as the bench's user (nginx ignores this unless started by root),
# so they can read its private temporary folder.
user {user};
worker_processes 2;
error_log {prefix}/error.log;
pid {prefix}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
"""
NGINX_CONF = (
    NGINX_MAIN
    + """\
    access_log off;
    default_type text/html;
    server {{
        listen 127.0.0.1:{port};
        root {prefix}/www;
    }}
}}
"""
)


@contextmanager
def nginx(prefix: Path, path: str, page: bytes, host: str) -> Iterator[str]:
    """nginx serving `page` as a static file at `path`; yields its base URL."""
    port = free_port()
    target = prefix / "www" / path.strip("/") / "index.html"
    target.parent.mkdir(parents=True)
    target.write_bytes(page)
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(prefix=prefix, port=port, user=getpass.getuser()))
    log = prefix / "stderr.log"
    with log.open("wb") as errors:
        server = subprocess.Popen([nginx_binary(), "-p", prefix, "-c", conf], stderr=errors)
    with _stopping(server):
        yield _wait_until_up(f"http://127.0.0.1:{port}", host, server, log, path)


@contextmanager
def shipped_nginx(prefix: Path, app: str, host: str) -> Iterator[str]:
    """infra/nginx/inkwell.conf as shipped, its ports and folders moved into `prefix`,
    in front of gunicorn at `app` (a base URL); yields the base URL of its plain-HTTP
    default server (custom domains': a blog host that is no subdomain of the
    example domain arrives there)."""
    shutil.copytree(ROOT / "infra" / "nginx" / "snippets", prefix / "snippets")
    for name in ("app", "blogs"):  # the site's TLS servers need theirs to start
        _self_signed(prefix / "inkwell-tls", name)
    port = free_port()
    site = (ROOT / "infra" / "nginx" / "inkwell.conf").read_text()
    moves = {
        "server 127.0.0.1:8000;": f"server {app.removeprefix('http://')};",
        "/var/lib/nginx/inkwell-cache": f"{prefix}/cache",
        "/var/log/nginx/inkwell.access.log": f"{prefix}/access.log",
        "/srv/inkwell/mirror": f"{prefix}/mirror",
        "listen 80": f"listen 127.0.0.1:{port}",
        "listen 443": f"listen 127.0.0.1:{free_port()}",
    }
    for shipped, here in moves.items():
        if shipped not in site:
            raise RuntimeError(f"infra/nginx/inkwell.conf has no {shipped!r}: update bench")
        site = site.replace(shipped, here)
    (prefix / "inkwell.conf").write_text(site)
    conf = prefix / "nginx.conf"
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    head = NGINX_MAIN.format(prefix=prefix, user=getpass.getuser())
    conf.write_text(f"{head}    {mime}\n    include {prefix}/inkwell.conf;\n}}\n")
    log = prefix / "stderr.log"
    with log.open("wb") as errors:
        server = subprocess.Popen([nginx_binary(), "-p", prefix, "-c", conf], stderr=errors)
    with _stopping(server):
        yield _wait_until_up(f"http://127.0.0.1:{port}", host, server, log)


def _self_signed(folder: Path, name: str) -> None:
    folder.mkdir(exist_ok=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={name}.bench", "-keyout", folder / f"{name}.key",
         "-out", folder / f"{name}.crt"],
        check=True, capture_output=True,
    )  # fmt: skip


def _wait_until_up(
    base: str, host: str, server: subprocess.Popen, log: Path, path: str = "/"
) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"{server.args[0]} exited: see {log}")
        try:
            fetch(base + path, host)
            return base
        except urllib.error.HTTPError:
            raise  # it answers, wrongly: waiting will not help
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{server.args[0]} did not answer within {STARTUP_SECONDS} s")


def fetch(url: str, host: str) -> tuple[bytes, dict[str, str]]:
    """GET `url` with Host `host`: the body and headers (HTTP errors raise)."""
    request = urllib.request.Request(url, headers={"Host": host})  # noqa: S310 (our own loopback)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.read(), dict(response.headers)


@contextmanager
def _stopping(server: subprocess.Popen) -> Iterator[None]:
    try:
        yield
    finally:
        server.terminate()  # gunicorn and nginx both shut down on SIGTERM
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def base_env(database_url: str, redis_url: str, instance: Path) -> dict[str, str]:
    """The environment of every inkwell and gunicorn process of the run."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "INKWELL_INSTANCE_PATH": str(instance),
        "INKWELL_ENV": "production",
        "INKWELL_SECRET_KEY": "bench-" + os.urandom(16).hex(),
        "INKWELL_APP_HOST": "app.bench",
        "INKWELL_BLOG_DOMAIN": "blogs.bench",
    }


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MB; 0 once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0
