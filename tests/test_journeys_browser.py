"""A person's journeys through Inkwell in Chromium (issue #18, point 4): signing up
and publishing a first post, text that outlives a logout in another tab, a
right-to-left post, the static mirror opened from disk, two-factor sign-in.

The 390 px dashboard with nothing off-screen is test_design's (a browser measures
every dashboard, admin and reader page there); the editor's conflicts, its
backup and a 3 MB paste are test_editor_browser's. The app and Chromium are
fixtures.browsers' (without Chromium the tests skip locally and fail in CI).
"""

from pathlib import Path
from urllib.parse import urldefrag, urlsplit
from urllib.request import url2pathname

import pyotp

from fixtures.accounts import PASSWORD
from fixtures.browsers import blog_url, open_page
from fixtures.mail import mail_link
from fixtures.mirrors import publish


def test_sign_up_confirm_write_with_preview_publish_and_read(
    live_server, chromium, mailbox
) -> None:
    page = open_page(chromium, live_server)
    page.goto(f"{live_server}/signup")
    for selector, value in (("#email", "nadia@example.com"), ("#password", PASSWORD),
                            ("#subdomain", "nadia"), ("#title", "Nadia writes")):  # fmt: skip
        page.fill(selector, value)
    page.click("button:text('Create my blog')")
    page.get_by_text("Check your inbox: we sent a mail to nadia@example.com").wait_for()

    [mail] = mailbox.wait_for(1)
    page.goto(live_server + mail_link(mail, "/verify-email/"))  # the link logs in
    page.wait_for_url(f"{live_server}/dashboard/")
    page.get_by_text("your address is confirmed, and you can publish").wait_for()

    page.goto(f"{live_server}/blogs/nadia/posts/new")
    page.fill("#title", "First light")
    page.fill("#body_md", "Hello **world**.\n\n## Then a heading\n\n- and a list")
    preview = page.frame_locator("#preview")
    preview.locator("strong", has_text="world").wait_for()  # the live preview, as rendered
    preview.locator("h2", has_text="Then a heading").wait_for()
    page.fill("#tags", "notes")
    page.select_option("#status", "published")
    page.click("button:text('Save')")
    page.wait_for_url(f"{live_server}/blogs/nadia/")
    page.get_by_text("Saved “First light”.").wait_for()

    reader = open_page(chromium, live_server)
    reader.goto(blog_url(live_server, "nadia") + "/")
    reader.click("a:text('First light')")
    assert reader.locator("article h1").inner_text() == "First light"
    assert reader.locator("article .body strong").inner_text() == "world"
    assert reader.locator("article a:text('#notes')").is_visible()


def test_the_editor_keeps_every_field_across_a_logout_in_another_tab(
    live_server, chromium, make_tenant
) -> None:
    blog = make_tenant("alice")
    page = open_page(chromium, live_server, blog.owner_email)
    page.goto(f"{live_server}/blogs/alice/posts/new")
    page.select_option("#status", "published")  # no autosave: only the browser keeps it
    typed = {"#title": "Written before the logout", "#tags": "notes, 日本語",
             "#body_md": "Every word of this\n\nsurvives."}  # fmt: skip
    for selector, value in typed.items():
        page.fill(selector, value)

    other_tab = page.context.new_page()
    other_tab.goto(f"{live_server}/dashboard/")
    other_tab.click("button:text('Log out')")
    other_tab.get_by_text("You are logged out.").wait_for()

    page.click("button:text('Save')")  # the session is gone: to the login form
    page.wait_for_url(f"{live_server}/login**")
    page.fill("#email", blog.owner_email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/blogs/alice/posts/new")
    assert page.input_value("#title") == ""
    page.click("#restore-button")
    for selector, value in typed.items():
        assert page.input_value(selector) == value, selector


# Where a line's text sits in its box: an element whose text ends at the box's
# right edge (and starts well inside it) is aligned right.
PLACEMENT = """element => {
  const range = document.createRange();
  range.selectNodeContents(element);
  const text = range.getBoundingClientRect(), box = element.getBoundingClientRect();
  return {direction: getComputedStyle(element).direction,
          before: text.left - box.left, after: box.right - text.right};
}"""


def test_a_right_to_left_post_reads_right_to_left(
    live_server, chromium, make_tenant, make_post
) -> None:
    blog = make_tenant("alice")
    body = "مرحبا بكم في مدونتي، مع كلمة English في الوسط.\n\nזאת פסקה בעברית. מה נשמע?"
    make_post(blog, "عنوان عربي", body, slug="arabic", tags=["عربي", "עברית"])
    page = open_page(chromium, live_server)
    page.goto(blog_url(live_server, "alice") + "/arabic/")
    for selector in ("article h1", "article .body p >> nth=0", "article .body p >> nth=1",
                     "article .meta a >> nth=0", "article .meta a >> nth=1"):  # fmt: skip
        placed = page.locator(selector).evaluate(PLACEMENT)
        assert placed["direction"] == "rtl", selector
        if not selector.startswith("article .meta"):  # inline links: their own box
            assert placed["after"] < 2 < placed["before"], (selector, placed)
    assert page.locator("article .meta a >> nth=0").inner_text() == "#عربي"


def crawl(page, start: str, root: Path) -> tuple[set[str], list[str]]:
    """Every page reached by links from `start` (a file: URL under `root`), and what
    is wrong: a link or asset leading nowhere, or out of the mirror's folder."""
    seen, queue, problems = set(), [start], []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        page.goto(url)
        targets = page.eval_on_selector_all(
            "a[href], link[rel=stylesheet], link[rel=alternate], script[src], img[src]",
            "found => found.map(e => [e.tagName, e.getAttribute('href') ?? e.getAttribute('src'),"
            " e.href || e.src])",
        )
        for tag, written, resolved in targets:
            target, fragment = urldefrag(resolved)
            parts = urlsplit(target)
            if parts.scheme != "file":
                if parts.hostname and parts.hostname.endswith(".blogs.test"):
                    problems.append(f"{url}: {written} leaves the mirror")
                continue
            path = Path(url2pathname(parts.path))
            if not path.is_file() or root not in path.parents:
                problems.append(f"{url}: {written} leads nowhere")
            elif tag == "A" and path.suffix == ".html":
                queue.append(target)
            here = target == urldefrag(url)[0]
            if fragment and here and not page.locator(f"[id='{fragment}']").count():
                problems.append(f"{url}: {written} names no element")
    return seen, problems


def test_the_mirror_opened_from_disk_has_every_link_working(
    app, live_server, chromium, make_tenant, make_post, make_snippet, mirror_root
) -> None:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant

    blog = make_tenant("alice")
    make_post(blog, "About", "Notes, and a [link to a post](/second-post/).", is_page=True)
    make_post(blog, "Second post", "Linked to.", tags=["notes"])
    body = ("See [the second post](/second-post/), [notes](/tags/notes/), [home](/), "
            "[a site](https://example.org/) and a footnote[^1].\n\n[^1]: The note.")  # fmt: skip
    make_post(blog, "First post", body, tags=["notes", "日本語"])
    make_snippet(blog, "Greeting", "print('hi')", language="python")
    [run] = publish(app, blog.id)
    assert run.status == "succeeded", run.error
    with app.app_context():
        root = mirror_root / str(db.session.get_one(Tenant, blog.id).uuid)

    page = open_page(chromium, live_server)
    pages, problems = crawl(page, (root / "index.html").as_uri(), root)
    assert not problems, "\n".join(problems)
    reached = {Path(url2pathname(urlsplit(url).path)).relative_to(root).as_posix() for url in pages}
    assert {"index.html", "first-post/index.html", "second-post/index.html", "about/index.html",
            "tags/notes/index.html", "snippets/greeting/index.html"} <= reached  # fmt: skip


def test_two_factor_enrolment_and_a_later_sign_in_with_a_code(
    live_server, chromium, make_tenant, wall_clock
) -> None:
    blog = make_tenant("alice")
    page = open_page(chromium, live_server, blog.owner_email)
    page.goto(f"{live_server}/account/two-factor")
    assert page.locator("svg").first.is_visible()  # the QR code to scan
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    phone = pyotp.TOTP(secret)  # the authenticator app, on the app's stopped clock
    page.fill("#code", phone.at(wall_clock.now))
    page.click("button:text('Turn it on')")
    codes = page.locator("li code")
    codes.first.wait_for()
    assert codes.count() == 10 and codes.first.is_visible()

    page.click("button:text('Log out')")
    page.goto(f"{live_server}/login")
    page.fill("#email", blog.owner_email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/login/code")
    wall_clock.advance(30)  # a later code: the one used to enrol never works again
    page.fill("#code", phone.at(wall_clock.now))
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/dashboard/")
