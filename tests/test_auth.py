"""Login and logout on the platform host; cookies a browser would accept."""

import pytest
from flask import Flask

from fixtures.accounts import PASSWORD
from fixtures.app import platform_browser, post_form


def test_login_and_logout(client, auth, make_tenant) -> None:
    make_tenant("alice")
    assert client.get("/dashboard/").status_code == 302  # to login
    answer = auth.login("ALICE@example.com")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/dashboard/"
    assert "Alice" in client.get("/dashboard/").text
    assert client.get("/logout").status_code == 405  # logging out is a POST
    assert post_form(client, "/logout", {}, form_url="/dashboard/").status_code == 302
    assert client.get("/dashboard/").status_code == 302


def test_dashboard_urls_need_login(app, client, make_tenant) -> None:
    make_tenant("alice")
    paths = [
        "/dashboard/",
        "/blogs/alice/",
        "/blogs/alice/posts/new",
        "/blogs/alice/posts/1/edit",
        "/blogs/alice/posts/1/history",
        "/blogs/alice/posts/1/history/1",
        "/blogs/alice/deleted",
        "/blogs/alice/settings",
        "/blogs/alice/team/",
        "/blogs/alice/snippets/",
        "/blogs/alice/snippets/new",
        "/blogs/alice/snippets/1/edit",
        "/blogs/alice/tags/",
        "/blogs/alice/tags/1",
        "/blogs/alice/export/",
        "/blogs/alice/export/options",
        "/blogs/alice/import/",
        "/blogs/alice/import/jobs/1",
        "/blogs/alice/mirror/",
        "/blogs/alice/mirror/status.json",
        "/blogs/alice/media/",
        "/blogs/alice/domains/",
        "/blogs/alice/css/",
        "/blogs/alice/navigation/",
        "/blogs/alice/subscribers/",
        "/blogs/alice/subscribers/subscribers.csv",
    ]
    # Fetched by the dashboard's scripts and <img> tags: a 401 they can explain.
    script_paths = [f"/blogs/alice/media/{'0' * 64}-320.webp"]
    blog_pages = [
        r for r in app.url_map.iter_rules() if r.rule.startswith("/blogs/") and "GET" in r.methods
    ]
    # A new dashboard page must be listed here.
    assert len(blog_pages) == len(paths) - 1 + len(script_paths)
    for path in paths:
        answer = client.get(path)
        assert answer.status_code == 302, path
        assert answer.headers["Location"].startswith("/login?next="), path
    for path in script_paths:
        answer = client.get(path)
        assert answer.status_code == 401, path
        assert "logged out" in answer.get_json()["error"]


@pytest.mark.parametrize("email", ["alice@example.com", "nobody@example.com"])
def test_wrong_credentials_answer_alike(client, auth, make_tenant, email: str) -> None:
    make_tenant("alice")
    answer = auth.login(email, "wrong password")
    assert answer.status_code == 401
    assert "Wrong email or password." in answer.text
    assert 'value="' + email + '"' in answer.text  # what the user typed is kept


def test_a_disabled_account_is_logged_out_and_told_so_only_with_its_password(
    app, client, auth, make_tenant
) -> None:
    from sqlalchemy import update

    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import User
    from inkwell.platform.core.types import utcnow

    make_tenant("alice")
    auth.login("alice@example.com")
    with app.app_context():  # what disabling stores (core.user_admin.disable)
        db.session.execute(update(User).values(disabled_at=utcnow()))
        db.session.commit()
    assert client.get("/dashboard/").status_code == 302  # the session no longer loads
    refused = auth.login("alice@example.com")
    assert refused.status_code == 403 and "This account is disabled" in refused.text
    wrong = auth.login("alice@example.com", "wrong password")
    assert wrong.status_code == 401 and "disabled" not in wrong.text


def test_huge_password_is_refused_before_hashing(client, auth, make_tenant) -> None:
    make_tenant("alice")
    answer = auth.login("alice@example.com", "x" * 1_000_000)
    assert answer.status_code == 400
    assert "8 to 1024" in answer.text


@pytest.mark.parametrize(
    ("target", "lands_on"),
    [
        ("/blogs/alice/", "/blogs/alice/"),
        ("//evil.example/", "/dashboard/"),
        ("https://evil.example/", "/dashboard/"),
        ("/\\evil.example", "/dashboard/"),
        ("javascript:alert(1)", "/dashboard/"),
    ],
)
def test_next_is_only_a_same_site_path(client, make_tenant, target: str, lands_on: str) -> None:
    make_tenant("alice")
    url = f"/login?next={target}"
    answer = post_form(client, url, {"email": "alice@example.com", "password": PASSWORD})
    assert answer.headers["Location"] == lands_on


def test_session_cookie_is_host_only_httponly_lax(client, auth, make_tenant) -> None:
    make_tenant("alice")
    auth.login("alice@example.com")
    cookie = client.get_cookie("session", domain="app.test")
    assert cookie is not None
    assert cookie.http_only and cookie.same_site == "Lax"
    assert cookie.domain == "app.test"  # no Domain attribute: not sent to blog subdomains
    assert not cookie.secure


def test_https_uses_host_prefixed_secure_cookies(app_factory, make_tenant) -> None:
    make_tenant("alice")
    browser = platform_browser(app_factory(PREFERRED_URL_SCHEME="https"))
    page = browser.get("/login", base_url="https://app.test/")
    token = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    data = {"csrf_token": token, "email": "alice@example.com", "password": PASSWORD}
    # Over HTTPS, Flask-WTF also requires a same-origin Referer.
    referer = {"Referer": "https://app.test/login"}
    answer = browser.post("/login", data=data, base_url="https://app.test/", headers=referer)
    headers = [h for h in answer.headers.getlist("Set-Cookie") if h.startswith("__Host-session=")]
    assert headers, answer.headers
    assert "Secure" in headers[0] and "Path=/" in headers[0] and "Domain" not in headers[0]


def test_blog_hosts_never_set_cookies(make_tenant, site_client) -> None:
    blog = make_tenant("alice")
    for path in ("/", "/missing/", "/code.css"):
        assert "Set-Cookie" not in site_client(blog).get(path).headers


def test_site_app_has_no_unsafe_routes(app: Flask) -> None:
    site = app.extensions["inkwell.site_app"]
    methods = {m for rule in site.url_map.iter_rules() for m in rule.methods}
    assert methods <= {"GET", "HEAD", "OPTIONS"}
