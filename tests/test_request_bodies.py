"""Hostile bodies: too large in all, too many fields, one field too large, JSON that is
not a form. Each answers 413 (or 400) with words, never 500: a page for forms, JSON
for the editor's scripts, whatever a proxy in front lets through."""

import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
LIMITS = "at most 5 MB in all, 4 MB in any one field and 1,000 fields."


def token(browser: FlaskClient, url: str) -> str:
    return CSRF.search(browser.get(url).text)[1]


def oversized(app: Flask) -> dict[str, str]:
    return {"body_md": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)}


def too_many_fields(app: Flask) -> dict[str, str]:
    return {f"field{n}": "1" for n in range(app.config["MAX_FORM_PARTS"] + 1)}


def one_field_too_large(app: Flask) -> dict[str, str]:
    field = app.config["MAX_FORM_MEMORY_SIZE"] + 1
    assert field + 1024 < app.config["MAX_CONTENT_LENGTH"]  # the whole body is within its limit
    return {"body_md": "x" * field}


BODIES = [oversized, too_many_fields, one_field_too_large]


@pytest.fixture
def writer(app: Flask, client: FlaskClient, auth, make_tenant) -> FlaskClient:
    """alice's browser, logged in, on the platform host."""
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    return client


def posts_in(app: Flask) -> int:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Post
    from inkwell.platform.core.tenancy import across_tenants

    with app.app_context(), across_tenants():
        return db.session.scalar(select(func.count()).select_from(Post))


def assert_refused_page(answer: TestResponse, nav: str) -> None:
    assert answer.status_code == 413
    assert LIMITS in answer.text and "Nothing was saved." in answer.text
    assert nav in answer.text  # the whole page, not the minimal one it degrades to


@pytest.mark.parametrize("encoding", ["application/x-www-form-urlencoded", "multipart/form-data"])
@pytest.mark.parametrize("body", BODIES)
def test_the_login_form_refuses_with_a_page(
    app: Flask, client: FlaskClient, body: Callable[[Flask], dict[str, str]], encoding: str
) -> None:
    data = {"csrf_token": token(client, "/login"), "email": "a@example.com", **body(app)}
    answer = client.post("/login", data=data, content_type=encoding)
    assert_refused_page(answer, nav="Log in")


@pytest.mark.parametrize("encoding", ["application/x-www-form-urlencoded", "multipart/form-data"])
@pytest.mark.parametrize("body", BODIES)
def test_the_editor_form_refuses_with_a_page(
    app: Flask, writer: FlaskClient, body: Callable[[Flask], dict[str, str]], encoding: str
) -> None:
    url = "/blogs/alice/posts/new"
    data = {"csrf_token": token(writer, url), "title": "Big", "status": "draft", **body(app)}
    answer = writer.post(url, data=data, content_type=encoding)
    assert_refused_page(answer, nav="Log out")
    assert posts_in(app) == 0
    assert writer.get(url).status_code == 200  # the session lives on


@pytest.mark.parametrize("path", ["/blogs/alice/preview", "/blogs/alice/posts/autosave"])
@pytest.mark.parametrize("body", BODIES)
def test_the_editor_scripts_are_refused_in_json(
    app: Flask, writer: FlaskClient, body: Callable[[Flask], dict[str, str]], path: str
) -> None:
    # editor.js shows `error` beside the Save button and keeps the text in the page
    # and in localStorage; it tries a 413 again only after the next edit.
    headers = {"X-CSRFToken": token(writer, "/blogs/alice/posts/new")}
    answer = writer.post(path, json={"title": "Big", **body(app)}, headers=headers)
    assert answer.status_code == 413 and answer.is_json
    assert LIMITS in answer.json["error"]
    assert posts_in(app) == 0


def test_a_body_without_length_is_held_to_the_limit_too(app: Flask, client: FlaskClient) -> None:
    # Chunked, as gunicorn passes it on: the server ends the stream, the app counts.
    big = b"email=" + b"x" * app.config["MAX_CONTENT_LENGTH"]
    answer = client.post(
        "/login",
        input_stream=io.BytesIO(big),
        content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert_refused_page(answer, nav="Log in")


def test_bodies_within_the_limits_pass(app: Flask, writer: FlaskClient) -> None:
    headers = {"X-CSRFToken": token(writer, "/blogs/alice/posts/new")}
    fields = {f"field{n}": "1" for n in range(app.config["MAX_FORM_PARTS"] - 2)}
    from inkwell.platform.core.content.post_input import BODY_MAX

    body = "y" * BODY_MAX
    draft = {**fields, "title": "Long", "body_md": body}
    saved = writer.post("/blogs/alice/posts/autosave", json=draft, headers=headers)
    assert saved.status_code == 200, saved.json
    shown = writer.post("/blogs/alice/preview", json={"body_md": "*hi*"}, headers=headers)
    assert shown.json == {"html": '<p dir="auto"><em>hi</em></p>'}


NOT_FORMS: list[Any] = [
    "[1, 2, 3]",
    '"text"',
    "42",
    '{"title": {"nested": "object"}}',
    '{"title": "x", "body_md": 5}',
    '{"title": ["a", "list"]}',
    "[" * 100_000,  # deeper than the JSON parser goes
]


@pytest.mark.parametrize("raw", NOT_FORMS)
def test_json_that_is_not_a_form_is_a_clear_400(app: Flask, writer: FlaskClient, raw: str) -> None:
    headers = {"X-CSRFToken": token(writer, "/blogs/alice/posts/new")}
    saved = writer.post(
        "/blogs/alice/posts/autosave", data=raw, content_type="application/json", headers=headers
    )
    assert saved.status_code == 400 and saved.is_json
    assert "JSON object of text fields" in saved.json["error"]
    # The preview reads leniently (silent): nothing to show, rather than an error.
    shown = writer.post(
        "/blogs/alice/preview", data=raw, content_type="application/json", headers=headers
    )
    assert shown.status_code == 200 and shown.json == {"html": ""}


def stored_bodies(app: Flask) -> dict[str, str]:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Post
    from inkwell.platform.core.tenancy import across_tenants

    with app.app_context(), across_tenants():
        return dict(db.session.execute(select(Post.title, Post.body_md)).all())


# The limit is in characters; these are the texts that take the most bytes for it.
LONGEST = {
    "emoji": "🎉" * 1_000_000,  # 4 bytes each
    "japanese": ("日本語の文章。\n" * 125_000)[:-1] + "。",  # 3 bytes a character, line breaks
}


@pytest.mark.parametrize("script", LONGEST)
def test_the_longest_post_in_any_script_saves_whole(
    app: Flask, writer: FlaskClient, script: str
) -> None:
    from inkwell.platform.core.content.post_input import BODY_MAX

    body = LONGEST[script]
    assert len(body) == BODY_MAX
    url = "/blogs/alice/posts/new"
    # As the editor's form sends it: multipart, line breaks as CRLF.
    assert 'id="post-form"' in writer.get(url).text.split('enctype="multipart/form-data"')[1][:50]
    form = {"csrf_token": token(writer, url), "title": "Form", "status": "draft"}
    sent = writer.post(url, data={**form, "body_md": body.replace("\n", "\r\n")},
                       content_type="multipart/form-data")  # fmt: skip
    assert sent.status_code == 302, sent.text[:500]
    # As autosave sends it: JSON.stringify leaves UTF-8 as it is (no \u escapes).
    headers = {"X-CSRFToken": token(writer, url)}
    draft = json.dumps({"title": "Autosave", "body_md": body}, ensure_ascii=False).encode()
    saved = writer.post("/blogs/alice/posts/autosave", data=draft,
                        content_type="application/json", headers=headers)  # fmt: skip
    assert saved.status_code == 200, saved.json
    assert stored_bodies(app) == {"Form": body, "Autosave": body}
