"""Images in the editor, in a real browser (Playwright driving Debian's Chromium):
a file dropped on the body, an image pasted into it and files chosen with the
picker each upload with a visible progress and land as `![alt](media:ID)` where
the cursor was, shown by the preview; a refused upload shows the server's sentence
and leaves every word of the text; the cover picker's upload becomes the cover.
"""

import base64
import io
import re

import pytest
from flask import Flask

from fixtures.browsers import open_page

# Each upload's progress as the page showed it, recorded as it changes (uploads
# on one machine can end before a test could look).
WATCH_PROGRESS = """() => {
  window.seenProgress = [];
  new MutationObserver(() => {
    for (const item of document.querySelectorAll("#uploads li, #cover-uploads li")) {
      const bar = item.querySelector("progress");
      window.seenProgress.push({text: item.textContent, bar: bar ? bar.value : null});
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""

# Files made in the page from (name, type, base64) and handed to the body as a
# drop (after a dragover, as a person's drag makes) or as a paste.
HAND_OVER = """([how, files]) => {
  const transfer = new DataTransfer();
  for (const [name, type, data] of files) {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], name, {type}));
  }
  const body = document.getElementById("body_md");
  const init = {bubbles: true, cancelable: true};
  if (how === "paste") {
    body.dispatchEvent(new ClipboardEvent("paste", {...init, clipboardData: transfer}));
  } else {
    body.dispatchEvent(new DragEvent("dragover", {...init, dataTransfer: transfer}));
    body.dispatchEvent(new DragEvent("drop", {...init, dataTransfer: transfer}));
  }
}"""

MEDIA_REF = re.compile(r"!\[[^\]]*\]\(media:(\d+)\)")


def png(width: int = 900, height: int = 600, noise: bool = True) -> bytes:
    """A PNG of random pixels (about 1.6 MB at the default size: an upload long
    enough to report progress on its way)."""
    import os

    from PIL import Image

    size = width * height * 3
    image = Image.frombytes("RGB", (width, height), os.urandom(size) if noise else bytes(size))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def as_file(name: str, data: bytes, kind: str = "image/png") -> list[str]:
    return [name, kind, base64.b64encode(data).decode()]


@pytest.fixture
def writing(app: Flask, make_tenant, make_post, live_server, chromium):
    """Alice's editor open on a draft whose body is two paragraphs, the cursor
    after the first."""
    blog = make_tenant("alice")
    post_id = make_post(blog, "Trip", "First paragraph.\n\nLast paragraph.", status="draft")
    page = open_page(chromium, live_server, blog.owner_email)
    page.goto(f"{live_server}/blogs/alice/posts/{post_id}/edit")
    page.evaluate(WATCH_PROGRESS)
    page.locator("#body_md").focus()
    page.evaluate("() => document.getElementById('body_md').setSelectionRange(16, 16)")
    return page


def body_of(page) -> str:
    return page.input_value("#body_md").replace("\r\n", "\n")


def wait_for_images(page, count: int) -> list[str]:
    """The body's media references once `count` are in and no placeholder is left."""
    page.wait_for_function(
        """(count) => {
          const text = document.getElementById("body_md").value;
          return (text.match(/\\]\\(media:\\d+\\)/g) || []).length === count
            && !text.includes("![Uploading");
        }""",
        arg=count,
    )
    return MEDIA_REF.findall(body_of(page))


def stored(app: Flask, column: str) -> object:
    """`column` of the one post, as stored."""
    from sqlalchemy import select

    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Post
    from inkwell.platform.core.tenancy import across_tenants

    with app.app_context(), across_tenants():
        return db.session.scalars(select(getattr(Post, column))).one()


def progress_was_shown(page) -> bool:
    seen = page.evaluate("window.seenProgress")
    return any(step["bar"] is not None and re.search(r"\d+ %", step["text"]) for step in seen)


def test_a_dropped_image_uploads_with_progress_and_lands_at_the_cursor(writing) -> None:
    writing.evaluate(HAND_OVER, ["drop", [as_file("harbour.png", png())]])
    # While it uploads, its placeholder stands where the cursor was.
    assert "First paragraph.\n\n![Uploading harbour.png" in body_of(writing)
    wait_for_images(writing, 1)
    text = body_of(writing)
    assert re.fullmatch(r"First paragraph\.\n\n!\[[^\]]*\]\(media:\d+\)\n\nLast paragraph\.", text)
    assert progress_was_shown(writing)
    # The preview shows the image itself (loaded: it has its pixels).
    preview = writing.locator("#preview").element_handle().content_frame()
    preview.wait_for_function(
        "() => [...document.images].some((img) => img.complete && img.naturalWidth > 0"
        " && img.currentSrc.includes('/blogs/alice/media/'))"
    )


def test_several_files_dropped_at_once_each_upload(writing) -> None:
    files = [as_file("one.png", png(400, 300)), as_file("two.png", png(300, 400))]
    writing.evaluate(HAND_OVER, ["drop", files])
    assert writing.locator("#uploads li").count() == 2  # one progress line per file
    ids = wait_for_images(writing, 2)
    assert len(set(ids)) == 2
    assert body_of(writing).startswith("First paragraph.\n\n![")
    assert body_of(writing).endswith("\n\nLast paragraph.")


def test_a_pasted_image_uploads_into_the_text(writing) -> None:
    writing.evaluate(HAND_OVER, ["paste", [as_file("image.png", png(300, 200))]])
    wait_for_images(writing, 1)
    assert body_of(writing).startswith("First paragraph.\n\n![")
    assert progress_was_shown(writing)


def test_the_picker_uploads_the_chosen_files_and_autosave_keeps_them(app, writing) -> None:
    writing.set_input_files(
        "#image-picker",
        files=[{"name": "picked.png", "mimeType": "image/png", "buffer": png(500, 300)}],
    )
    [media_id] = wait_for_images(writing, 1)
    assert progress_was_shown(writing)
    # The inserted line counts as typing: the draft's autosave stores it.
    writing.locator("#autosave-status").filter(has_text="Draft saved").wait_for()
    assert f"](media:{media_id})" in stored(app, "body_md")


def test_a_refused_upload_says_why_and_keeps_every_word(writing) -> None:
    before = body_of(writing)
    not_an_image = as_file("notes.png", b"These are words, not pixels.", "image/png")
    writing.evaluate(HAND_OVER, ["drop", [not_an_image]])
    failure = writing.locator("#uploads li.failed")
    failure.wait_for()
    # The server's own sentence, after the page's "Not uploaded:".
    assert re.match(r"notes\.png.*Not uploaded: \w", failure.inner_text(), re.S)
    assert body_of(writing) == before


def test_a_cover_uploaded_in_the_editor_is_chosen_and_saved(app, writing) -> None:
    writing.set_input_files(
        "#cover-picker",
        files=[{"name": "cover.png", "mimeType": "image/png", "buffer": png(600, 400)}],
    )
    chosen = writing.locator("#cover-choices input[type=radio]:checked")
    writing.wait_for_function(
        "() => document.querySelector('#cover-choices input:checked').value !== ''"
    )
    cover_id = int(chosen.get_attribute("value"))
    # Labelled by the file's name, its thumbnail loaded.
    assert writing.locator(f"label[for=cover-{cover_id}]").inner_text() == "cover.png"
    writing.wait_for_function(
        f"() => document.querySelector('label[for=cover-{cover_id}] img').naturalWidth > 0"
    )
    writing.click("button:text('Save')")
    writing.wait_for_url("**/blogs/alice/")
    assert stored(app, "cover_media_id") == cover_id
