"""Each blog has a time zone (issue #18, "Time zones"): set at signup from the
browser, changed in settings; the editor takes local times (clock changes
included), and readers, feeds, the mirror and the dashboard see the blog's zone
with exact offsets, to the second."""

import html
import re
from datetime import UTC, datetime

import feedparser
import pytest
from sqlalchemy import select

from fixtures.accounts import AuthActions
from fixtures.app import csrf_token, platform_browser, post_form
from fixtures.blogs import Blog, content_version
from fixtures.mirrors import publish, read_folder
from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Tenant

# 20:00 UTC on 1 January is 05:00 on 2 January in Tokyo.
NEW_YEAR_EVENING = datetime(2024, 1, 1, 20, 0, tzinfo=UTC)
# The stopped wall clock (2030-03-17 17:46:40 UTC), on Tokyo's clocks.
WALL_CLOCK_IN_TOKYO = '<time datetime="2030-03-18T02:46:40+09:00" dir="ltr">'
EDIT = "/blogs/alice/posts/new"


def zone_of(app, subdomain: str) -> str:
    with app.app_context():
        return db.session.scalars(
            select(Tenant.time_zone).where(Tenant.subdomain == subdomain)
        ).one()


def published_at(app, blog: Blog, title: str) -> datetime:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        return db.session.scalars(select(Post.published_at).where(Post.title == title)).one()


@pytest.fixture
def tokyo(make_tenant, change_blog) -> Blog:
    blog = make_tenant("alice")
    change_blog(blog, time_zone="Asia/Tokyo")
    return blog


@pytest.mark.parametrize(
    ("sent", "zone"),
    [("Asia/Tokyo", "Asia/Tokyo"), ("Mars/Olympus_Mons", "UTC"), ("", "UTC")],
)
def test_signup_takes_the_browsers_zone_or_utc(app, client, auth, sent, zone) -> None:
    page = client.get("/signup").text
    assert re.search(r'<input data-browser-zone="" id="time_zone" name="time_zone"', page)
    assert auth.signup(time_zone=sent).status_code == 302  # nobody can correct a hidden field
    assert zone_of(app, "newblog") == zone


def test_settings_change_the_zone_and_readers_see_it(
    app, client, auth, make_tenant, make_post, site_client
) -> None:
    blog = make_tenant("alice")
    make_post(blog, "Hello", published_at=NEW_YEAR_EVENING)
    reader = site_client(blog)
    assert "1 January 2024" in reader.get("/hello/").text  # UTC, as every blog so far
    auth.login(blog.owner_email)
    page = client.get("/blogs/alice/settings").text
    assert '<optgroup label="Asia">' in page and '<option value="Asia/Tokyo">Tokyo</option>' in page
    settings = {"title": "Alice", "code_style": "default", "comments_provider": "none"}
    before = content_version(app, blog)
    wrong = post_form(client, "/blogs/alice/settings", {**settings, "time_zone": "Asia/Atlantis"})
    assert wrong.status_code == 400 and "Choose a time zone from the list" in wrong.text
    saved = post_form(client, "/blogs/alice/settings", {**settings, "time_zone": "Asia/Tokyo"})
    assert saved.status_code == 302 and zone_of(app, "alice") == "Asia/Tokyo"
    assert content_version(app, blog) > before  # cached pages go stale
    page = reader.get("/hello/").text
    assert '<time datetime="2024-01-02T05:00:00+09:00" dir="ltr">2 January 2024</time>' in page
    assert '<option selected value="Asia/Tokyo">' in client.get("/blogs/alice/settings").text


def test_the_editor_takes_and_shows_the_blogs_local_time(app, client, auth, tokyo) -> None:
    auth.login(tokyo.owner_email)
    assert "Publish at (Asia/Tokyo)" in client.get(EDIT).text
    data = {"title": "Later", "status": "scheduled", "publish_at": "2035-01-02T09:30"}
    saved = post_form(client, EDIT, data)
    assert saved.status_code == 302
    assert published_at(app, tokyo, "Later") == datetime(2035, 1, 2, 0, 30, tzinfo=UTC)
    listing = client.get("/blogs/alice/").text
    assert (
        '<time datetime="2035-01-02T09:30:00+09:00" dir="ltr">2035-01-02 09:30 JST</time>'
        in listing
    )
    edit_url = re.search(r'href="(/blogs/alice/posts/\d+/edit)"', listing)[1]
    assert 'value="2035-01-02 09:30:00"' in client.get(edit_url).text  # as it was typed


def test_a_time_the_clocks_skip_is_a_form_error(app, client, auth, make_tenant, change_blog):
    blog = make_tenant("alice")
    change_blog(blog, time_zone="America/Los_Angeles")
    auth.login(blog.owner_email)
    # On 10 March 2024 clocks in Los Angeles went from 02:00 straight to 03:00.
    data = {
        "title": "Gap",
        "body_md": "kept",
        "status": "published",
        "publish_at": "2024-03-10T02:30",
    }
    refused = post_form(client, EDIT, data)
    assert refused.status_code == 400
    assert "There is no 02:30 on 2024-03-10 in America/Los_Angeles" in html.unescape(refused.text)
    assert "kept</textarea>" in refused.text


def test_a_time_the_clocks_show_twice_takes_the_first_and_says_so(
    app, client, auth, make_tenant, change_blog
) -> None:
    blog = make_tenant("alice")
    change_blog(blog, time_zone="America/Los_Angeles")
    auth.login(blog.owner_email)
    # On 3 November 2024 clocks went back from 02:00 PDT to 01:00 PST.
    data = {"title": "Twice", "status": "published", "publish_at": "2024-11-03T01:30"}
    saved = post_form(client, EDIT, data)
    assert saved.status_code == 302
    assert published_at(app, blog, "Twice") == datetime(2024, 11, 3, 8, 30, tzinfo=UTC)  # PDT
    flash = html.unescape(client.get(saved.location).text)
    assert "happens twice in America/Los_Angeles" in flash and "01:30 PDT (UTC-07:00)" in flash


def test_reader_times_carry_the_offset_and_no_fraction_of_a_second(
    app, tokyo, make_post, site_client
) -> None:
    make_post(tokyo, "Just now")  # published "now": microseconds in the database
    reader = site_client(tokyo)
    for url in ("/", "/just-now/"):
        stamps = re.findall(r'<time datetime="([^"]+)"', reader.get(url).text)
        assert stamps and all(
            re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00", s) for s in stamps
        )
    meta = re.search(r'article:published_time" content="([^"]+)"', reader.get("/just-now/").text)
    assert meta[1].endswith("+09:00") and "." not in meta[1]


def test_feeds_keep_the_exact_offset_of_each_date(app, make_tenant, change_blog, make_post,
                                                   site_client) -> None:  # fmt: skip
    blog = make_tenant("alice")
    change_blog(blog, time_zone="America/Los_Angeles")
    make_post(blog, "Winter", published_at=datetime(2024, 1, 15, 18, 0, tzinfo=UTC))
    make_post(blog, "Summer", published_at=datetime(2024, 7, 15, 18, 0, tzinfo=UTC))
    xml = site_client(blog).get("/latest.atom").text
    assert "<published>2024-07-15T11:00:00-07:00</published>" in xml  # PDT
    assert "<published>2024-01-15T10:00:00-08:00</published>" in xml  # PST
    feed = feedparser.parse(xml)
    assert feed.bozo == 0
    assert [e.published_parsed[:5] for e in feed.entries] == [
        (2024, 7, 15, 18, 0),
        (2024, 1, 15, 18, 0),
    ]


def test_the_mirror_shows_the_new_zone_after_a_change(
    app, make_tenant, make_post, change_blog, mirror_root
) -> None:
    blog = make_tenant("alice")
    make_post(blog, "Hello", published_at=NEW_YEAR_EVENING)
    publish(app, blog.id)
    change_blog(blog, time_zone="Asia/Tokyo")
    [run] = publish(app, blog.id)
    assert run.status == "succeeded"
    with app.app_context():
        uuid = str(db.session.get_one(Tenant, blog.id).uuid)
    files = read_folder(mirror_root / uuid)
    for page in ("index.html", "hello/index.html"):
        assert b'datetime="2024-01-02T05:00:00+09:00" dir="ltr">2 January 2024' in files[page], page
    assert b"2024-01-02T05:00:00+09:00" in files["latest.atom"]


def test_dashboard_lists_show_the_blogs_time(app, client, auth, tokyo, make_post) -> None:
    make_post(tokyo, "Hello", published_at=NEW_YEAR_EVENING)
    auth.login(tokyo.owner_email)
    listing = client.get("/blogs/alice/").text
    assert (
        '<time datetime="2024-01-02T05:00:00+09:00" dir="ltr">2024-01-02 05:00 JST</time>'
        in listing
    )
    history_url = re.search(r'href="(/blogs/alice/posts/\d+/history)"', listing)[1]
    assert re.search(
        r'<time datetime="[^"]+\+09:00" dir="ltr">[^<]+ JST</time>', client.get(history_url).text
    )


def test_presence_conflicts_and_autosave_say_the_blogs_time(
    app, wall_clock, tokyo, add_member, make_post
) -> None:
    # A writer in Tokyo whose browser runs on another zone's clocks (or is set wrong)
    # reads the same time as the rest of the blog: who has the post open since when,
    # when the other saved, when the draft was saved.
    add_member(tokyo, "ed@example.com", "editor")
    post_id = make_post(tokyo, "Draft", "start", status="draft")
    post_url = f"/blogs/alice/posts/{post_id}"
    alice, ed = platform_browser(app), platform_browser(app)
    forms = {}
    for browser, email in ((alice, tokyo.owner_email), (ed, "ed@example.com")):
        AuthActions(browser).login(email)
        page = browser.get(f"{post_url}/edit").text
        revision = re.search(r'name="base_revision" type="hidden" value="(\d+)"', page)[1]
        forms[email] = {"X-CSRFToken": csrf_token(browser, f"{post_url}/edit")}, revision
    headers, revision = forms[tokyo.owner_email]
    alice.post(f"{post_url}/presence", json={"tab": "a" * 32}, headers=headers)

    since = f"open since {WALL_CLOCK_IN_TOKYO}02:46 JST</time>."
    assert since in ed.get(f"{post_url}/edit").text
    headers, ed_revision = forms["ed@example.com"]
    beat = ed.post(f"{post_url}/presence", json={"tab": "e" * 32}, headers=headers)
    assert since in beat.json["html"]

    draft = {"title": "Draft", "body_md": "Alice typing", "base_revision": revision}
    saved = alice.post(f"{post_url}/autosave", json=draft, headers=forms[tokyo.owner_email][0])
    assert saved.json["saved_at_text"] == "02:46 JST"
    theirs = {**draft, "body_md": "Ed typing", "base_revision": ed_revision}
    lost = ed.post(f"{post_url}/autosave", json=theirs, headers=headers)
    assert lost.status_code == 409
    conflict_view = " ".join(lost.json["conflict_html"].split())
    assert f"Saved by the other at {WALL_CLOCK_IN_TOKYO}2030-03-18 02:46 JST" in conflict_view


W3C_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)")


@pytest.mark.parametrize(("zone", "lastmod"), [("Asia/Tokyo", "2030-03-18T02:46:40+09:00"),
                                               ("UTC", "2030-03-17T17:46:40+00:00")])  # fmt: skip
def test_sitemap_lastmod_is_a_w3c_datetime_on_the_blogs_clocks(
    wall_clock, make_tenant, change_blog, make_post, make_snippet, site_client, zone, lastmod
) -> None:
    # A bare UTC date named the day before in Tokyo each morning; search engines
    # read a W3C datetime with its offset (sitemaps.org), as the feeds write it.
    blog = make_tenant("alice")
    change_blog(blog, time_zone=zone)
    make_post(blog, "Hello", tags=["greeting"])
    make_snippet(blog, "Quick sort", "def qsort(xs): ...", language="python")
    sitemap = site_client(blog).get("/sitemap.xml").text
    dated = dict(re.findall(r"<loc>([^<]+)</loc><lastmod>([^<]+)</lastmod>", sitemap))
    for page in ("/hello/", "/tags/greeting/", "/snippets/quick-sort/"):
        assert W3C_DATETIME.fullmatch(dated[f"http://alice.blogs.test{page}"]), page
        assert dated[f"http://alice.blogs.test{page}"] == lastmod, page
    assert datetime.fromisoformat(lastmod).timestamp() == wall_clock.now
