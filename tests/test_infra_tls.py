"""The shipped nginx proxy behind TLS on a non-standard port: a login (a POST
with its CSRF check) works, and the access log line names the host, the blog
and the request id the app answered with."""

import getpass
import http.client
import re
import shutil
import socket
import ssl
from pathlib import Path
from urllib.parse import urlencode

import pytest
from test_infra import (
    GUNICORN,
    NGINX,
    NGINX_HEAD,
    ROOT,
    gunicorn_env,
    listening_process,
    self_signed,
)

from fixtures.accounts import PASSWORD
from fixtures.services import free_port, unavailable

CONF = (
    NGINX_HEAD
    + """\
    map $host $inkwell_mirror {{ default ""; }}
    {log_format}
    access_log {prefix}/access.log inkwell;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        location / {{ include snippets/inkwell-proxy.conf; }}
    }}
}}
"""
)


def shipped_log_format() -> str:
    site = (ROOT / "infra" / "nginx" / "inkwell.conf").read_text()
    found = re.search(r"^log_format inkwell .*?;$", site, re.MULTILINE | re.DOTALL)
    assert found, "infra/nginx/inkwell.conf defines no log_format inkwell"
    return found.group(0)


def test_a_login_through_tls_on_a_non_standard_port(app, make_tenant, tmp_path: Path) -> None:
    if NGINX is None or shutil.which("openssl") is None:
        unavailable("nginx and openssl are needed (.ci/run installs nginx)")
    blog = make_tenant("alice")
    app_port, port = free_port(), free_port()
    cert, key = self_signed(tmp_path / "tls", "app", "app.test")
    shutil.copytree(ROOT / "infra" / "nginx" / "snippets", tmp_path / "snippets")
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        CONF.format(
            user=getpass.getuser(), prefix=tmp_path, app_port=app_port, port=port,
            cert=cert, key=key, log_format=shipped_log_format(),
        )
    )  # fmt: skip
    env = behind_tls(app, tmp_path / "instance", app_port)
    with (
        listening_process(GUNICORN, app_port, env=env, cwd=tmp_path),
        listening_process([NGINX, "-p", tmp_path, "-c", conf], port),
    ):
        origin = f"https://app.test:{port}"
        browser = Browser(port, f"app.test:{port}")
        form = browser.request("GET", "/login")
        assert form.status == 200
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', form.body)
        data = {"csrf_token": token.group(1).decode(), "email": blog.owner_email}
        answer = browser.request(
            "POST", "/login", urlencode({**data, "password": PASSWORD}),
            {"Referer": f"{origin}/login", "Origin": origin,
             "Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        assert answer.status == 302, answer.body[:500]  # logged in, not "form expired"
        request_id = answer.headers["X-Request-ID"]
    line = next(
        line for line in (tmp_path / "access.log").read_text().splitlines() if "POST" in line
    )
    assert f"host=app.test:{port} " in line and f"request={request_id} " in line
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id, kept by the app


def behind_tls(app, instance: Path, port: int) -> dict[str, str]:
    """gunicorn's environment (test_infra.gunicorn_env) behind nginx's TLS."""
    return gunicorn_env(
        app, instance, port, INKWELL_PREFERRED_URL_SCHEME="https",
        INKWELL_PROXY_FIX__X_FOR="1", INKWELL_PROXY_FIX__X_PROTO="1",
    )  # fmt: skip


class Connection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1:`port` naming `host` in the handshake (SNI), as a browser
    would: nginx refuses a handshake without a name it serves."""

    def __init__(self, port: int, host: str, context: ssl.SSLContext) -> None:
        super().__init__(host, port, context=context, timeout=10)

    def connect(self) -> None:
        raw = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


class Browser:
    """HTTPS to nginx with a Host and the cookies it was given (a self-signed certificate)."""

    class Answer:
        def __init__(self, response: http.client.HTTPResponse) -> None:
            self.status, self.body = response.status, response.read()
            self.headers = dict(response.getheaders())
            self.cookies = response.headers.get_all("Set-Cookie") or []

    def __init__(self, port: int, host: str) -> None:
        self.port, self.host, self.cookies = port, host, {}
        self.tls = ssl.create_default_context()
        self.tls.check_hostname, self.tls.verify_mode = False, ssl.CERT_NONE

    def request(self, method: str, path: str, body: str | None = None, headers=None) -> Answer:
        connection = Connection(self.port, self.host.split(":")[0], self.tls)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent = {"Host": self.host, **({"Cookie": cookie} if cookie else {}), **(headers or {})}
        connection.request(method, path, body=body, headers=sent)
        answer = self.Answer(connection.getresponse())
        connection.close()
        for header in answer.cookies:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name] = value
        return answer


pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
