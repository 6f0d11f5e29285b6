"""Moving in from WordPress (issue #23, point 2): an export written the way
WordPress 6 writes it (namespaces, CDATA, Gutenberg and classic bodies, an
attachment that is a featured image, a draft, a scheduled post, a page, a menu
item, a trashed post, comments, categories in Arabic) imports as the blog's posts;
importing it again changes nothing; hostile or broken XML is refused whole."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from fixtures.blogs import content_version
from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import (
    NewsletterSend,
    Outbox,
    Post,
    Quota,
    Subscriber,
    Tenant,
    User,
)
from inkwell.platform.core.newsletter import subscribers
from inkwell.platform.core.portability.foreign import ForeignFormatError
from inkwell.platform.core.portability.foreign_import import ForeignReport, import_foreign
from inkwell.platform.core.portability.readers.wordpress import WordPressReader

EXPORT = Path(__file__).parent / "fixtures" / "exports" / "wordpress.xml"
WXR_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
    "<wp:wxr_version>1.2</wp:wxr_version>\n"
    "<wp:base_site_url>https://old.example.com</wp:base_site_url>\n"
)


@pytest.fixture
def ana(make_tenant):
    """A blog owned by ana@example.com, the export's main author."""
    return make_tenant("alice", "ana@example.com")


def run_import(app, blog, path: Path = EXPORT) -> ForeignReport:
    with app.app_context():
        tenant = db.session.get_one(Tenant, blog.id)
        owner = db.session.scalar(select(User.id).where(User.email == blog.owner_email))
        return import_foreign(tenant, owner, WordPressReader(path))


def posts_of(app, blog) -> dict[str, Post]:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        query = select(Post).options(selectinload(Post.tags), selectinload(Post.author))
        found = {p.title: p for p in db.session.scalars(query)}
        for post in found.values():
            db.session.expunge(post)
        return found


def test_an_export_imports_as_posts_pages_drafts_and_a_schedule(app, ana, site_client):
    report = run_import(app, ana)

    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    assert report.skipped == {"comment": 2, "attachment": 1, "menu item": 1, "post": 1}
    assert report.images_not_fetched == 2  # the lake in the body, and as featured image
    posts = posts_of(app, ana)
    hello = posts["Hello world, with a view"]
    assert hello.slug == "hello-world" and hello.status == "published"
    assert hello.published_at == datetime(2019, 5, 1, 9, 30, tzinfo=UTC)
    assert hello.created_at == hello.published_at
    assert hello.content_updated_at == datetime(2019, 5, 3, 6, 0, tzinfo=UTC)
    assert hello.author.email == "ana@example.com"
    assert sorted(t.name for t in hello.tags) == ["Zürich", "سفر"]  # not "Uncategorized"
    assert hello.excerpt == "A first post, by the lake."
    assert "Welcome to my **new** home." in hello.body_md
    assert "## What comes next" in hello.body_md and "- More posts" in hello.body_md
    assert "![The lake at dawn](https://old.example.com/wp-content/uploads/2019/05/lake.jpg)" in (
        hello.body_md
    )
    assert "wp:paragraph" not in hello.body_md  # the block editor's markers are gone
    trip = posts["رحلة إلى الجبال"]
    assert trip.body_md == "كانت الرحلة طويلة.\n\nوصلنا في المساء  \nوكان الجو باردًا.\n"  # noqa: RUF001
    assert trip.slug.isascii()
    assert trip.author is None and trip.byline == "Guest Writer"  # no member: a byline
    draft, later, about = posts["Half-written thoughts"], posts["Coming soon"], posts["About me"]
    assert draft.status == "draft" and draft.slug == "half-written-thoughts"
    assert later.status == "scheduled"
    assert later.published_at == datetime(2099, 1, 1, 8, 0, tzinfo=UTC)
    assert about.is_page and about.slug == "about-me"
    assert "Deleted long ago" not in posts
    notes = {text for _ref, text in report.lines}
    assert any("images not fetched" in text for text in notes)
    assert "skipped (menu item): menus are not imported: set Settings → Navigation" in notes

    reader = site_client(ana)
    page = reader.get("/hello-world/")
    assert page.status_code == 200 and "What comes next" in page.text
    assert "رحلة إلى الجبال" in reader.get("/").text
    assert "Guest Writer" in reader.get(f"/{trip.slug}/").text
    # Its old addresses lead to it: the permalink and WordPress's ?p=.
    for old in ("/2019/05/hello-world/", "/2019/05/hello-world", "/?p=12"):
        moved = reader.get(old)
        assert moved.status_code == 301 and moved.location.endswith("/hello-world/"), old
    assert "Coming soon" not in reader.get("/").text  # not yet
    assert reader.get("/about-me/").status_code == 200


def test_importing_the_same_export_again_changes_nothing(app, ana):
    run_import(app, ana)
    before, version = posts_of(app, ana), content_version(app, ana)

    again = run_import(app, ana)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    after = posts_of(app, ana)
    assert {t: (p.id, p.revision, p.slug) for t, p in after.items()} == {
        t: (p.id, p.revision, p.slug) for t, p in before.items()
    }
    assert content_version(app, ana) == version


def test_a_slug_the_blog_already_uses_gets_a_suffix_and_says_so(app, ana, make_post):
    make_post(ana, "Hello world", "Written here first.")

    report = run_import(app, ana)
    again = run_import(app, ana)

    posts = posts_of(app, ana)
    assert posts["Hello world"].body_md == "Written here first."
    assert posts["Hello world, with a view"].slug == "hello-world-2"
    assert ["post 12: Hello world, with a view", "/hello-world/ is taken in this blog: "
            "imported at /hello-world-2/"] in report.lines  # fmt: skip
    assert again.created == 0 and again.unchanged == 5  # never a second copy


def test_an_old_address_the_blog_refuses_leaves_a_second_import_unchanged(app, ana, make_post):
    make_post(ana, "About me", "The page of this blog.")  # at /about-me/, the old page's path

    first = run_import(app, ana)
    again = run_import(app, ana)

    assert any("about-me" in text and "not kept" in text for _ref, text in first.lines)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


def test_the_post_limit_stops_the_import_with_whole_posts_only(app, ana):
    with app.app_context(), tenancy.tenant_scope(ana.id):
        existing = db.session.scalar(select(func.count(Post.id)))
        db.session.merge(Quota(tenant_id=ana.id, posts=existing + 2))
        db.session.commit()

    report = run_import(app, ana)

    assert report.created == 2 and "limit of" in report.stopped
    assert "post 21: Half-written thoughts" in report.stopped  # where it stopped
    assert set(posts_of(app, ana)) >= {"Hello world, with a view", "رحلة إلى الجبال"}
    assert len(posts_of(app, ana)) == existing + 2


def wxr(body: str, head: str = WXR_HEAD) -> bytes:
    return (head + body + "</channel>\n</rss>\n").encode()


LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;">]>\n<rss><channel><title>&c;</title></channel></rss>'
)
XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    b"<rss><channel><title>&x;</title></channel></rss>"
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (LAUGHS, "declares a DTD, entities or external references"),
        (XXE, "declares a DTD, entities or external references"),
        (wxr("<item><title>cut off")[:-20], "not readable XML"),
        (
            wxr("<item><title>Caf\u00e9</title></item>").replace(b"\xc3\xa9", b"\xe9"),
            "not readable XML",
        ),
        (b"PK\x03\x04 a zip, not XML", "not readable XML"),
        (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>', "root element"),
        (wxr("", head='<?xml version="1.0"?><rss version="2.0"><channel>'), "not a WordPress"),
    ],
    ids=["billion-laughs", "external-entity", "truncated", "latin1-as-utf8", "zip", "atom", "rss"],
)
def test_hostile_or_broken_files_are_refused_before_anything_is_written(
    app, ana, tmp_path, data, message
):
    path = tmp_path / "export.xml"
    path.write_bytes(data)
    before = posts_of(app, ana)

    with pytest.raises(ForeignFormatError, match=message):
        run_import(app, ana, path)

    assert posts_of(app, ana).keys() == before.keys()


def test_a_file_broken_after_its_first_posts_writes_none_of_them(app, ana, tmp_path):
    good = EXPORT.read_text()
    path = tmp_path / "export.xml"
    path.write_text(good.replace("</channel>", "<item><title>cut</title></channel>"))

    with pytest.raises(ForeignFormatError, match="not readable XML"):
        run_import(app, ana, path)

    assert "Hello world, with a view" not in posts_of(app, ana)


def test_imported_posts_mail_no_subscriber(app, ana):
    with app.app_context(), tenancy.tenant_scope(ana.id):
        db.session.add(Subscriber(tenant_id=ana.id, email="reader@example.com",
                                  status="confirmed", token=subscribers.new_token()))  # fmt: skip
        db.session.commit()

    run_import(app, ana)

    with app.app_context(), tenancy.tenant_scope(ana.id):
        assert db.session.scalar(select(func.count(NewsletterSend.id))) == 0
        assert db.session.scalar(select(func.count(Outbox.id))) == 0
