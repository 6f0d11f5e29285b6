"""nginx's micro-cache of blog pages (issue 22, point 1), run as shipped: the
site infra/nginx/inkwell.conf itself, with only its names, ports and paths
replaced, in front of a real gunicorn. A page read twice comes from nginx; an
edit saved in the dashboard, a deleted post and a suspension reach readers
within FRESH_WITHIN; no blog's page is served for another host; nothing of the
app host is ever stored."""

import getpass
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from test_infra import GUNICORN, NGINX, NGINX_MAIN, ROOT, listening_process
from test_infra import self_signed as make_certificate
from test_infra_tls import Browser, behind_tls

from fixtures.accounts import PASSWORD
from fixtures.services import free_port, unavailable

# The shipped site's names and places, and what they become here.
REPLACED = {
    "server 127.0.0.1:8000;": "server 127.0.0.1:{app_port};",
    "/var/lib/nginx/inkwell-cache": "{prefix}/cache",
    "/var/log/nginx/inkwell.access.log": "{prefix}/access.log",
    "/srv/inkwell/mirror": "{prefix}/mirror",
    "app.example.com": "app.test",
    r"\.example\.page$": r"\.blogs\.test$",
    "listen 80": "listen 127.0.0.1:{http_port}",
    "listen 443": "listen 127.0.0.1:{https_port}",
}
# nginx keeps a page for the app's s-maxage (1 s) counted in whole seconds, so
# up to 2 s, and each gunicorn worker reads a blog's version at most
# TENANT_LOOKUP_TTL (1 s) late: a change is served within 3 s at worst.
FRESH_WITHIN = 3.0


@dataclass
class Site:
    https_port: int
    prefix: Path

    def browser(self, host: str) -> Browser:
        return Browser(self.https_port, host)

    def read(self, host: str, path: str) -> Browser.Answer:
        return self.browser(host).request("GET", path)

    def cached_keys(self) -> list[str]:
        """The key of every page in nginx's cache (each file's `KEY:` line)."""
        files = [f for f in (self.prefix / "cache").rglob("*") if f.is_file()]
        found = (re.search(rb"\nKEY: (\S+)\n", f.read_bytes()) for f in files)
        return sorted(match.group(1).decode() for match in found if match)


def shipped_site(prefix: Path, app_port: int) -> tuple[Path, int]:
    """infra/nginx/inkwell.conf ready to run in `prefix`: the conf file and its HTTPS port."""
    shutil.copytree(ROOT / "infra" / "nginx" / "snippets", prefix / "snippets")
    for name, host in (("app", "app.test"), ("blogs", "*.blogs.test")):
        make_certificate(prefix / "inkwell-tls", name, host)
    https_port = free_port()
    places = {"prefix": prefix, "app_port": app_port, "http_port": free_port()}
    site = (ROOT / "infra" / "nginx" / "inkwell.conf").read_text()
    for shipped, here in REPLACED.items():
        assert shipped in site, f"inkwell.conf has no {shipped!r} any more: update this test"
        site = site.replace(shipped, here.format(**places, https_port=https_port))
    (prefix / "inkwell.conf").write_text(site)
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    conf = prefix / "nginx.conf"
    head = NGINX_MAIN.format(user=getpass.getuser(), prefix=prefix)
    conf.write_text(f"{head}    {mime}\n    include {prefix}/inkwell.conf;\n}}\n")
    return conf, https_port


@pytest.fixture
def site(app, tmp_path: Path) -> Iterator[Site]:
    """The shipped nginx site in front of gunicorn (infra's settings, the test database)."""
    if NGINX is None or shutil.which("openssl") is None:
        unavailable("nginx and openssl are needed (.ci/run installs nginx)")
    app_port = free_port()
    conf, https_port = shipped_site(tmp_path, app_port)
    env = behind_tls(app, tmp_path / "instance", app_port)
    with (
        listening_process(GUNICORN, app_port, env=env, cwd=tmp_path),
        listening_process([NGINX, "-p", tmp_path, "-c", conf], https_port),
    ):
        yield Site(https_port, tmp_path)


def served_within(seconds: float, seen: Callable[[], bool]) -> float:
    """How long until `seen()` held, polling; fails past `seconds`."""
    started = time.monotonic()
    while not seen():
        elapsed = time.monotonic() - started
        assert elapsed < seconds, f"not served within {seconds} s"
        time.sleep(0.05)
    return time.monotonic() - started


@contextmanager
def logged_in(site: Site, email: str) -> Iterator[Browser]:
    """A browser on the app host, through nginx, logged in as `email`."""
    browser = site.browser("app.test")
    yield submit(browser, "/login", {"email": email, "password": PASSWORD})


def submit(browser: Browser, path: str, fields: dict[str, str], shown_at: str = "") -> Browser:
    """Post the form to `path` with the CSRF token of the page showing it (`shown_at`,
    else `path`), as a browser on the app host does."""
    form = browser.request("GET", shown_at or path)
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', form.body)
    assert token, form.body[:300]
    origin = "https://app.test"
    answer = browser.request(
        "POST", path, urlencode({"csrf_token": token.group(1).decode(), **fields}),
        {"Referer": origin + path, "Origin": origin,
         "Content-Type": "application/x-www-form-urlencoded"},
    )  # fmt: skip
    assert answer.status in (302, 303), answer.body[:500]
    return browser


def test_a_page_read_twice_comes_from_nginx(site: Site, make_tenant, make_post) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    make_post(alice, "Hello", "Alice writes.")
    make_post(bob, "Hello", "Bob writes.")
    first = site.read("alice.blogs.test", "/hello/")
    again = site.read("alice.blogs.test", "/hello/")
    assert (first.status, first.headers["X-Cache-Status"]) == (200, "MISS")
    assert (again.status, again.headers["X-Cache-Status"]) == (200, "HIT")
    assert again.body == first.body and b"Alice writes." in again.body
    # This request's id, not the one of the request that filled the copy.
    assert again.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    # The same path on another blog is that blog's page, from a copy of its own.
    other = site.read("bob.blogs.test", "/hello/")
    assert b"Bob writes." in other.body and b"Alice writes." not in other.body
    assert other.headers["X-Cache-Status"] == "MISS"
    # A query string is the reader's to choose: no copy of its own.
    assert site.read("alice.blogs.test", "/hello/?utm=x").headers["X-Cache-Status"] == "BYPASS"
    assert site.cached_keys() == [
        "https://alice.blogs.test/hello/", "https://bob.blogs.test/hello/",
    ]  # fmt: skip


def test_changes_reach_readers_through_nginx(
    site: Site, make_tenant, make_post, change_blog
) -> None:
    alice = make_tenant("alice")
    post_id = make_post(alice, "Hello", "First words.")
    gone_id = make_post(alice, "Gone", "Deleted soon.")
    make_post(alice, "Later", "Read until suspended.")

    def reads(path: str, status: int, words: bytes = b"") -> Callable[[], bool]:
        def seen() -> bool:
            answer = site.read("alice.blogs.test", path)
            return answer.status == status and words in answer.body

        return seen

    for path in ("/hello/", "/gone/", "/later/"):  # kept by nginx, and read while kept
        site.read("alice.blogs.test", path)
        assert site.read("alice.blogs.test", path).headers["X-Cache-Status"] == "HIT"
    with logged_in(site, alice.owner_email) as owner:
        edit = {"title": "Hello", "slug": "hello", "body_md": "Second words."}
        submit(owner, f"/blogs/alice/posts/{post_id}/edit", {**edit, "status": "published"})
        took = served_within(FRESH_WITHIN, reads("/hello/", 200, b"Second words."))
        print(f"\nedit served in {took:.2f} s")
        edit_page = f"/blogs/alice/posts/{gone_id}/edit"
        submit(owner, f"/blogs/alice/posts/{gone_id}/delete", {}, shown_at=edit_page)
        print(f"deletion served in {served_within(FRESH_WITHIN, reads('/gone/', 404)):.2f} s")
    later = site.read("alice.blogs.test", "/later/")
    assert later.status == 200 and b"Read until suspended." in later.body
    change_blog(alice, status="suspended", status_reason="Spam.")
    print(f"suspension served in {served_within(FRESH_WITHIN, reads('/later/', 410)):.2f} s")
    for _ in range(3):  # and stays so: nginx's copy is not served again
        assert site.read("alice.blogs.test", "/later/").status == 410
        time.sleep(0.5)
    served_within(FRESH_WITHIN, reads("/hello/", 410))


def test_nothing_of_the_app_host_is_stored(site: Site, make_tenant) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    for blog, other in ((alice, "bob"), (bob, "alice"), (alice, "bob")):
        with logged_in(site, blog.owner_email) as owner:
            home = owner.request("GET", "/dashboard/")
            assert home.status == 200 and "X-Cache-Status" not in home.headers
            assert f"/blogs/{blog.subdomain}/".encode() in home.body
            assert f"/blogs/{other}/".encode() not in home.body
    assert site.read("app.test", "/login").headers.get("X-Cache-Status") is None
    assert site.cached_keys() == []
