"""An import says what it will change before it does (issue #16, point 6): a dry
run in the CLI, and the dashboard's Import (upload an export zip, preview new,
replaced, unchanged posts, snippets and errors, then confirm)."""

import io
import re
import zipfile
from datetime import UTC, datetime

import pytest

from fixtures.accounts import AuthActions
from fixtures.app import csrf_token, platform_browser
from fixtures.blogs import content_version

FORM = "/blogs/alice/import/"
HELLO = "---\ntitle: Hello again\ndate: 2020-01-02T03:04:05Z\ntags: [python]\n---\n\nNew words.\n"
FRESH = "---\ntitle: Brand new\ntags: [news]\n---\n\nFresh.\n"
BROKEN = "---\ntitle: [unclosed\n---\nbody\n"
SNIPPET = "---\ntitle: Sort\nslug: sort\nlanguage: python\n---\n\nsorted(x)\n"


@pytest.fixture
def alice(make_tenant, make_post):
    blog = make_tenant("alice")
    make_post(blog, "Hello", "Old words.", tags=["notes"])
    make_post(blog, "Kept as is", "Same words.")
    return blog


def export_of(client) -> dict[str, bytes]:
    """The blog's files as the dashboard's Export downloads them."""
    archive = zipfile.ZipFile(io.BytesIO(client.get("/blogs/alice/export/").data))
    return {name: archive.read(name) for name in archive.namelist()}


def zipped(files: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def upload(client, data: bytes, name: str = "alice-export.zip"):
    token = csrf_token(client, FORM)
    form = {"csrf_token": token, "bundle": (io.BytesIO(data), name)}
    return client.post(FORM, data=form, content_type="multipart/form-data")


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
    assert match, f"no {name} field"
    return match.group(1)


def confirm(client, preview: str):
    form = {name: hidden(preview, name) for name in ("csrf_token", "token", "digest")}
    return client.post("/blogs/alice/import/apply", data=form)


def posts(app, blog) -> dict[str, tuple]:
    from sqlalchemy import select

    from inkwell.platform.core import tenancy
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Post

    with app.app_context(), tenancy.tenant_scope(blog.id):
        rows = db.session.scalars(select(Post))
        return {p.slug: (p.title, p.body_md, sorted(t.name for t in p.tags)) for p in rows}


def changed_bundle(client) -> bytes:
    """The blog's export with hello.md rewritten, a new post, a snippet and a broken file."""
    files = export_of(client)
    files.update({"posts/hello.md": HELLO, "posts/brand-new.md": FRESH,
                  "posts/broken.md": BROKEN, "snippets/sort.md": SNIPPET})  # fmt: skip
    return zipped(files)


def test_the_dashboard_previews_an_import_then_applies_exactly_that(app, client, auth, alice):
    auth.login(alice.owner_email)
    assert f'href="{FORM}"' in client.get("/blogs/alice/").text  # next to Export
    before, version = posts(app, alice), content_version(app, alice)

    preview = upload(client, changed_bundle(client))
    page = preview.text
    assert preview.status_code == 200
    assert posts(app, alice) == before and content_version(app, alice) == version  # not yet
    replaced = page.split("Posts it replaces")[1].split("</table>")[0]
    assert "Hello" in replaced and "Hello again" in replaced
    assert "title, body, tags, date" in replaced
    assert "The current version\n  stays in the post's history." in page
    assert "Brand new" in page.split("New posts")[1].split("</table>")[0]
    assert "Sort" in page.split("<h2>Snippets</h2>")[1]
    assert "posts/broken.md" in page and "bad YAML" in page
    assert "1 unchanged" in page and "Kept as is" in page.split("<details>")[1]
    assert 'dir="auto">Brand new' in page

    done = confirm(client, page)
    assert done.status_code == 303 and done.headers["Location"].endswith("/blogs/alice/")
    after = posts(app, alice)
    assert after["hello"] == ("Hello again", "New words.\n", ["python"])
    assert after["brand-new"][0] == "Brand new" and after["kept-as-is"] == before["kept-as-is"]
    flash = client.get("/blogs/alice/").text
    assert "Imported: 2 new, 1 replaced, 1 unchanged, 1 not imported." in flash
    again = confirm(client, page)  # the upload is gone once applied
    assert again.status_code == 303 and again.headers["Location"].endswith(FORM)


def test_a_preview_the_blog_outdated_is_shown_again_not_applied(
    app, client, auth, alice, make_post
) -> None:
    auth.login(alice.owner_email)
    preview = upload(client, zipped({"posts/brand-new.md": FRESH}))
    make_post(alice, "Brand new", "Written meanwhile, in the editor.")
    answer = confirm(client, preview.text)
    assert answer.status_code == 409 and "The blog changed since this preview" in answer.text
    assert "Posts it replaces" in answer.text  # it would now replace the new post
    assert posts(app, alice)["brand-new"][1] == "Written meanwhile, in the editor."


@pytest.mark.parametrize(
    "data, message",
    [
        (b"not a zip at all", "That is not a .zip file"),
        (zipped({"posts/a.md": FRESH})[:-30], "That is not a .zip file"),  # cut short
        (zipped({"posts/a.md": FRESH})[:40] + b"\x00" * 200, "That is not a .zip file"),
    ],
    ids=["text", "truncated", "garbled"],
)
def test_a_bad_upload_is_a_clear_400(app, client, auth, alice, data, message) -> None:
    auth.login(alice.owner_email)
    answer = upload(client, data)
    assert answer.status_code == 400 and message in answer.text
    assert "Preview the import" in answer.text  # the form, to try again


def test_a_zip_with_a_corrupt_entry_names_it_and_imports_the_rest(app, client, auth, alice):
    auth.login(alice.owner_email)
    good = zipped({"posts/a.md": FRESH, "posts/b.md": FRESH.replace("Brand new", "Bee")})
    index = good.index(b"Bee")
    corrupt = good[:index] + b"Bxx" + good[index + 3 :]  # stored bytes that fail their CRC
    answer = upload(client, corrupt)
    assert answer.status_code == 200 and "posts/b.md" in answer.text
    assert "cannot be read from the zip" in answer.text
    assert confirm(client, answer.text).status_code == 303
    assert "a" in posts(app, alice) and "b" not in posts(app, alice)


def test_uploads_past_the_body_limit_and_empty_forms_are_refused(
    app, client, auth, alice, monkeypatch
) -> None:
    auth.login(alice.owner_email)
    token = csrf_token(client, FORM)
    empty = client.post(FORM, data={"csrf_token": token}, content_type="multipart/form-data")
    assert empty.status_code == 400 and "Choose a .zip file." in empty.text
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    big = upload(client, zipped({"posts/big.md": FRESH + "x" * 5000}))
    assert big.status_code == 413 and "previewed here up to 2 kB" in big.text


def test_only_verified_owners_and_editors_import(app, alice, add_member) -> None:
    bundle = zipped({"posts/brand-new.md": FRESH})
    for role, status in (("editor", 200), ("author", 403)):
        browser = platform_browser(app)
        AuthActions(browser).login(add_member(alice, f"{role}@example.com", role))
        assert browser.get(FORM).status_code == status, role
        if status == 403:
            forged = browser.post(FORM, data={"bundle": (io.BytesIO(bundle), "x.zip")})
            assert forged.status_code in (400, 403)
    assert "brand-new" not in posts(app, alice)


def test_another_blogs_upload_cannot_be_applied(app, client, auth, alice, make_tenant) -> None:
    from sqlalchemy import select

    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Membership, User

    bob = make_tenant("bob")
    with app.app_context():  # alice's owner owns bob's blog too
        user = db.session.scalars(select(User).where(User.email == alice.owner_email)).one()
        db.session.add(Membership(tenant_id=bob.id, user_id=user.id, role="owner"))
        db.session.commit()
    auth.login(alice.owner_email)
    preview = upload(client, zipped({"posts/brand-new.md": FRESH}))
    form = {name: hidden(preview.text, name) for name in ("csrf_token", "token", "digest")}
    answer = client.post("/blogs/bob/import/apply", data=form)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/blogs/bob/import/")
    assert "brand-new" not in posts(app, bob) and "brand-new" not in posts(app, alice)


def test_the_cli_dry_run_lists_the_changes_and_writes_nothing(app, alice, tmp_path) -> None:
    bundle = tmp_path / "bundle.zip"
    bundle.write_bytes(
        zipped({"posts/hello.md": HELLO, "posts/brand-new.md": FRESH, "posts/broken.md": BROKEN})
    )
    before, version = posts(app, alice), content_version(app, alice)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["import", "markdown", "alice", str(bundle), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "replace  posts/hello.md: Hello (changes title, body, tags, date)" in dry.output
    assert "new      posts/brand-new.md: Brand new" in dry.output
    assert "error    posts/broken.md: bad YAML" in dry.output
    assert "dry run, nothing changed: 1 new, 1 to replace" in dry.output
    assert posts(app, alice) == before and content_version(app, alice) == version

    real = runner.invoke(args=["import", "markdown", "alice", str(bundle)])
    assert "created 1, updated 1, skipped 0" in real.output
    assert posts(app, alice)["hello"][0] == "Hello again"


def test_the_plan_names_every_field_a_replacement_changes(app, make_tenant, make_post, tmp_path):
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant
    from inkwell.platform.core.portability.markdown_io import REPLACE, UNCHANGED, plan_import

    blog = make_tenant("alice")
    when = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    make_post(blog, "Hello", "Old words.", tags=["notes"], published_at=when)
    same = "---\ntitle: Hello\ndate: 2020-01-02T03:04:05Z\ntags: [notes]\n---\n\nOld words."
    cases = {
        "title": same.replace("title: Hello", "title: Howdy"),
        "body": same.replace("Old words.", "New words."),
        "tags": same.replace("[notes]", "[notes, more]"),
        "date": same.replace("2020-01-02", "2021-01-02"),
        "status": same.replace("tags:", "draft: true\ntags:"),
    }
    with app.app_context():
        tenant = db.session.get_one(Tenant, blog.id)
        bundle = tmp_path / "same"
        (bundle / "posts").mkdir(parents=True)
        (bundle / "posts" / "hello.md").write_text(same)
        [step] = plan_import(tenant, bundle).steps
        assert step.action == UNCHANGED
        for field, text in cases.items():
            (bundle / "posts" / "hello.md").write_text(text)
            [step] = plan_import(tenant, bundle).steps
            assert (step.action, step.changes) == (REPLACE, (field,)), field


def test_the_preview_lists_new_images_and_names_the_ones_it_cannot_take(
    app, client, auth, alice, media_root
) -> None:
    from fixtures.images import png_bytes

    auth.login(alice.owner_email)
    post = (
        "---\ntitle: Album\n---\n![Ĉevalo ĉe la maro](photos/horse.png) ![[sea.png]] "
        "![x](photos/broken.png) ![y](photos/gone.png)\n"
    )
    bundle = zipped(
        {
            "posts/album.md": post,
            "posts/photos/horse.png": png_bytes(640, 480),
            "sea.png": png_bytes(300, 200),
            "posts/photos/broken.png": png_bytes()[:900],
        }
    )
    preview = upload(client, bundle)
    page = preview.text
    assert preview.status_code == 200 and "<strong>2</strong> new images" in page
    new = page.split("<h2>New images</h2>")[1].split("</table>")[0]
    assert "posts/photos/horse.png" in new and "Ĉevalo ĉe la maro" in new and "sea.png" in new
    cannot = page.split("Files it cannot import")[1].split("</table>")[0]
    assert "posts/photos/broken.png" in cannot and "damaged or incomplete" in cannot
    kept = page.split("Posts imported not quite as written")[1].split("</ul>\n</ul>")[0]
    assert "posts/album.md" in kept and "“photos/gone.png” is not in the bundle" in kept
    assert "“posts/photos/broken.png” cannot be imported" in kept

    assert confirm(client, page).status_code == 303
    assert "2 new images, 1 not imported." in client.get("/blogs/alice/").text
    body = posts(app, alice)["album"][1]
    assert body.count("](media:") == 2 and "![x](photos/broken.png) ![y](photos/gone.png)" in body
