"""The editor in a real browser (Playwright driving Debian's Chromium): two writers
on one draft, the conflict view, merging, presence, and the browser's backup.

The app runs in a real server thread on a free port; Chromium resolves the
platform's host (app.test) to it. Without Chromium the tests skip locally and fail
in CI, which installs it (.ci/run).
"""

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from fixtures.accounts import PASSWORD
from fixtures.app import APP_HOST
from fixtures.services import free_port, unavailable

CHROMIUM = Path("/usr/bin/chromium")
SETTLE = 10_000  # ms: longest wait for a page or a script's answer


@pytest.fixture
def server(app: Flask) -> Iterator[str]:
    """The app on a real socket: its base URL on the platform host."""
    from werkzeug.serving import make_server

    http = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://{APP_HOST}:{http.server_port}"
    http.shutdown()
    thread.join()


@pytest.fixture
def browser() -> Iterator[object]:
    if not (CHROMIUM.exists() or shutil.which("chromium")):
        unavailable("chromium is not installed (.ci/run installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (it is a dev dependency: make install)")
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
            f"--host-resolver-rules=MAP {APP_HOST} 127.0.0.1"]  # fmt: skip
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        yield chromium
        chromium.close()


def logged_in(browser, server: str, email: str):
    """A page of a fresh browser context (a person of their own), logged in as `email`."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(SETTLE)
    page.goto(f"{server}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/dashboard/")
    return page


def stored_body(app: Flask, post_id: int) -> str:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Post
    from inkwell.platform.core.tenancy import across_tenants

    with app.app_context(), across_tenants():
        # Browsers send a textarea's lines ending in CRLF.
        return db.session.get(Post, post_id).body_md.replace("\r\n", "\n")


def test_two_writers_one_draft_conflict_merge_and_presence(
    app, server, browser, make_tenant, add_member, make_post
) -> None:
    blog = make_tenant("alice")
    add_member(blog, "ed@example.com", "editor")
    post_id = make_post(blog, "Shared draft", "Original words.", status="draft")
    edit = f"{server}/blogs/alice/posts/{post_id}/edit"
    alice = logged_in(browser, server, blog.owner_email)
    ed = logged_in(browser, server, "ed@example.com")

    alice.goto(edit)
    alice.wait_for_function("document.querySelector('#presence') !== null")
    ed.goto(edit)
    # Alice's tab beat on load; Ed's first beat brings her back.
    presence = ed.locator("#presence")
    presence.filter(has_text="alice@example.com has had this post open since").wait_for()

    alice.fill("#body_md", "Alice wrote this.")
    alice.click("button:text('Save')")
    alice.wait_for_url(f"{server}/blogs/alice/")
    assert stored_body(app, post_id) == "Alice wrote this."

    ed.fill("#body_md", "Ed wrote that.")
    ed.click("button:text('Save')")
    # The form's 409, or an autosave's if one left first: the same view either way.
    conflict = ed.locator("#conflict")
    conflict.wait_for()
    assert "Alice wrote this." in conflict.locator(".theirs").inner_text()
    assert "Ed wrote that." in conflict.locator(".yours").inner_text()
    assert ed.input_value("#body_md") == "Ed wrote that."  # kept in the form
    assert stored_body(app, post_id) == "Alice wrote this."

    ed.click("#conflict [data-take=body_md]")
    assert ed.input_value("#body_md") == "Alice wrote this."
    ed.fill("#body_md", "Alice wrote this.\n\nEd wrote that.")
    ed.click("button:text('Save')")
    ed.wait_for_url(f"{server}/blogs/alice/")
    assert stored_body(app, post_id) == "Alice wrote this.\n\nEd wrote that."


def test_the_browser_backup_gives_back_every_field(
    app, server, browser, make_tenant, make_post
) -> None:
    # A published post (no autosave): the text typed and never saved stays in the
    # browser, and a restore puts back title, tags, excerpt and body.
    blog = make_tenant("alice")
    post_id = make_post(blog, "Live", "Readers see this.", status="published")
    edit = f"{server}/blogs/alice/posts/{post_id}/edit"
    page = logged_in(browser, server, blog.owner_email)
    page.goto(edit)
    typed = {"#title": "Live, revised", "#tags": "notes, مرحبا", "#excerpt": "In short.",
             "#body_md": "Readers will see this instead."}  # fmt: skip
    for selector, value in typed.items():
        page.fill(selector, value)
    page.goto(f"{server}/blogs/alice/")  # gone without saving, as after a crash
    page.goto(edit)
    assert page.input_value("#body_md") == "Readers see this."
    page.click("#restore-button")
    for selector, value in typed.items():
        assert page.input_value(selector) == value
    assert stored_body(app, post_id) == "Readers see this."
