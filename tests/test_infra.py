"""What deploys Inkwell: the nginx site parses, and gunicorn serves both hosts."""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import unavailable

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def test_nginx_site_is_valid(tmp_path: Path) -> None:
    if NGINX is None:
        unavailable("nginx is not installed (.ci/run installs it)")
    shutil.copytree(ROOT / "infra" / "nginx" / "snippets", tmp_path / "snippets")
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    (tmp_path / "nginx.conf").write_text(
        f"error_log {tmp_path}/error.log; pid {tmp_path}/nginx.pid; events {{}}\n"
        f"http {{ {mime} include {ROOT}/infra/nginx/inkwell.conf; }}\n"
    )
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, host: str, path: str = "/") -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_gunicorn_serves_platform_and_blogs(app, make_tenant, tmp_path: Path) -> None:
    make_tenant("alice")
    port = free_port()
    env = {
        "PATH": str(Path(sys.executable).parent),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "INKWELL_INSTANCE_PATH": str(tmp_path),
        "INKWELL_APP_HOST": "app.test",
        "INKWELL_BLOG_DOMAIN": "blogs.test",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [gunicorn, "-c", ROOT / "infra" / "gunicorn.conf.py", "inkwell.platform.wsgi:create_app()"],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                status, body = get(port, "app.test", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start: " + server.stderr.read1().decode())
        assert (status, body) == (200, "ok\n")
        assert get(port, "alice.blogs.test")[0] == 200
        status, body = get(port, "mallory.blogs.test")
        assert status == 404 and "No such blog" in body
    finally:
        server.terminate()
        server.wait(timeout=10)
