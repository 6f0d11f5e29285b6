"""Framing and sniffing: every answer of the platform and of the blogs carries its
security headers; platform pages can be framed by no one and run no inline script;
a blog's CSP lets its comment provider's embed in, and nothing else; the platform
refuses state-changing requests that a browser says came from another site; the
static mirror is served with the same reader headers by nginx and CloudFront."""

import base64
import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from werkzeug.test import TestResponse

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Tenant
from inkwell.tenants.security import READER_HEADERS

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "platform" / "inkwell" / "platform" / "web" / "templates"
TOKEN_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def policy(answer: TestResponse) -> dict[str, list[str]]:
    """The answer's Content-Security-Policy, directive -> sources."""
    directives = (part.split() for part in answer.headers["Content-Security-Policy"].split(";"))
    return {name: sources for name, *sources in directives}


def allows(csp: dict[str, list[str]], directive: str, url: str, page: str) -> bool:
    """Whether `csp` lets a page at `page` load `url` for `directive` (the CSP 3
    source matching this app's policies use: keywords, schemes, hosts, *.hosts)."""
    sources = csp.get(directive, csp.get("default-src", []))
    target, here = urlsplit(url), urlsplit(page)
    for source in sources:
        if source == "'self'" and (target.scheme, target.netloc) == (here.scheme, here.netloc):
            return True
        if source.endswith(":") and target.scheme == source[:-1]:
            return True
        parts = urlsplit(source)
        if parts.scheme != target.scheme or not parts.hostname:
            continue
        if parts.hostname.startswith("*."):
            if (target.hostname or "").endswith(parts.hostname[1:]):
                return True
        elif (parts.hostname, parts.port) == (target.hostname, target.port):
            return True
    return False


# --- the platform ------------------------------------------------------------------


def assert_platform_headers(answer: TestResponse) -> None:
    csp = policy(answer)
    assert csp["frame-ancestors"] == ["'none'"], answer.request.path
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert "'unsafe-inline'" not in answer.headers["Content-Security-Policy"]
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "same-origin"


def test_every_kind_of_platform_answer_carries_the_headers(admin, client, auth) -> None:
    answers = [client.get(path) for path in ("/", "/login", "/signup", "/no/such/page")]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 404]
    assert auth.login("alice@example.com").status_code == 302  # the admin fixture's blog
    pages = ["/dashboard/", "/blogs/alice/posts/new", "/blogs/alice/settings"]
    answers += [client.get(path) for path in [*pages, "/static/platform.js", "/healthz"]]
    answers += [admin.get("/admin/"), admin.get("/admin/users/")]
    assert [answer.status_code for answer in answers[4:]] == [200] * 7
    token = TOKEN_RE.search(client.get("/blogs/alice/posts/new").text)[1]
    preview = client.post(
        "/blogs/alice/preview", json={"body_md": "*hi*"}, headers={"X-CSRFToken": token}
    )
    assert preview.status_code == 200 and preview.is_json
    for answer in [*answers, preview]:
        assert_platform_headers(answer)


# Inline script, event handlers, inline styles and javascript: URLs: all refused by
# the platform's CSP, so none may be in a template (behaviour goes in static/*.js).
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\son[a-z]+\s*=|\sstyle\s*=|javascript:", re.IGNORECASE
)


def test_no_platform_template_has_inline_script_or_style() -> None:
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 20
    found = {
        str(path.relative_to(TEMPLATES)): match[0]
        for path in templates
        if (match := INLINE.search(path.read_text()))
    }
    assert found == {}


# --- the blogs ---------------------------------------------------------------------


def assert_reader_headers(answer: TestResponse) -> dict[str, list[str]]:
    for name, value in READER_HEADERS.items():
        assert answer.headers[name] == value, (answer.request.path, name)
    assert answer.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Frame-Options" not in answer.headers  # nothing on a blog acts for a reader
    return policy(answer)


def test_every_kind_of_blog_answer_carries_the_headers(
    app: Flask, make_tenant, make_post, site_client
) -> None:
    blog = make_tenant("alice")
    make_post(blog, "Hello", "Some *text*.")
    reader = site_client(blog)
    page = reader.get("/hello/")
    assert page.headers["X-Cache"] == "miss"
    hit = reader.get("/hello/")
    assert hit.headers["X-Cache"] == "hit"  # answered before Flask runs
    not_modified = reader.get("/hello/", headers={"If-None-Match": page.headers["ETag"]})
    assert not_modified.status_code == 304
    stylesheet = re.search(r'href="(/assets/site\.[0-9a-f]+\.css)"', page.text)[1]
    answers = [page, hit, not_modified, reader.get(stylesheet), reader.get("/latest.atom")]
    answers += [reader.get("/missing/"), reader.post("/hello/")]
    answers.append(site_client("nobody").get("/"))  # no such blog
    for answer in answers:
        csp = assert_reader_headers(answer)
        assert csp["default-src"] == ["'none'"] and "script-src" not in csp  # no script at all
        # Forms go to the blog (search) and the platform (subscribe) only.
        assert set(csp["form-action"]) <= {"'self'", "http://app.test"}
        assert csp["base-uri"] == ["'none'"]
        assert not allows(
            csp, "style-src", "https://evil.example/x.css", "http://alice.blogs.test/"
        )
    with app.app_context():
        db.session.execute(update(Tenant).values(status="suspended"))
        db.session.commit()
    assert_reader_headers(reader.get("/"))


def test_bare_error_pages_keep_their_style_under_the_policy(site_client) -> None:
    page = site_client("nobody").get("/")
    style = re.search(r"<style>(.*?)</style>", page.text)[1]
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest())
    assert f"'sha256-{digest.decode()}'" in policy(page)["style-src"]


COMMENTS = {
    "disqus": (
        "alices-blog",
        "https://alices-blog.disqus.com/embed.js",
        "https://disqus.com/embed/comments/?base=default&f=alices-blog",
        ["https://other-blog.disqus.com/embed.js", "https://evil.example/embed.js"],
    ),
    "discourse": (
        "https://forum.example.org/community",
        "https://forum.example.org/community/javascripts/embed.js",
        "https://forum.example.org/community/embed/comments?embed_url=x",
        ["https://forum.example.net/javascripts/embed.js", "https://disqus.com/embed.js"],
    ),
}


@pytest.mark.parametrize("provider", COMMENTS)
def test_a_blog_policy_lets_its_comment_embed_in_and_nothing_else(
    change_blog, make_tenant, make_post, site_client, provider: str
) -> None:
    target, script, frame, others = COMMENTS[provider]
    blog = make_tenant("alice")
    change_blog(blog, comments_provider=provider, comments_target=target)
    make_post(blog, "Hello")
    reader = site_client(blog)
    page = reader.get("/hello/")
    csp, here = assert_reader_headers(page), "http://alice.blogs.test/hello/"
    # The page's own script, from the blog, served as a script.
    loader = re.search(r'<script src="(/assets/comments\.[0-9a-f]+\.js)" defer>', page.text)[1]
    assert allows(csp, "script-src", f"http://alice.blogs.test{loader}", here)
    served = reader.get(loader)
    assert served.status_code == 200 and served.mimetype == "text/javascript"
    assert "<script>" not in page.text  # no inline script left
    # What that script loads (the provider's embed.js), and what the embed frames.
    assert allows(csp, "script-src", script, here)
    assert allows(csp, "frame-src", frame, here)
    for other in others:
        assert not allows(csp, "script-src", other, here)
        assert not allows(csp, "frame-src", other, here)
    for elsewhere in ("/", "/no/such/page/"):  # every page of the blog: one policy per blog
        assert policy(reader.get(elsewhere)) == csp


@pytest.mark.parametrize(
    "target",
    ["https://forum.example.org; script-src *", "https://forum.example.org:99999/", "http://x.org"],
)
def test_a_stored_target_cannot_write_the_policy(change_blog, make_tenant, site_client, target):
    blog = make_tenant("alice")
    change_blog(blog, comments_provider="discourse", comments_target=target)
    csp = policy(site_client(blog).get("/"))
    assert "script-src" not in csp and "frame-src" not in csp
    assert "*" not in json.dumps(csp).replace("'sha256-", "")


# --- cross-site requests -----------------------------------------------------------


def login_with(client: FlaskClient, make_tenant, headers: dict[str, str]) -> TestResponse:
    make_tenant("alice")
    token = TOKEN_RE.search(client.get("/login").text)[1]
    data = {"csrf_token": token, "email": "alice@example.com", "password": "correct horse battery"}
    return client.post("/login", data=data, headers=headers)


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # a blog in development (*.localhost), or a sibling
        # What the browser says of the page wins over an Origin that looks right.
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://app.test"},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # a sandboxed frame
        {"Origin": "https://app.test"},  # another scheme is another origin
    ],
)
def test_a_cross_site_request_is_refused_with_its_reason(client, make_tenant, headers) -> None:
    refused = login_with(client, make_tenant, headers)
    assert refused.status_code == 403
    assert "sent from another site" in refused.text
    assert_platform_headers(refused)
    assert client.get("/dashboard/").status_code == 302  # not logged in


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://app.test"},
        {"Sec-Fetch-Site": "none"},  # the user's own doing, not a page's
        {"Origin": "http://app.test"},
        {},  # neither (older browsers, scripts): the CSRF token decides
    ],
)
def test_a_same_origin_request_goes_on(client, make_tenant, headers) -> None:
    assert login_with(client, make_tenant, headers).status_code == 302


def test_without_the_headers_the_csrf_token_is_still_required(client, make_tenant) -> None:
    make_tenant("alice")
    data = {"email": "alice@example.com", "password": "correct horse battery"}
    assert client.post("/login", data=data).status_code == 400
    same_origin = client.post("/login", data=data, headers={"Sec-Fetch-Site": "same-origin"})
    assert same_origin.status_code == 400 and "form expired" in same_origin.text


def test_the_editor_scripts_get_the_refusal_as_json(client, auth, make_tenant) -> None:
    make_tenant("alice")
    auth.login("alice@example.com")
    token = TOKEN_RE.search(client.get("/blogs/alice/posts/new").text)[1]
    answer = client.post(
        "/blogs/alice/preview",
        json={"body_md": "hi"},
        headers={"X-CSRFToken": token, "Sec-Fetch-Site": "cross-site"},
    )
    assert answer.status_code == 403
    assert "sent from another site" in answer.get_json()["error"]
