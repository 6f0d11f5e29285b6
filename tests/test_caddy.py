"""Automatic HTTPS for custom domains, end to end on this machine: Debian's Caddy
with infra/caddy/Caddyfile in front of the app (served by a real server thread),
Debian's pebble as the ACME CA. A verified domain gets a certificate at its first
handshake and its page over HTTPS; an unverified or unknown one gets none.

Pebble runs with PEBBLE_VA_ALWAYS_VALID=1: it skips the HTTP-01/TLS-ALPN-01
validation, which would need the domain's DNS to point at this machine on ports
80/443. What this test is about, Caddy asking the app before it orders a
certificate and serving it, does not depend on it."""

import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from fixtures.services import free_port, unavailable

ROOT = Path(__file__).resolve().parents[1]
CADDYFILE = ROOT / "infra" / "caddy" / "Caddyfile"
CADDY, PEBBLE = shutil.which("caddy"), shutil.which("pebble")


def needs(*programs: str | None) -> None:
    if not all(programs):
        unavailable("caddy and pebble are not installed (.ci/run installs them)")


def test_the_caddyfile_asks_the_app_before_any_certificate(tmp_path: Path) -> None:
    needs(CADDY)
    env = {**os.environ, "HOME": str(tmp_path), "INKWELL_ACME_EMAIL": "ops@example.com"}
    result = subprocess.run(
        [CADDY, "adapt", "--config", CADDYFILE, "--adapter", "caddyfile"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    tls = json.loads(result.stdout)["apps"]["tls"]["automation"]
    assert tls["on_demand"]["ask"] == "http://127.0.0.1:8000/.well-known/inkwell/tls-allowed"
    assert all(policy["on_demand"] for policy in tls["policies"])


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"{process.args[0]} exited: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.1)
    pytest.fail(f"{process.args[0]} did not listen on {port}")


@contextmanager
def running(args: list, env: dict[str, str], port: int) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, process)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def serving(app: Flask) -> Iterator[int]:
    """The whole app (both hosts) on a loopback port, in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()


def pebble_config(folder: Path) -> tuple[Path, int, int]:
    """A pebble configuration with a certificate of its own (its ACME endpoint is
    HTTPS): the file, the ACME port and the management port."""
    cert, key = folder / "pebble-cert.pem", folder / "pebble-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", key, "-out", cert],
        check=True, capture_output=True,
    )  # fmt: skip
    acme, management = free_port(), free_port()
    config = folder / "pebble.json"
    config.write_text(json.dumps({"pebble": {
        "listenAddress": f"127.0.0.1:{acme}", "managementListenAddress": f"127.0.0.1:{management}",
        "certificate": str(cert), "privateKey": str(key),
        "httpPort": free_port(), "tlsPort": free_port(), "ocspResponderURL": "",
        "externalAccountBindingRequired": False,
    }}))  # fmt: skip
    return config, acme, management


def https_get(port: int, name: str, roots: str) -> tuple[str, dict]:
    """GET / from Caddy on `port` as a browser visiting https://name/ would, the
    name resolved to 127.0.0.1: the answer's head and body, and the certificate."""
    context = ssl.create_default_context(cadata=roots)
    raw = socket.create_connection(("127.0.0.1", port), timeout=60)
    with raw, context.wrap_socket(raw, server_hostname=name) as tls:
        tls.sendall(f"GET / HTTP/1.1\r\nHost: {name}\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := tls.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks).decode("utf-8", "replace"), tls.getpeercert()


def test_a_verified_domain_gets_a_certificate_and_an_unverified_one_none(
    app: Flask, make_tenant, add_domain, tmp_path: Path
) -> None:
    needs(CADDY, PEBBLE)
    blog = make_tenant("alice")
    add_domain(blog, "blog.example.org", verified=True, primary=True)
    add_domain(blog, "claimed.example.org")

    config, acme, management = pebble_config(tmp_path)
    pebble_env = {**os.environ, "PEBBLE_VA_ALWAYS_VALID": "1", "PEBBLE_VA_NOSLEEP": "1"}
    https = free_port()
    with serving(app) as app_port, running([PEBBLE, "-config", config], pebble_env, acme):
        extra = "\n".join([
            "admin off", f"http_port {free_port()}", f"https_port {https}",
            f"acme_ca https://127.0.0.1:{acme}/dir", f"acme_ca_root {tmp_path / 'pebble-cert.pem'}",
        ])  # fmt: skip
        caddy_env = {
            "PATH": os.environ["PATH"], "HOME": str(tmp_path),
            "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "INKWELL_UPSTREAM": f"127.0.0.1:{app_port}", "INKWELL_ACME_EMAIL": "ops@example.com",
            "INKWELL_CADDY_GLOBAL": extra,
        }  # fmt: skip
        caddy = [CADDY, "run", "--config", CADDYFILE, "--adapter", "caddyfile"]
        with running(caddy, caddy_env, https):
            # The CA's root, which Caddy's certificates chain to (pebble makes a new one each run).
            trusted = ssl.create_default_context(cafile=tmp_path / "pebble-cert.pem")
            roots_url = f"https://127.0.0.1:{management}/roots/0"
            with urllib.request.urlopen(roots_url, context=trusted, timeout=10) as answer:
                roots = answer.read().decode()

            page, certificate = https_get(https, "blog.example.org", roots)
            assert page.startswith("HTTP/1.1 200")
            assert "<title>Alice</title>" in page
            assert ("DNS", "blog.example.org") in certificate["subjectAltName"]

            for name in ("claimed.example.org", "nobody.example.org", "alice.blogs.test"):
                with pytest.raises(ssl.SSLError):
                    https_get(https, name, roots)
