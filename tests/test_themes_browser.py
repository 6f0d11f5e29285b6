"""The theme's live preview in a real browser (Playwright driving Debian's Chromium):
choosing a card or a code style restyles the preview of the blog at once, before
anything is saved; saving then gives readers that theme. Without Chromium the test
skips locally and fails in CI, which installs it."""

from flask import Flask

from fixtures.browsers import blog_url, open_page

PREVIEW_STYLES = """() => {
  const doc = document.querySelector("iframe.theme-preview").contentDocument;
  return [...doc.querySelectorAll('link[rel="stylesheet"]')].map((l) => l.getAttribute("href"));
}"""
PREVIEW_BACKGROUND = """() => {
  const doc = document.querySelector("iframe.theme-preview").contentDocument;
  return getComputedStyle(doc.body).backgroundColor;
}"""


def stored_theme(app: Flask, blog_id: int) -> tuple[str, str]:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant

    with app.app_context():
        tenant = db.session.get_one(Tenant, blog_id)
        return tenant.theme, tenant.code_style


def test_choosing_a_theme_restyles_the_preview_before_saving(
    app, live_server, chromium, make_tenant, make_post
) -> None:
    blog = make_tenant("alice")
    make_post(blog, "A first post", "Words.", excerpt="Its excerpt.")
    page = open_page(chromium, live_server, blog.owner_email)
    page.emulate_media(color_scheme="light")
    page.goto(f"{live_server}/blogs/alice/settings")
    frame = page.frame_locator("iframe.theme-preview")
    frame.get_by_text("A first post").wait_for()  # the blog's own newest posts
    assert "theme-classic." in page.evaluate(PREVIEW_STYLES)[1]
    classic = page.evaluate(PREVIEW_BACKGROUND)

    page.click("label[for=theme-1]")  # Long read
    page.wait_for_function(f"({PREVIEW_BACKGROUND})() !== {classic!r}")
    styles = page.evaluate(PREVIEW_STYLES)
    assert "theme-longread." in styles[1] and "code-theme-longread." in styles[2]
    assert page.evaluate(PREVIEW_BACKGROUND) == "rgb(251, 247, 239)"  # its paper
    page.select_option("#code_style", "monokai")
    page.wait_for_function(f"({PREVIEW_STYLES})()[2].includes('code-monokai.')")
    assert stored_theme(app, blog.id) == ("classic", "theme")  # nothing saved yet

    page.get_by_role("button", name="Save settings").click()
    page.wait_for_url(f"{live_server}/blogs/alice/")
    assert stored_theme(app, blog.id) == ("longread", "monokai")
    reader = open_page(chromium, live_server)
    reader.emulate_media(color_scheme="dark")
    reader.goto(blog_url(live_server, "alice") + "/")
    background = reader.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(29, 26, 22)"  # the long read's dark variant
