"""The editor in a real browser (Playwright driving Debian's Chromium): two writers
on one draft, the conflict view, merging, presence, and the browser's backup.

The app and Chromium are fixtures.browsers' (without Chromium the tests skip
locally and fail in CI, which installs it).
"""

from pathlib import Path

from flask import Flask

from fixtures.browsers import open_page


def stored_body(app: Flask, post_id: int) -> str:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Post
    from inkwell.platform.core.tenancy import across_tenants

    with app.app_context(), across_tenants():
        # Browsers send a textarea's lines ending in CRLF.
        return db.session.get(Post, post_id).body_md.replace("\r\n", "\n")


def test_two_writers_one_draft_conflict_merge_and_presence(
    app, live_server, chromium, make_tenant, add_member, make_post
) -> None:
    blog = make_tenant("alice")
    add_member(blog, "ed@example.com", "editor")
    post_id = make_post(blog, "Shared draft", "Original words.", status="draft")
    edit = f"{live_server}/blogs/alice/posts/{post_id}/edit"
    alice = open_page(chromium, live_server, blog.owner_email)
    ed = open_page(chromium, live_server, "ed@example.com")

    alice.goto(edit)
    alice.wait_for_function("document.querySelector('#presence') !== null")
    ed.goto(edit)
    # Alice's tab beat on load; Ed's first beat brings her back.
    presence = ed.locator("#presence")
    presence.filter(has_text="alice@example.com has had this post open since").wait_for()

    alice.fill("#body_md", "Alice wrote this.")
    alice.click("button:text('Save')")
    alice.wait_for_url(f"{live_server}/blogs/alice/")
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
    ed.wait_for_url(f"{live_server}/blogs/alice/")
    assert stored_body(app, post_id) == "Alice wrote this.\n\nEd wrote that."


def test_the_browser_backup_gives_back_every_field(
    app, live_server, chromium, make_tenant, make_post
) -> None:
    # A published post (no autosave): the text typed and never saved stays in the
    # browser, and a restore puts back title, tags, excerpt and body.
    blog = make_tenant("alice")
    post_id = make_post(blog, "Live", "Readers see this.", status="published")
    edit = f"{live_server}/blogs/alice/posts/{post_id}/edit"
    page = open_page(chromium, live_server, blog.owner_email)
    page.goto(edit)
    typed = {"#title": "Live, revised", "#tags": "notes, مرحبا", "#excerpt": "In short.",
             "#body_md": "Readers will see this instead."}  # fmt: skip
    for selector, value in typed.items():
        page.fill(selector, value)
    page.goto(f"{live_server}/blogs/alice/")  # gone without saving, as after a crash
    page.goto(edit)
    assert page.input_value("#body_md") == "Readers see this."
    page.click("#restore-button")
    for selector, value in typed.items():
        assert page.input_value(selector) == value
    assert stored_body(app, post_id) == "Readers see this."


def stored_posts(app: Flask) -> dict[str, str]:
    """Every post's title -> body as stored."""
    from sqlalchemy import select

    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Post
    from inkwell.platform.core.tenancy import across_tenants

    with app.app_context(), across_tenants():
        return {post.title: post.body_md for post in db.session.scalars(select(Post))}


def copy(page, text: str, folder: Path) -> None:
    """Put `text` on the clipboard of the page's browser, from a page of its own in
    `folder`: the clipboard API wants a secure origin, which a file is and app.test
    is not."""
    clipboard = folder / "clipboard.html"
    clipboard.write_text("<!doctype html><title>Clipboard</title>")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(clipboard.as_uri())
    page.evaluate("text => navigator.clipboard.writeText(text)", text)


def test_a_3_mb_paste_leaves_the_editor_usable_and_saves_nothing_too_long(
    app, live_server, chromium, make_tenant, tmp_path
) -> None:
    from inkwell.platform.core.content.post_input import BODY_MAX, multi_line

    blog = make_tenant("alice")
    page = open_page(chromium, live_server, blog.owner_email)
    # Paragraphs with CRLF line breaks, as copied on Windows: each break counts once.
    paragraph = "A sentence of pasted text, long enough to matter — ça compte. " * 8
    pasted = (paragraph.strip() + "\r\n\r\n") * (3_000_000 // (len(paragraph) + 3))
    copy(page, pasted, tmp_path)
    page.goto(f"{live_server}/blogs/alice/posts/new")
    page.fill("#title", "Pasted")
    page.click("#body_md")
    page.keyboard.press("Control+V")

    counted = len(multi_line(pasted))
    over = f"The text is {counted:,} characters long; the limit is {BODY_MAX:,}."
    # Laying out megabytes is the browser's own work (seconds on a busy machine);
    # from then on the page answers within the usual wait.
    page.locator("#body-length", has_text=over).wait_for(timeout=60_000)
    page.locator("#preview-paused", has_text="Preview paused: the text is long").wait_for()
    # The page answers: another field takes typing at once.
    page.fill("#tags", "long, 長い")
    assert page.input_value("#tags") == "long, 長い"
    # Autosave (every 5 s) sends nothing and says why; nothing is stored.
    page.locator("#autosave-status", has_text=f"Not saved: {over}").wait_for()
    page.click("button:text('Save')")
    page.locator("#autosave-status", has_text=f"Not saved: {over}").wait_for()
    assert page.url.endswith("/blogs/alice/posts/new")
    assert len(page.input_value("#body_md")) == counted  # the text is all still there
    assert stored_posts(app) == {}

    # The writer selects all past the limit, as the server counts it (line breaks
    # once), and deletes it: the rest is saved whole.
    page.focus("#body_md")
    page.eval_on_selector("#body_md", "(body, n) => body.setSelectionRange(n, body.value.length)",
                          BODY_MAX)  # fmt: skip
    page.keyboard.press("Delete")
    page.locator("#body-length", has_text=f"{BODY_MAX:,} of {BODY_MAX:,} characters.").wait_for()
    page.click("button:text('Save')")
    page.wait_for_url(f"{live_server}/blogs/alice/")
    assert stored_posts(app) == {"Pasted": pasted.replace("\r\n", "\n")[:BODY_MAX]}
