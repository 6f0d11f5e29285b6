"""What deploys Inkwell: the nginx site parses, serves a blog's mirror when the
app is down, and gunicorn serves both hosts."""

import getpass
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from fixtures.services import free_port, unavailable

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def test_nginx_site_is_valid(tmp_path: Path) -> None:
    if NGINX is None:
        unavailable("nginx is not installed (.ci/run installs it)")
    shutil.copytree(ROOT / "infra" / "nginx" / "snippets", tmp_path / "snippets")
    for name in ("app", "blogs"):  # where the site expects its certificates
        self_signed(tmp_path / "inkwell-tls", name, f"{name}.example")
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    # nginx -t creates the page cache's folder: one of the test's instead.
    site = (ROOT / "infra" / "nginx" / "inkwell.conf").read_text()
    site = site.replace("/var/lib/nginx/inkwell-cache", f"{tmp_path}/cache")
    (tmp_path / "inkwell.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"error_log {tmp_path}/error.log; pid {tmp_path}/nginx.pid; events {{}}\n"
        f"http {{ {mime} include {tmp_path}/inkwell.conf; }}\n"
    )
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def self_signed(folder: Path, name: str, host: str) -> tuple[Path, Path]:
    """A self-signed certificate for `host`: folder/name.crt and folder/name.key."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / f"{name}.crt", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={host}", "-addext", f"subjectAltName=DNS:{host}",
         "-keyout", key, "-out", cert],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


# An nginx of the test's own in `prefix`; each test adds its http {} lines and
# closes the block.
NGINX_MAIN = """\
daemon off;
user {user};
error_log {prefix}/error.log;
pid {prefix}/nginx.pid;
events {{}}
http {{
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
"""
# The same, in front of the app on `app_port`.
NGINX_HEAD = NGINX_MAIN + "    upstream inkwell_app {{ server 127.0.0.1:{app_port}; }}\n"

MIRROR_CONF = (
    NGINX_HEAD
    + """\
    {mime}
    access_log off;
    map $host $inkwell_mirror {{ default ""; {hosts} }}
    server {{
        listen 127.0.0.1:{port};
        location / {{ include snippets/inkwell-proxy.conf; }}
        set $inkwell_mirror_root {prefix}/mirror;
        include snippets/inkwell-mirror-fallback.conf;
    }}
}}
"""
)


class FailingApp(BaseHTTPRequestHandler):
    """An app that answers /nope/ with 404 and anything else with 500."""

    def do_GET(self) -> None:
        self.send_response(404 if self.path == "/nope/" else 500)
        self.end_headers()
        self.wfile.write(b"from the app")

    def log_message(self, *args) -> None:
        pass


@contextmanager
def nginx_in_front_of(
    app_port: int, prefix: Path, uuid: str, hosts: str | None = None
) -> Iterator[int]:
    """nginx on a free port in front of the app, its mirror fallback finding blog
    `uuid` at alice.blogs.test, or the hosts of the map lines `hosts`."""
    shutil.copytree(ROOT / "infra" / "nginx" / "snippets", prefix / "snippets")
    port = free_port()
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    conf = prefix / "nginx.conf"
    conf.write_text(
        MIRROR_CONF.format(
            user=getpass.getuser(),
            prefix=prefix,
            mime=mime,
            app_port=app_port,
            port=port,
            hosts=hosts or f"alice.blogs.test {uuid};",
        )
    )
    with listening_process([NGINX, "-p", prefix, "-c", conf], port):
        yield port


@contextmanager
def listening_process(command: list, port: int, **popen) -> Iterator[subprocess.Popen]:
    """`command` started, once something listens on `port` (within 30 s); stopped after."""
    server = subprocess.Popen(command, stderr=subprocess.PIPE, **popen)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                time.sleep(0.05)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_nginx_serves_the_mirror_when_the_app_fails(tmp_path: Path) -> None:
    if NGINX is None:
        unavailable("nginx is not installed (.ci/run installs it)")
    uuid = "0b6f3c2e-8d1a-4f7e-9a51-2c4d6e8f0a1b"
    blog = tmp_path / "mirror" / uuid
    (blog / "post-1").mkdir(parents=True)
    (blog / "index.html").write_text("mirror home")
    (blog / "post-1" / "index.html").write_text("mirror post")
    (blog / "latest.atom").write_text("<feed/>")
    app = ThreadingHTTPServer(("127.0.0.1", 0), FailingApp)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    with nginx_in_front_of(app.server_address[1], tmp_path, uuid) as port:
        # The app's own answers pass, but for the errors the fallback covers.
        assert get(port, "alice.blogs.test", "/nope/")[:2] == (404, "from the app")
        status, body, headers = get(port, "alice.blogs.test", "/post-1/")
        assert (status, body, headers["X-Inkwell-Mirror"]) == (200, "mirror post", "1")
        app.shutdown()
        app.server_close()  # now gunicorn "is down": nginx gets connection refused
        assert get(port, "alice.blogs.test", "/")[:2] == (200, "mirror home")
        assert get(port, "alice.blogs.test", "/post-1")[:2] == (200, "mirror post")
        status, body, headers = get(port, "alice.blogs.test", "/latest.atom")
        assert (status, body) == (200, "<feed/>")
        if Path("/etc/nginx/mime.types").exists():
            assert headers["Content-Type"].startswith("application/atom+xml")
        assert get(port, "alice.blogs.test", "/gone/")[0] == 404
        # A host with no mirror must not reach another blog's folder.
        assert get(port, "mallory.blogs.test", f"/{uuid}/index.html")[0] == 503


def test_custom_domains_get_their_mirror_through_the_generated_map(
    app, make_tenant, add_domain, change_blog, tmp_path: Path
) -> None:
    if NGINX is None:
        unavailable("nginx is not installed (.ci/run installs it)")
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant

    alice, bob = make_tenant("alice"), make_tenant("bob")
    add_domain(alice, "xn--bcher-kva.example", verified=True)  # bücher.example
    add_domain(alice, "claim.example.org")  # not verified: not served
    add_domain(bob, "bob.example.org", verified=True)
    change_blog(bob, status="suspended", status_reason="Spam.")  # no mirror for it either
    with app.app_context():
        uuid = str(db.session.get_one(Tenant, alice.id).uuid)
    hosts_map, run = tmp_path / "hosts.map", app.test_cli_runner().invoke
    written = run(args=["domains", "nginx-map", "--output", str(hosts_map)])
    assert written.exit_code == 0 and written.output.endswith("written\n"), written.output
    assert run(args=["domains", "nginx-map", "--output", str(hosts_map)]).output.endswith(
        "unchanged\n"
    )
    lines = [line for line in hosts_map.read_text().splitlines() if not line.startswith("#")]
    assert lines == [f"alice.blogs.test {uuid};", f"xn--bcher-kva.example {uuid};"]
    (tmp_path / "mirror" / uuid).mkdir(parents=True)
    (tmp_path / "mirror" / uuid / "index.html").write_text("mirror home")
    failing = ThreadingHTTPServer(("127.0.0.1", 0), FailingApp)
    threading.Thread(target=failing.serve_forever, daemon=True).start()
    try:
        with nginx_in_front_of(
            failing.server_address[1], tmp_path, uuid, hosts=f"include {hosts_map};"
        ) as port:
            for host in ("xn--bcher-kva.example", "alice.blogs.test"):
                assert get(port, host)[:2] == (200, "mirror home"), host
            for host in ("claim.example.org", "bob.example.org", "bob.blogs.test"):
                assert get(port, host)[0] == 503, host
    finally:
        failing.shutdown()
        failing.server_close()


def get(port: int, host: str, path: str = "/") -> tuple[int, str, dict[str, str]]:
    """Status, body and headers of GET `path` with Host `host`."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


GUNICORN = [
    Path(sys.executable).with_name("gunicorn"),
    "-c", ROOT / "infra" / "gunicorn.conf.py", "inkwell.platform.wsgi:create_app()",
]  # fmt: skip


def gunicorn_env(app, instance: Path, port: int, **extra: str) -> dict[str, str]:
    """gunicorn's environment with infra's settings, on the test database."""
    return {
        "PATH": str(Path(sys.executable).parent),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "INKWELL_INSTANCE_PATH": str(instance),
        "INKWELL_APP_HOST": "app.test",
        "INKWELL_BLOG_DOMAIN": "blogs.test",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        **extra,
    }


def test_gunicorn_serves_platform_and_blogs(app, make_tenant, tmp_path: Path) -> None:
    make_tenant("alice")
    port = free_port()
    server = subprocess.Popen(
        GUNICORN, env=gunicorn_env(app, tmp_path, port), cwd=tmp_path,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                status, body, _ = get(port, "app.test", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start: " + server.stderr.read1().decode())
        assert (status, body) == (200, "ok\n")
        assert get(port, "alice.blogs.test")[0] == 200
        status, body, _ = get(port, "mallory.blogs.test")
        assert status == 404 and "No such blog" in body
    finally:
        server.terminate()
        server.wait(timeout=10)
