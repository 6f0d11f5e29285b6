"""A lossless export: UUIDs, times to the microsecond and authors survive a move, so the
new blog exports the same bytes and its feeds carry the same entry ids."""

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import feedparser
from sqlalchemy import select

from inkwell.platform.core import tenancy
from inkwell.platform.core.content import aliases
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Subscriber, Tenant, User
from inkwell.platform.core.portability import custom_css_files, navigation_files
from inkwell.platform.core.portability.markdown_io import (
    ImportReport,
    export_markdown,
    import_markdown,
    plan_import,
)

CREATED = datetime(2023, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)
UPDATED = datetime(2023, 4, 5, 6, 7, 8, 654321, tzinfo=UTC)
PUBLISHED = datetime(2023, 3, 5, 1, 2, 3, 999999, tzinfo=UTC)
# A slug it had, and paths of the site it came from: all stay old addresses.
OLD_ADDRESSES = ("/old-first/", "https://old.example.org/2019/05/first/", "/p/first", "/?p=123")
SUBSCRIBERS = {
    "sure@example.org": "confirmed",
    "maybe@example.org": "pending",
    "gone@example.org": "unsubscribed",
}


def export_bytes(app, blog, subscribers: bool = False) -> bytes:
    buffer = io.BytesIO()
    with app.app_context():
        export_markdown(db.session.get(Tenant, blog.id), buffer, subscribers=subscribers)
    return buffer.getvalue()


def zip_names(data: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(data)).namelist()


def import_bytes(app, blog, data: bytes, tmp_path: Path, name: str = "b.zip") -> ImportReport:
    bundle = tmp_path / name
    bundle.write_bytes(data)
    with app.app_context():
        return import_markdown(db.session.get(Tenant, blog.id), None, bundle)


def set_post(app, blog, post_id: int, **values) -> None:
    """Give a post what the editor cannot set directly (times, author)."""
    with app.app_context(), tenancy.tenant_scope(blog.id):
        post = db.session.get(Post, post_id)
        for name, value in values.items():
            setattr(post, name, value)
        db.session.commit()


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def posts_by_slug(app, blog) -> dict[str, Post]:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        posts = list(db.session.scalars(select(Post)))
        db.session.expunge_all()
        return {p.slug: p for p in posts}


def exported_blog(app, make_tenant, make_post, body: str):
    """alice, with one post `first` of `body`, and her export."""
    alice = make_tenant("alice")
    make_post(alice, "First", body)
    return alice, export_bytes(app, alice)


def bundle_with(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def feed_authors(client) -> list[str]:
    return [entry.author for entry in feedparser.parse(client.get("/latest.atom").data).entries]


def feed_ids(client) -> dict[str, list[str]]:
    atom = feedparser.parse(client.get("/latest.atom").data)
    rss = feedparser.parse(client.get("/rss.xml").data)
    items = json.loads(client.get("/feed.json").data)["items"]
    return {
        "atom": [e.id for e in atom.entries],
        "rss": [e.id for e in rss.entries],
        "json": [i["id"] for i in items],
    }


def dress(app, blog) -> None:
    """Give the blog custom CSS, a navigation naming a page, a theme and language of
    its own, and subscribers in each state an export must keep."""
    with app.app_context(), tenancy.tenant_scope(blog.id):
        tenant = db.session.get(Tenant, blog.id)
        custom_css_files.store(tenant, "body { color: #123; }\n")
        assert navigation_files.store(tenant, [{"label": "Now", "page": "now"}]) == []
        tenant.theme, tenant.language, tenant.time_zone = "longread", "fa", "Asia/Tehran"
        for email, status in SUBSCRIBERS.items():
            confirmed = CREATED if status in ("confirmed", "unsubscribed") else None
            db.session.add(
                Subscriber(tenant_id=blog.id, email=email, token=email, status=status,
                           source="form", confirmed_at=confirmed)
            )  # fmt: skip
        db.session.commit()


def keep_old_addresses(app, blog, post_id: int, addresses: tuple[str, ...]) -> None:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        post = db.session.get(Post, post_id)
        for address in addresses:
            aliases.add_alias(post, db.session.get(Tenant, blog.id), address)
        db.session.commit()


def subscribers_of(app, blog) -> dict[str, tuple[str, datetime | None]]:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        rows = db.session.scalars(select(Subscriber))
        return {row.email: (row.status, row.confirmed_at) for row in rows}


def test_round_trip_is_byte_identical_with_the_same_feed_ids(
    app, make_tenant, make_post, make_snippet, make_media, add_member, site_client, tmp_path
) -> None:
    alice = make_tenant("alice")
    ed = add_member(alice, "ed@example.com", "editor")
    image = make_media(alice, alt="A photo")
    body = f"One *two*.\n\n![A photo](media:{image})\n"
    first = make_post(alice, "First", body, tags=["Go"], published_at=PUBLISHED)
    make_post(alice, "Second", "Three.")
    make_post(alice, "Now", "A page.", is_page=True)
    make_post(alice, "Later", "wip", status="draft")
    guest = make_post(alice, "Guest", "By a guest.", slug="guest")
    make_snippet(alice, "Hi", "print('hi')\n", language="python")
    dress(app, alice)
    set_post(app, alice, first, created_at=CREATED, content_updated_at=UPDATED)
    set_post(app, alice, first, author_id=user_id(app, ed))
    set_post(app, alice, guest, author_id=None, byline="Ana Lima")
    keep_old_addresses(app, alice, first, OLD_ADDRESSES)
    exported = export_bytes(app, alice, subscribers=True)
    archive = zipfile.ZipFile(io.BytesIO(exported))
    names = archive.namelist()
    assert {"custom.css", "navigation.yaml", "settings.yaml", "snippets/hi.md"} <= set(names)
    assert "subscribers.csv" in names and "subscribers.csv" not in zip_names(
        export_bytes(app, alice)
    )
    assert any(name.startswith("media/") for name in names)
    guest_file = archive.read("posts/guest.md").decode()
    assert "byline: Ana Lima\n" in guest_file and "author:" not in guest_file
    assert "aliases:\n- 2019/05/first\n- ?p=123\n- old-first\n- p/first\n" in (
        archive.read("posts/first.md").decode()
    )

    bob = make_tenant("bob", owner_email="alice-two@example.com")
    with app.app_context():  # ed writes for the new blog too: matched by email
        from inkwell.platform.core.models import Membership

        db.session.add(Membership(tenant_id=bob.id, user_id=user_id(app, ed), role="author"))
        db.session.commit()
    report = import_bytes(app, bob, exported, tmp_path)
    assert (report.created, report.subscribers, report.errors) == (6, 3, [])
    assert export_bytes(app, bob, subscribers=True) == exported
    assert feed_ids(site_client(bob)) == feed_ids(site_client(alice))
    assert all(feed_ids(site_client(bob)).values())
    assert feed_authors(site_client(bob)) == feed_authors(site_client(alice))
    assert "Ana Lima" in feed_authors(site_client(bob))
    assert subscribers_of(app, bob) == subscribers_of(app, alice)  # confirmed only if it was
    reader = site_client(bob)
    assert 'by <span class="byline" dir="auto">Ana Lima</span>' in reader.get("/guest/").text
    for old in ("/old-first/", "/2019/05/first/", "/p/first", "/?p=123"):
        assert reader.get(old).headers["Location"] == "/first/", old

    mine, theirs = posts_by_slug(app, alice), posts_by_slug(app, bob)
    assert theirs["first"].uuid == mine["first"].uuid
    assert theirs["first"].created_at == CREATED  # to the microsecond
    assert theirs["first"].content_updated_at == UPDATED
    assert theirs["first"].published_at == PUBLISHED
    assert theirs["first"].author_id == user_id(app, ed)
    assert theirs["first"].id != mine["first"].id
    assert (theirs["guest"].author_id, theirs["guest"].byline) == (None, "Ana Lima")


def test_reimport_updates_in_place_matched_by_uuid(app, make_tenant, make_post, tmp_path) -> None:
    alice, exported = exported_blog(app, make_tenant, make_post, "One.")
    again = import_bytes(app, alice, exported, tmp_path)
    assert (again.created, again.updated, again.skipped, again.errors) == (0, 0, 1, [])
    # Renamed and edited in the bundle: still the same post, by its UUID.
    text = zipfile.ZipFile(io.BytesIO(exported)).read("posts/first.md").decode()
    renamed = text.replace("slug: first", "slug: premier").replace("One.", "Un.")
    report = import_bytes(app, alice, bundle_with({"posts/premier.md": renamed}), tmp_path)
    assert (report.created, report.updated, report.errors) == (0, 1, [])
    posts = posts_by_slug(app, alice)
    assert list(posts) == ["premier"] and posts["premier"].body_md == "Un."
    # Edited: its updated time is the import's, so feed readers see the change.
    assert posts["premier"].content_updated_at > datetime.fromisoformat(
        text.split("updated: ")[1].split("\n")[0].strip("'")
    )


def test_same_uuid_in_another_blog_is_that_blogs_own_post(
    app, make_tenant, make_post, tmp_path
) -> None:
    alice, exported = exported_blog(app, make_tenant, make_post, "Alice's.")
    bob = make_tenant("bob")
    make_post(bob, "Mine", "Bob's.")
    import_bytes(app, bob, exported, tmp_path)
    uuid = posts_by_slug(app, alice)["first"].uuid
    # bob now has a post with alice's UUID; his re-import of an edit never reaches hers.
    text = zipfile.ZipFile(io.BytesIO(exported)).read("posts/first.md").decode()
    edited = bundle_with({"posts/first.md": text.replace("Alice's.", "Bob's edit.")})
    report = import_bytes(app, bob, edited, tmp_path)
    assert (report.updated, report.errors) == (1, [])
    assert posts_by_slug(app, alice)["first"].body_md == "Alice's."
    assert posts_by_slug(app, bob)["first"].body_md == "Bob's edit."
    assert posts_by_slug(app, bob)["first"].uuid == uuid
    assert set(posts_by_slug(app, bob)) == {"first", "mine"}


def test_uuid_of_one_post_with_the_slug_of_another_is_refused(
    app, make_tenant, make_post, tmp_path
) -> None:
    alice = make_tenant("alice")
    make_post(alice, "First", "1")
    make_post(alice, "Second", "2")
    uuid = posts_by_slug(app, alice)["first"].uuid
    clash = f"---\ntitle: X\nuuid: {uuid}\nslug: second\n---\n\nx"
    twice = f"---\ntitle: Y\nuuid: {uuid}\nslug: third\n---\n\ny"
    report = import_bytes(
        app, alice, bundle_with({"posts/a.md": clash, "posts/b.md": twice}), tmp_path
    )
    errors = dict(report.errors)
    assert "is the post 'first', but slug 'second' is another post" in errors["posts/a.md"]
    assert "is also set by posts/a.md" in errors["posts/b.md"]
    assert report.created == report.updated == 0
    # A file renaming `first` while another takes its slug: both would be `first`.
    renames = f"---\ntitle: X\nuuid: {uuid}\nslug: premier\n---\n\nx"
    takes = "---\ntitle: Y\nslug: first\n---\n\ny"
    files = {"posts/a.md": renames, "posts/b.md": takes}
    report = import_bytes(app, alice, bundle_with(files), tmp_path)
    assert dict(report.errors) == {"posts/b.md": "the post 'first' is also posts/a.md"}
    assert report.updated == 1 and report.created == 0
    assert {slug: p.body_md for slug, p in posts_by_slug(app, alice).items()} == {
        "premier": "x",
        "second": "2",
    }


def test_unmatched_author_is_reported_and_bad_identity_fields_refused(
    app, make_tenant, tmp_path
) -> None:
    alice = make_tenant("alice")
    uuid = uuid4()
    files = {
        "posts/stranger.md": f"---\ntitle: S\nuuid: {uuid}\nauthor: nobody@example.org\n---\n\ns",
        "posts/bad-uuid.md": "---\ntitle: B\nuuid: not-a-uuid\n---\n\nb",
        "posts/bad-time.md": "---\ntitle: T\ncreated: yesterday\n---\n\nt",
        "posts/bad-author.md": "---\ntitle: A\nauthor: [1, 2]\n---\n\na",
    }
    bundle = tmp_path / "b.zip"
    bundle.write_bytes(bundle_with(files))
    with app.app_context():  # the preview (dashboard, --dry-run) names the stranger
        plan = plan_import(db.session.get(Tenant, alice.id), bundle)
    [stranger] = [step for step in plan.steps if step.name == "posts/stranger.md"]
    assert stranger.notes == (
        "author nobody@example.org is not a member of this blog, so not its author here",
    )
    report = import_bytes(app, alice, bundle_with(files), tmp_path)
    errors = dict(report.errors)
    assert errors["posts/bad-uuid.md"] == "uuid 'not-a-uuid' is not a UUID"
    assert errors["posts/bad-time.md"].startswith("created 'yesterday' is not an ISO 8601 time")
    assert errors["posts/bad-author.md"] == "author [1, 2] must be an email address"
    assert "posts/stranger.md" not in errors  # imported, as the preview said
    # The bad files wrote nothing; the stranger's post is imported, unattributed.
    posts = posts_by_slug(app, alice)
    assert list(posts) == ["stranger"] and posts["stranger"].uuid == uuid
    assert posts["stranger"].author_id is None


def test_a_deleted_posts_uuid_is_not_reused_and_it_still_comes_back(
    app, make_tenant, make_post, tmp_path
) -> None:
    from inkwell.platform.core.content.posts import delete_post
    from inkwell.platform.core.content.restoring import bring_back, deleted_post
    from inkwell.platform.core.content.revisions import Actor

    alice, exported = exported_blog(app, make_tenant, make_post, "1")
    uuid = posts_by_slug(app, alice)["first"].uuid
    actor = Actor(alice.owner_email)
    with app.app_context(), tenancy.tenant_scope(alice.id):
        tenant = db.session.get(Tenant, alice.id)
        delete_post(db.session.scalar(select(Post)), tenant, actor=actor)
        db.session.commit()
    bundle = tmp_path / "old.zip"
    bundle.write_bytes(exported)
    with app.app_context():
        plan = plan_import(db.session.get(Tenant, alice.id), bundle)
    [step] = plan.steps
    assert step.notes and step.notes[0].startswith(f"uuid {uuid} is a deleted post's")
    report = import_bytes(app, alice, exported, tmp_path)
    assert (report.created, report.errors) == (1, [])
    assert posts_by_slug(app, alice)["first"].uuid != uuid
    # The deleted post still comes back, under its own UUID, beside the imported one.
    with app.app_context(), tenancy.tenant_scope(alice.id):
        tenant = db.session.get(Tenant, alice.id)
        back = bring_back(deleted_post(uuid), tenant, actor, lambda size: None)
        db.session.commit()
        assert back.uuid == uuid and back.slug != "first"
