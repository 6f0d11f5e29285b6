"""The design as a person meets it: at 390 px nothing is off-screen or hidden in a
sideways scroller (dashboard, admin console, reader pages), a blog's sections are
one navigation bar, every error page offers a way back, and a 429 says how long
to wait."""

import contextlib
import uuid
from collections.abc import Iterator

import pytest
from redis.exceptions import RedisError

from fixtures.accounts import PASSWORD, AuthActions
from fixtures.app import csrf_token, platform_browser
from fixtures.browsers import blog_url, open_page
from fixtures.images import png_bytes

PHONE = 390
LONG_TITLE = "A rather long title about Unterhaltungselektronikfachgeschäfte and more"
BODY = (
    "Read https://example.org/a/very/long/address/that/never/breaks/by/itself/at/all first.\n\n"
    "مرحبا بكم في هذه المدونة، وهذه فقرة طويلة بعض الشيء لتلتف على الشاشة الصغيرة.\n\n"
    "| Column one | Column two | Column three | Column four | Column five |\n"
    "|---|---|---|---|---|\n| 1 | 2 | 3 | 4 | 5 |\n\n"
    "```python\nprint('a line of code much longer than a phone is wide, which scrolls')\n```\n"
)

# What is wider than the screen, or clips content in a sideways scroller. Code,
# a post's tables, textareas and the section bar's tabs (one row on a phone:
# test_the_section_bar_is_one_row_on_a_phone) scroll on their own by design; the
# page never does.
OFF_SCREEN = """() => {
  const width = document.documentElement.clientWidth, found = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = "pre, .highlight, .body table, textarea, input, select, nav.sections .tabs";
    if (el.closest(own)) continue;
    const box = el.getBoundingClientRect();
    if (!box.width && !box.height) continue;
    const style = getComputedStyle(el);
    const clips = style.overflowX !== "visible" && el.scrollWidth > el.clientWidth + 1;
    if (box.right > width + 1 || box.left < -1 || clips) {
      const where = `${Math.round(box.left)}..${Math.round(box.right)}`;
      found.push(`${el.tagName.toLowerCase()}.${el.className} (${where})`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, found};
}"""

BLOG_SECTIONS = ("", "posts/new", "media/", "tags/", "snippets/", "team/", "mirror/", "settings",
                 "import/", "export/options", "domains/", "css/", "navigation/",
                 "subscribers/")  # fmt: skip
MEMBER_PAGES = ["/dashboard/", "/blogs/alice/deleted"] + [
    f"/blogs/alice/{p}" for p in BLOG_SECTIONS
]
ADMIN_PAGES = ["/admin/", "/admin/tenants/", "/admin/tenants/{blog}/", "/admin/users/",
               "/admin/quotas/?blog=alice", "/admin/jobs/", "/admin/audit/"]  # fmt: skip
READER_PAGES = ["/", "/a-rather-long-title/", "/tags/unterhaltungselektronikfachgeschafte/",
                "/about/", "/no/such/page/",
                "/search/?q=Unterhaltungselektronikfachgesch%C3%A4fte"]  # fmt: skip


@pytest.fixture
def alice(
    app, make_tenant, make_post, add_member, make_snippet, make_media, add_domain, change_blog
):
    from inkwell.platform.core.accounts.registration import new_user
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant
    from inkwell.platform.core.newsletter import subscribers

    blog = make_tenant("alice")
    for n in range(3):
        make_post(blog, f"{LONG_TITLE} {n}", BODY, tags=["Unterhaltungselektronikfachgeschäfte"])
    make_post(blog, LONG_TITLE, BODY, slug="a-rather-long-title")
    make_post(blog, "مسودة بعنوان عربي طويل نوعا ما", "نص", status="draft")
    make_snippet(blog, "A snippet with a long name as well", "print('hi')", language="python")
    make_post(blog, "About", BODY, is_page=True)
    # Header links as long as labels may be, in two scripts: they wrap, never widen a page.
    links = [
        {"label": "Unterhaltungselektronikfachgeschäfte", "kind": "feed", "target": ""},
        {"label": "روابط المدونة الطويلة جدا للقراء", "kind": "snippets", "target": ""},
        {"label": "A rather long label of forty characters", "kind": "url",
         "target": "https://example.org/"},
    ]  # fmt: skip
    change_blog(blog, navigation=links)
    make_media(blog, png_bytes(1200, 800), "harbour-at-dawn.png", alt="The harbour at dawn")
    make_media(blog, png_bytes(600, 900), "غروب.png", alt="غروب الشمس فوق البحر الأبيض المتوسط")
    make_media(blog, png_bytes(900, 300), f"{LONG_TITLE.replace(' ', '-')}.png")
    add_member(blog, "a.writer.with.a.long.address@example.com", "author")
    add_domain(
        blog, "xn--unterhaltungselektronikfachgeschfte-17c.example", verified=True
    )  # shown in Unicode
    add_domain(blog, "a-rather-long-subdomain-name.of-an-even-longer-domain-name.example")
    with app.app_context():
        new_user("root@example.com", PASSWORD, admin=True, verified=True)
        db.session.commit()
        # A subscriber with an address as long as they come (Subscribers lists it).
        tenant = db.session.get(Tenant, blog.id)
        subscribers.subscribe(tenant, "unterhaltungselektronikfachgeschaefte.leserin@example.com")
        db.session.commit()
    return blog


def off_screen(page, url: str) -> list[str]:
    page.goto(url)
    measured = page.evaluate(OFF_SCREEN)
    wide = [] if measured["scrollWidth"] <= PHONE else [f"page {measured['scrollWidth']} px"]
    return [f"{url}: {what}" for what in wide + measured["found"]]


def test_nothing_is_off_screen_at_390_px(alice, live_server, chromium) -> None:
    owner = open_page(chromium, live_server, alice.owner_email, width=PHONE)
    admin = open_page(chromium, live_server, "root@example.com", width=PHONE)
    reader = open_page(chromium, live_server, width=PHONE)
    problems = []
    for path in MEMBER_PAGES:
        problems += off_screen(owner, live_server + path)
    for path in ADMIN_PAGES:
        problems += off_screen(admin, live_server + path.format(blog=alice.id))
    for path in READER_PAGES:
        problems += off_screen(reader, blog_url(live_server, "alice") + path)
    assert not problems, "\n".join(problems)


def test_the_posts_table_becomes_cards_with_every_column_on_a_phone(
    alice, live_server, chromium
) -> None:
    page = open_page(chromium, live_server, alice.owner_email, width=PHONE)
    page.goto(f"{live_server}/blogs/alice/")
    row = page.locator("table.posts tbody tr").first
    for label in ("Status", "Date", "Updated", "Actions"):
        cell = row.locator(f'td[data-label="{label}"]')
        box = cell.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE, label
    assert row.get_by_role("button", name="Delete").is_visible()


def test_reader_pages_read_in_one_type_family_with_links_of_their_own(
    alice, live_server, chromium
) -> None:
    # Issue #18: bold sans headings over a serif body, default blue underlined links.
    reader = open_page(chromium, live_server)
    reader.goto(blog_url(live_server, "alice") + "/a-rather-long-title/")
    styles = reader.evaluate("""() => {
      const style = (query) => getComputedStyle(document.querySelector(query));
      return {heading: style("article h1").fontFamily, body: style("article .body p").fontFamily,
              link: style(".recent a").color};
    }""")
    assert styles["heading"] == styles["body"]
    assert styles["link"] != "rgb(0, 0, 238)"  # the browser's own blue


def test_the_admin_blog_page_has_one_card_per_action_and_buttons_alike(
    alice, live_server, chromium
) -> None:
    # Issue #18: four stacked buttons of different widths, and a label repeated.
    admin = open_page(chromium, live_server, "root@example.com")
    admin.goto(f"{live_server}/admin/tenants/{alice.id}/")
    buttons = admin.locator(".action-cards button")
    widths = {round(buttons.nth(n).bounding_box()["width"]) for n in range(buttons.count())}
    assert buttons.count() >= 4 and len(widths) == 1, widths
    labels = admin.locator(".action-cards label").all_inner_texts()
    assert len(labels) == len(set(labels)), labels


def test_a_blogs_sections_are_one_navigation_bar(app, alice, client, auth, add_member) -> None:
    auth.login(alice.owner_email)
    page = client.get("/blogs/alice/tags/").text
    bar = page[page.index('<nav class="sections" aria-label="Blog sections">') :]
    bar = bar[: bar.index("</nav>")]
    for label in ("Posts", "Media", "Tags", "Snippets", "Team", "Mirror", "Import/Export",
                  "Deleted posts", "Settings", "Domains", "CSS"):  # fmt: skip
        assert f">{label}</a>" in bar, label
    assert 'href="/blogs/alice/tags/" aria-current="page">Tags' in bar
    # An author is offered only the sections an author may open.
    writer = platform_browser(app)
    AuthActions(writer).login("a.writer.with.a.long.address@example.com")
    page = writer.get("/blogs/alice/").text
    assert ">Posts</a>" in page and ">Settings</a>" not in page and ">Tags</a>" not in page


# Where each tab of the section bar is, and what is in view of its row.
TABS = """() => {
  const nav = document.querySelector("nav.sections"), row = nav.querySelector(".tabs");
  const shown = row.getBoundingClientRect();
  return {height: nav.getBoundingClientRect().height, width: document.documentElement.scrollWidth,
    tabs: [...row.querySelectorAll("a")].map(a => { const box = a.getBoundingClientRect();
      return {text: a.textContent, top: Math.round(box.top),
              current: a.hasAttribute("aria-current"),
              inView: box.left >= shown.left - 1 && box.right <= shown.right + 1}; })};
}"""


@pytest.mark.parametrize(
    "section", ["", "mirror/", "domains/", "css/", "navigation/", "subscribers/"]
)
def test_the_section_bar_is_one_row_on_a_phone(alice, live_server, chromium, section) -> None:
    page = open_page(chromium, live_server, alice.owner_email, width=PHONE)
    page.goto(f"{live_server}/blogs/alice/{section}")
    bar = page.evaluate(TABS)
    assert len(bar["tabs"]) == 13 and len({tab["top"] for tab in bar["tabs"]}) == 1  # one row
    assert bar["height"] < 90 and bar["width"] <= PHONE  # the title's line and the row's
    [current] = [tab for tab in bar["tabs"] if tab["current"]]
    assert current["inView"], current  # scrolled to, wherever it is in the row
    assert not all(tab["inView"] for tab in bar["tabs"])  # the rest a swipe away


def test_error_pages_offer_a_way_back(app, alice, client, auth, site_client, change_blog) -> None:
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "<h1" in missing.text and "Page not found" in missing.text
    assert 'href="/">Go to Inkwell&#39;s home page</a>' in missing.text
    auth.login(alice.owner_email)
    assert 'href="/dashboard/">Back to your dashboard</a>' in client.get("/nothing").text
    # Inside a blog: back to it.
    gone = client.get("/blogs/alice/posts/99999/edit")
    assert gone.status_code == 404 and 'href="/blogs/alice/">Back to Alice</a>' in gone.text
    # A 409 says so in words, with the way back.
    token = csrf_token(client, "/account/")
    refused = client.post("/account/two-factor/recovery-codes", data={"csrf_token": token})
    assert refused.status_code == 409 and "Not possible as things are" in refused.text
    assert "no recovery codes to replace" in refused.text and "<a " in refused.text
    # A blog's host: an unknown blog and a suspended one lead to the platform.
    unknown = site_client("nobody").get("/")
    assert (
        unknown.status_code == 404 and 'href="http://app.test/">Go to Inkwell</a>' in unknown.text
    )
    change_blog(alice, status="suspended", status_reason="Spam.")
    gone = site_client(alice).get("/")
    assert gone.status_code == 410 and 'href="http://app.test/">Go to Inkwell</a>' in gone.text


def _user_id(app, email: str) -> int:
    from sqlalchemy import select

    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import User

    with app.app_context():
        return db.session.scalars(select(User.id).where(User.email == email)).one()


@pytest.fixture
def limited_app(app, app_factory) -> Iterator[object]:
    """An app whose signup form takes one try a minute, under keys of its own."""
    from inkwell.platform.core.extensions import limiter

    yield app_factory(RATE_LIMITS_ENABLED=True, RATE_LIMIT_SIGNUP="1 per minute",
                      RATELIMIT_KEY_PREFIX=f"test-design-{uuid.uuid4().hex}")  # fmt: skip
    with contextlib.suppress(RedisError):
        limiter.reset()


def test_too_many_attempts_says_how_long_to_wait_and_leads_back(limited_app) -> None:
    browser = platform_browser(limited_app)
    data = {"email": "a@example.com", "password": "x", "subdomain": "ab"}
    for _ in range(2):
        answer = browser.post(
            "/signup", data={"csrf_token": csrf_token(browser, "/signup"), **data}
        )
    assert answer.status_code == 429
    seconds = int(answer.headers["Retry-After"])
    assert seconds > 0
    assert f"Please wait {seconds} second" in answer.text
    assert 'href="/signup">Back to the form</a>' in answer.text


def test_the_413_page_says_what_happened_in_words(app, make_tenant, client, auth) -> None:
    make_tenant("alice")
    auth.login("alice@example.com")
    too_big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    answer = client.post("/blogs/alice/import/", data={"bundle": too_big})
    assert answer.status_code == 413
    assert "Too large to accept" in answer.text and "Nothing was saved" in answer.text
    assert 'href="/blogs/alice/import/">Back to the form</a>' in answer.text


def test_the_import_preview_with_images_fits_a_phone(alice, live_server, chromium, media_root):
    from fixtures.imports import image_bundle, preview_in

    owner = open_page(chromium, live_server, alice.owner_email, width=PHONE)
    measured = preview_in(owner, live_server, image_bundle()).evaluate(OFF_SCREEN)
    assert measured["scrollWidth"] <= PHONE and measured["found"] == []
