"""Backups (issue 21, point 1): `inkwell backup FILE` holds every blog's rows
(through row-level security on PostgreSQL), the platform's and the media area;
`inkwell restore FILE` into an emptied database gives every blog's pages back
byte for byte; a damaged, cut-short or newer file changes nothing and says so;
and a full publish after restoring an older database makes the mirror equal to
the build whatever the restored manifest says (folder and S3 targets)."""

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fixtures.app import BLOG_DOMAIN, HostClient
from fixtures.images import png_bytes
from fixtures.mirrors import edit_post, post_id, publish, read_folder
from inkwell.platform.core.extensions import cache, db
from inkwell.platform.core.models import Post
from inkwell.platform.core.tenancy import across_tenants

PAGES = ("/", "/about/", "/tags/python/", "/latest.atom", "/sitemap.xml", "/snippets/")


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def blogs(make_tenant, make_post, make_snippet, make_media, change_blog):
    """Two blogs with posts, tags, a page, a snippet, an image used as a cover
    and as the blog's icon (the tables' one foreign-key cycle)."""
    alice, bob = make_tenant("alice"), make_tenant("bob")
    photo = make_media(alice, png_bytes(640, 480), name="sea.png", alt="The sea")
    icon = make_media(alice, png_bytes(256, 256), name="icon.png")
    change_blog(alice, icon_media_id=icon, title="Alice's notes — ملاحظات")
    for n in range(3):
        make_post(alice, f"Post {n}", f"Body {n}\n\n![sea](media:{photo})", tags=["python"])
    make_post(alice, "Covered", "With a cover.", cover_media_id=photo)
    make_post(alice, "Draft", "not yet", status="draft")
    make_post(alice, "About", "Who writes here.", is_page=True)
    make_snippet(alice, "Greeting", "print('hi')", language="python")
    make_post(bob, "Bob's only post", "Hello from Bob.", tags=["python"])
    return [alice, bob]


def pages_of(app, site_client, blogs) -> dict[str, bytes]:
    """Every listed page, each post's page and each image, of every blog."""
    with app.app_context():
        cache.clear()  # what the database serves, not what a cache kept
        with across_tenants():
            public = select(Post.tenant_id, Post.slug).where(Post.status == "published")
            posts = db.session.execute(public).all()
    found = {}
    for blog in blogs:
        client = site_client(blog)
        slugs = [f"/{slug}/" for tenant, slug in posts if tenant == blog.id]
        for path in (*PAGES, *slugs):
            answer = client.get(path)
            found[f"{blog.subdomain}{path}"] = (answer.status_code, answer.data)
    return found


def row_counts(app) -> dict[str, int]:
    with app.app_context(), across_tenants(), db.engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def empty_database(app) -> None:
    with app.app_context(), across_tenants(), db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


def test_backup_drop_restore_gives_every_blog_back(
    app, blogs, site_client, media_root, tmp_path
) -> None:
    pages, counts = pages_of(app, site_client, blogs), row_counts(app)
    media = read_folder(media_root)
    assert counts["posts"] == 7 and counts["media"] == 2 and len(media) >= 4
    assert all(status == 200 for page, (status, _body) in pages.items() if page.startswith("alice"))
    made = run(app, "backup", str(tmp_path / "inkwell.backup"))
    assert made.exit_code == 0, made.output
    assert "Backed up" in made.output and "tables" in made.output  # progress, then totals

    empty_database(app)
    shutil.rmtree(media_root)
    assert pages_of(app, site_client, blogs)["alice/"][0] == 404

    restored = run(app, "restore", str(tmp_path / "inkwell.backup"))
    assert restored.exit_code == 0, restored.output
    assert "inkwell publish --all --full" in restored.output
    assert row_counts(app) == counts
    assert read_folder(media_root) == media
    assert pages_of(app, site_client, blogs) == pages


def test_a_backup_without_media_restores_the_rows_only(
    app, blogs, site_client, media_root, tmp_path
) -> None:
    counts = row_counts(app)
    made = run(app, "backup", "--no-media", str(tmp_path / "rows"))
    assert made.exit_code == 0 and "0 media files" in made.output
    empty_database(app)
    shutil.rmtree(media_root)
    assert run(app, "restore", str(tmp_path / "rows")).exit_code == 0
    assert row_counts(app) == counts and not media_root.exists()


def test_new_rows_after_a_restore_get_fresh_ids(
    app, blogs, make_post, make_tenant, site_client, tmp_path
) -> None:
    run(app, "backup", str(tmp_path / "b"))
    empty_database(app)
    assert run(app, "restore", str(tmp_path / "b")).exit_code == 0
    # PostgreSQL's sequences follow the restored ids (a stale one would collide).
    make_post(blogs[1], "After the restore", "new")
    make_tenant("carol")
    assert site_client(blogs[1]).get("/after-the-restore/").status_code == 200


def test_a_restore_refuses_a_database_with_content_unless_forced(
    app, blogs, make_post, site_client, tmp_path
) -> None:
    run(app, "backup", str(tmp_path / "b"))
    make_post(blogs[1], "Written after the backup", "gone after a restore")
    refused = run(app, "restore", str(tmp_path / "b"))
    assert refused.exit_code == 1
    assert "holds 2 blogs and 2 accounts" in refused.output and "--force" in refused.output
    assert site_client(blogs[1]).get("/written-after-the-backup/").status_code == 200

    forced = run(app, "restore", "--force", str(tmp_path / "b"))
    assert forced.exit_code == 0, forced.output
    with app.app_context():
        cache.clear()
    assert site_client(blogs[1]).get("/written-after-the-backup/").status_code == 404
    assert site_client(blogs[1]).get("/").status_code == 200


def rewritten(source: Path, target: Path, change, name: str = "backup.json") -> Path:
    """The backup at `source` with its manifest changed by `change(manifest)`,
    or the file `name` by `change(data) -> data`."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old:
            data = old.extractfile(member).read() if member.isfile() else None
            if member.name == name == "backup.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
            elif member.name == name:
                data = change(data)
            if data is not None:
                member.size = len(data)
            new.addfile(member, io.BytesIO(data) if data is not None else None)
    return target


def damaged(path: Path, name: str, how: str) -> Path:
    data = path.read_bytes()
    if how == "cut":
        data = data[: len(data) // 2]
    elif how == "flipped":
        middle = len(data) // 2
        data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
    target = path.with_name(name)
    target.write_bytes(data)
    return target


def newer(path: Path) -> Path:
    return rewritten(path, path.with_name("newer"), lambda m: m.update(revision="9999_x"))


def older(path: Path) -> Path:
    return rewritten(path, path.with_name("older"), lambda m: m.update(revision="0001"))


def other_format(path: Path) -> Path:
    return rewritten(path, path.with_name("format"), lambda m: m.update(version=7))


def miscounted(path: Path) -> Path:
    return rewritten(path, path.with_name("rows"), lambda m: m["tables"]["posts"].update(rows=9))


def altered_row(path: Path) -> Path:
    return rewritten(
        path, path.with_name("row"), lambda d: b"{not json\n" + d, "tables/posts.jsonl"
    )


def no_tables(path: Path) -> Path:
    return rewritten(path, path.with_name("no-tables"), lambda m: m.pop("tables"))


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: damaged(p, "cut", "cut"), "damaged or cut short"),
        (lambda p: damaged(p, "flipped", "flipped"), "damaged"),
        (lambda p: p.with_name("nothing"), "no file"),
        (newer, "comes from a newer Inkwell"),
        (older, "restore it with the Inkwell version that made it"),
        (other_format, "backup format 7"),
        (miscounted, "table posts in the backup is damaged"),
        (altered_row, "table posts in the backup is damaged"),
        (no_tables, "lacks what a backup says of itself"),
    ],
)
def test_a_bad_backup_file_is_one_clear_error_and_changes_nothing(
    app, blogs, site_client, tmp_path, make, says
) -> None:
    run(app, "backup", str(tmp_path / "good"))
    counts = row_counts(app)
    result = run(app, "restore", "--force", str(make(tmp_path / "good")))
    assert result.exit_code == 1
    assert says in result.output and "Traceback" not in result.output
    assert row_counts(app) == counts


def test_a_file_that_is_no_backup_is_refused(app, tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    result = run(app, "restore", str(tmp_path / "notes.txt"))
    assert result.exit_code == 1 and "damaged" in result.output


@pytest.mark.parametrize("target", ["folder", "s3"])
def test_a_full_publish_after_restoring_an_older_database_repairs_the_mirror(
    app, make_tenant, make_post, tmp_path, monkeypatch, request, target
) -> None:
    from fixtures.mirrors import blog_uuid, download

    if target == "folder":
        root = request.getfixturevalue("mirror_root")
        mirror = lambda: read_folder(root / blog_uuid(app, blog))  # noqa: E731
    else:
        client, prefix = request.getfixturevalue("s3"), "blogs/"
        mirror = lambda: {  # noqa: E731
            key.removeprefix(f"{prefix}{blog_uuid(app, blog)}/"): item["body"]
            for key, item in download(client).items()
        }
    blog = make_tenant("alice")
    make_post(blog, "Kept", "The same in both.")
    make_post(blog, "Changing", "Before the backup.")
    publish(app, blog.id)
    assert run(app, "backup", str(tmp_path / "older")).exit_code == 0
    edit_post(app, blog.id, post_id(app, blog.id, "changing"), body_md="Newer than the backup.")
    make_post(blog, "Newer post", "Only after the backup.")
    publish(app, blog.id)
    assert b"Newer than the backup." in mirror()["changing/index.html"]

    assert run(app, "restore", "--force", str(tmp_path / "older")).exit_code == 0
    [run_] = publish(app, blog.id, full=True, force=True)
    assert run_.status == "succeeded", run_.error
    repaired = mirror()
    # The same pages as a publish of the restored blog into an empty folder.
    monkeypatch.setitem(app.config, "MIRROR_URL", str(tmp_path / "fresh"))
    publish(app, blog.id, full=True, force=True)
    assert repaired == read_folder(tmp_path / "fresh" / blog_uuid(app, blog))
    assert b"Before the backup." in repaired["changing/index.html"]
    assert "newer-post/index.html" not in repaired


def test_a_restore_into_a_new_database_creates_its_schema(
    app, app_factory, blogs, site_client, media_root, tmp_path
) -> None:
    """The way onto a new machine: a database with no tables at all (SQLite here,
    whichever database the backup came from: the file is the same)."""
    pages = pages_of(app, site_client, blogs)
    assert run(app, "backup", str(tmp_path / "b")).exit_code == 0
    fresh = app_factory(
        DATABASE_URL=f"sqlite:///{tmp_path / 'new.db'}", MEDIA_URL=str(tmp_path / "new-media")
    )
    restored = run(fresh, "restore", str(tmp_path / "b"))
    assert restored.exit_code == 0, restored.output
    assert read_folder(tmp_path / "new-media") == read_folder(media_root)
    new_pages = pages_of(
        fresh, lambda blog: HostClient(fresh, f"{blog.subdomain}.{BLOG_DOMAIN}"), blogs
    )
    assert new_pages == pages
