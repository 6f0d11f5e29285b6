"""Reader themes, language, description and icon (issue 19, point 4 and its part of
6): each theme's stylesheet with a dark variant, code readable in every theme and
code style, the settings that choose them, `<html lang dir>` and the feed's
language, the description as sanitized inline Markdown, a favicon from the
library (gone with its image, held by the mirror), and settings.yaml in the
export, restored by an import."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from pygments.styles import get_all_styles
from sqlalchemy import select

from fixtures.app import post_form
from fixtures.images import png_bytes
from fixtures.migrations import back_before
from fixtures.mirrors import blog_uuid, broken_links, publish, read_folder
from inkwell.platform.core import database, tenancy
from inkwell.platform.core.content.themes import THEME_CODE, THEMES
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Tenant
from inkwell.tenants import assets
from inkwell.tenants.code_styles import READABLE, contrast, style_css, theme_pair_css

STYLESHEET_RE = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
HEX = "(#[0-9a-f]{6})"
CODE_BOX_RE = re.compile(
    rf"\.highlight \{{ --code-bg: {HEX}; --code-fg: {HEX}; --code-muted: {HEX};"
)
# A token's colour (not one drawn on a background of its own, as errors are).
TOKEN_COLOUR_RE = re.compile(
    r"^\.highlight \.[\w-]+ \{ color: (#[0-9A-Fa-f]{6})(?![^}]*background)", re.M
)
ICON_RE = re.compile(r'<link rel="icon" type="image/png" href="([^"]+)">')
SVG_ICON = '<link rel="icon" href="data:image/svg+xml,'


def stored(app: Flask, blog) -> Tenant:
    with app.app_context():
        tenant = db.session.get_one(Tenant, blog.id)
        db.session.expunge(tenant)
        return tenant


def settings_form(client, blog, **changes: object):
    """The settings page's form as it stands, with `changes`, submitted."""
    page = client.get(f"/blogs/{blog.subdomain}/settings").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    revision = re.search(r'name="base_revision" type="hidden" value="(\d*)"', page)[1]
    data = {"csrf_token": token, "base_revision": revision, "title": "Alice"}
    return client.post(f"/blogs/{blog.subdomain}/settings", data={**data, **changes})


# Point 4: three themes, each light and dark.


@pytest.mark.parametrize("theme", list(THEMES))
def test_each_theme_links_its_stylesheet_with_a_dark_variant(
    theme, make_tenant, change_blog, site_client
) -> None:
    alice = make_tenant("alice")
    change_blog(alice, theme=theme, code_style=THEME_CODE)
    reader = site_client(alice)
    links = STYLESHEET_RE.findall(reader.get("/").text)
    # Shared structure, the theme, its code pair, in that order (custom CSS would be last).
    assert [link.split("/")[-1].split(".")[0] for link in links] == [
        "site",
        f"theme-{theme}",
        f"code-theme-{theme}",
    ]
    css = reader.get(links[1]).text
    assert "@media (prefers-color-scheme: dark)" in css
    for token in ("--measure", "--body-font", "--text-base", "--fg", "--bg", "--link"):
        assert token in css, token
    pair = reader.get(links[2]).text
    assert "@media (prefers-color-scheme: light)" in pair
    assert "@media (prefers-color-scheme: dark)" in pair


def test_themes_leave_code_colours_to_the_code_stylesheet() -> None:
    # A code box takes both colours from the code stylesheet (linked after the theme);
    # no theme may set them, or a style's light box could get a dark theme's light text.
    site = (assets.STATIC / "site.css").read_text()
    assert ".highlight { background: var(--code-bg); color: var(--code-fg);" in site
    for theme in THEMES:
        assert "--code-" not in (assets.STATIC / f"theme-{theme}.css").read_text(), theme


def assert_readable(css: str, where: tuple[str, str]) -> None:
    """The box of one code stylesheet (or one half of a pair): its text, line numbers
    and every token colour read on its background, and its rule comes last (it wins)."""
    [(background, text, numbers)] = CODE_BOX_RE.findall(css)
    boxes = [line for line in css.splitlines() if line.startswith(".highlight {")]
    assert boxes[-1].startswith(".highlight { --code-bg:"), where
    for colour in [text, numbers, *TOKEN_COLOUR_RE.findall(css)]:
        assert contrast(background, colour.lower()) >= READABLE, (*where, background, colour)


@pytest.mark.parametrize("theme", list(THEMES))
def test_code_is_readable_in_every_theme_with_every_code_style(theme) -> None:
    # Issue 19: with a dark code style, snippet pages showed light text on a light box.
    for style in get_all_styles():
        assert_readable(style_css(style).decode(), (theme, style))
    light, dark = theme_pair_css(theme).decode().split("@media (prefers-color-scheme: dark)")
    assert_readable(light, (theme, "own light"))
    assert_readable(dark, (theme, "own dark"))


def test_a_snippet_page_draws_its_code_box_in_the_styles_colours(
    make_tenant, make_snippet, change_blog, site_client
) -> None:
    alice = make_tenant("alice")
    make_snippet(alice, "Hi", "print('hi')", language="python")
    change_blog(alice, theme="longread", code_style="monokai")
    reader = site_client(alice)
    links = STYLESHEET_RE.findall(reader.get("/snippets/hi/").text)
    css = reader.get(links[-1]).text
    assert [box[:2] for box in CODE_BOX_RE.findall(css)] == [("#272822", "#f8f8f2")]


# The settings form.


def test_owners_choose_theme_language_and_icon(
    app, client, auth, make_tenant, make_media, site_client
) -> None:
    alice = make_tenant("alice")
    icon = make_media(alice, png_bytes(256, 256), "logo.png")
    auth.login(alice.owner_email)
    page = client.get("/blogs/alice/settings").text
    assert page.count('name="theme"') == 3 and 'srcdoc="' in page  # cards and the preview
    assert f'value="{icon}"' in page  # the library's images to pick from
    answer = settings_form(
        client, alice, theme="longread", language="pt-br", icon_media_id=str(icon)
    )
    assert answer.status_code == 302
    tenant = stored(app, alice)
    assert (tenant.theme, tenant.language, tenant.icon_media_id) == ("longread", "pt-BR", icon)
    assert '<html lang="pt-BR">' in site_client(alice).get("/").text
    # Leaving the fields out keeps them (an older form).
    assert settings_form(client, alice, title="Renamed").status_code == 302
    assert stored(app, alice).theme == "longread"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "theme",
            "neon",
            "&#39;neon&#39; is not a theme; choose one of classic, longread, compact.",
        ),
        ("language", "english please", "is not a language tag: use a BCP 47 tag"),
        ("icon_media_id", "999999", "That image is not in the blog&#39;s library any more"),
        ("code_style", "nope", "Not a valid choice"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(
    app, client, auth, make_tenant, field, value, message
) -> None:
    alice = make_tenant("alice")
    auth.login(alice.owner_email)
    answer = settings_form(client, alice, **{field: value})
    assert answer.status_code == 400
    assert message in answer.text
    tenant = stored(app, alice)
    assert (tenant.theme, tenant.language, tenant.icon_media_id) == ("classic", "en", None)


def test_another_blogs_image_cannot_be_the_icon(app, client, auth, make_tenant, make_media) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    bobs = make_media(bob, png_bytes(64, 64), "bob.png")
    auth.login(alice.owner_email)
    assert settings_form(client, alice, icon_media_id=str(bobs)).status_code == 400
    assert stored(app, alice).icon_media_id is None


def test_a_settings_save_from_an_older_form_is_a_conflict(
    app, client, auth, make_tenant, change_blog
) -> None:
    alice = make_tenant("alice")
    auth.login(alice.owner_email)
    page = client.get("/blogs/alice/settings").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    assert settings_form(client, alice, theme="compact").status_code == 302
    stale = {"csrf_token": token, "base_revision": "1", "title": "Alice", "theme": "longread"}
    answer = client.post("/blogs/alice/settings", data=stale)
    assert answer.status_code == 409
    assert stored(app, alice).theme == "compact"


def test_authors_cannot_change_the_theme(app, client, auth, make_tenant, add_member) -> None:
    alice = make_tenant("alice")
    add_member(alice, "au@example.com", "author")
    auth.login("au@example.com")
    answer = post_form(client, "/blogs/alice/settings", {"title": "A", "theme": "compact"})
    assert answer.status_code == 403
    assert stored(app, alice).theme == "classic"


# Language and direction.


def test_the_language_is_on_every_page_and_in_the_feeds(
    make_tenant, make_post, change_blog, site_client
) -> None:
    alice = make_tenant("alice")
    make_post(alice, "مرحبا", "نص", slug="hello", tags=["عربي"])
    reader = site_client(alice)
    assert '<html lang="en">' in reader.get("/").text  # the default, left to right
    change_blog(alice, language="ar")
    tag = re.search(r'href="(/tags/[^"]+)"', reader.get("/").text)[1]
    for path in ("/", "/hello/", "/about/", tag):
        assert '<html lang="ar" dir="rtl">' in reader.get(path).text, path
    assert 'xml:lang="ar"' in reader.get("/latest.atom").text
    assert "<language>ar</language>" in reader.get("/rss.xml").text
    assert reader.get("/feed.json").get_json()["language"] == "ar"
    index = reader.get("/").text
    assert '<article class="summary" dir="auto">' in index  # titles and excerpts
    assert 'dir="auto">#عربي</a>' in index  # tag names


def test_a_language_chosen_in_settings_makes_search_stem_its_words(
    app, client, auth, make_tenant, make_post, change_blog, site_client
) -> None:
    alice = make_tenant("alice")
    change_blog(alice, language="ja")  # no stemming: whole words
    make_post(alice, "Runs", "She runs every day.", slug="runs")
    reader = site_client(alice)
    auth.login(alice.owner_email)
    assert settings_form(client, alice, language="en").status_code == 302
    with app.app_context(), tenancy.tenant_scope(alice.id):
        assert db.session.scalars(select(Post.search_config)).all() == ["english"]
        on_postgresql = db.engine.dialect.name == "postgresql"
    if on_postgresql:  # English stemming: "running" finds "runs"
        assert "/runs/" in reader.get("/search/?q=running").text


# The description under the title.


def test_the_description_is_inline_markdown_and_nothing_else(
    app, make_tenant, change_blog, site_client
) -> None:
    alice = make_tenant("alice")
    text = (
        "Notes on *type* and [links](https://example.org) and `code` "
        '<script>alert(1)</script> [bad](javascript:alert(1)) <img src=x onerror="alert(1)">'
        "\n\n# A second paragraph"
    )
    change_blog(alice, description=text)
    index = site_client(alice).get("/").text
    tagline = re.search(r'<p class="tagline" dir="auto">(.*?)</p>', index, re.S)[1]
    assert "<em>type</em>" in tagline and "<code>code</code>" in tagline
    assert '<a href="https://example.org" rel="nofollow noopener">links</a>' in tagline
    for unsafe in ("<script", "alert(1)</", "javascript:", "<img", "onerror", "<h1", "second"):
        assert unsafe not in tagline, unsafe
    # The meta description is its words; the stored text is as typed.
    assert 'content="Notes on type and links and code' in index
    assert stored(app, alice).description == text


# The icon.


def test_the_icon_comes_from_the_library_and_goes_with_its_image(
    app, client, auth, make_tenant, make_media, change_blog, site_client
) -> None:
    alice = make_tenant("alice")
    icon = make_media(alice, png_bytes(600, 600), "logo.png")
    reader = site_client(alice)
    assert SVG_ICON in reader.get("/").text
    change_blog(alice, icon_media_id=icon)
    page = reader.get("/").text
    [href] = ICON_RE.findall(page)
    assert href.startswith("/media/") and href.endswith("-320.png")  # the smallest variant
    assert f'<img class="site-icon" src="{href}"' in page  # the avatar by the name
    answer = reader.get(href)
    assert answer.status_code == 200 and answer.mimetype == "image/png"
    auth.login(alice.owner_email)
    deleted = post_form(client, f"/blogs/alice/media/{icon}/delete", {}, "/blogs/alice/media/")
    assert deleted.status_code == 302
    assert "It was the blog&#39;s icon" in client.get("/blogs/alice/media/").text
    assert stored(app, alice).icon_media_id is None
    assert SVG_ICON in reader.get("/").text


def test_a_blog_with_an_icon_can_be_purged(app, make_tenant, make_media, change_blog) -> None:
    # tenants.icon_media_id and media.tenant_id point at each other: the purge's
    # deletes (media, then the blog) must not trip over the cycle.
    from inkwell.platform.core.administration.purge import SCHEDULER, purge

    alice = make_tenant("alice")
    change_blog(alice, icon_media_id=make_media(alice, png_bytes(64, 64), "logo.png"))
    change_blog(alice, status="deleted")
    with app.app_context():
        purge(db.session.get_one(Tenant, alice.id), SCHEDULER)
        assert db.session.get(Tenant, alice.id) is None


def test_the_mirror_holds_the_icon_and_links_it_relatively(
    app, make_tenant, make_post, make_media, change_blog, mirror_root
) -> None:
    alice = make_tenant("alice")
    make_post(alice, "Hello", "Words.")
    icon = make_media(alice, png_bytes(400, 400), "logo.png")
    change_blog(alice, icon_media_id=icon, theme="compact")
    [run] = publish(app, alice.id)
    assert run.status == "succeeded", run.error
    files = read_folder(mirror_root / blog_uuid(app, alice))
    [href] = ICON_RE.findall(files["hello/index.html"].decode())
    assert href.startswith("../media/")
    assert href.removeprefix("../") in files
    assert any(name.startswith("assets/theme-compact.") for name in files)
    assert broken_links(files) == []


# Export and import.


def export_bytes(app: Flask, blog) -> bytes:
    from inkwell.platform.core.portability.markdown_io import export_markdown

    out = io.BytesIO()
    with app.app_context():
        export_markdown(db.session.get_one(Tenant, blog.id), out)
    return out.getvalue()


def import_into(app: Flask, blog, bundle: Path, owner: bool = True):
    from inkwell.platform.core.portability.markdown_io import apply_import, plan_import

    with app.app_context():
        tenant = db.session.get_one(Tenant, blog.id)
        return apply_import(tenant, None, plan_import(tenant, bundle, owner=owner))


def test_export_import_export_restores_the_settings_byte_for_byte(
    app, make_tenant, make_post, make_media, change_blog, tmp_path
) -> None:
    alice = make_tenant("alice")
    make_post(alice, "Hello", "Some text.")
    icon = make_media(alice, png_bytes(300, 300), "logo.png")
    make_media(alice, png_bytes(90, 60), "other.png")
    change_blog(
        alice, title="دفتر أليس", description="Notes on *type*.", theme="longread",
        code_style="monokai", language="ar", time_zone="Asia/Beirut", icon_media_id=icon,
    )  # fmt: skip
    first = export_bytes(app, alice)
    settings = zipfile.ZipFile(io.BytesIO(first)).read("settings.yaml").decode()
    assert "theme: longread\n" in settings and "icon: media/logo.png\n" in settings
    assert "title: دفتر أليس\n" in settings  # readable, not escaped
    bundle = tmp_path / "alice.zip"
    bundle.write_bytes(first)
    bob = make_tenant("bob")
    report = import_into(app, bob, bundle)
    assert report.errors == []
    tenant = stored(app, bob)
    assert (tenant.theme, tenant.code_style, tenant.language, tenant.time_zone) == (
        "longread", "monokai", "ar", "Asia/Beirut",
    )  # fmt: skip
    with app.app_context(), tenancy.tenant_scope(bob.id):
        from inkwell.platform.core.models import Media

        assert db.session.scalar(select(Media.name).where(Media.id == tenant.icon_media_id)) == (
            "logo.png"
        )
    assert export_bytes(app, bob) == first
    # Importing it again changes nothing.
    assert import_into(app, bob, bundle).errors == []
    assert stored(app, bob).settings_revision == tenant.settings_revision


def test_bad_settings_in_a_bundle_are_reported_by_name_and_the_rest_applies(
    app, make_tenant, tmp_path
) -> None:
    alice = make_tenant("alice")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "settings.yaml").write_text(
        "theme: neon\nlanguage: zh-hant\ncode_style: theme\ntime_zone: Mars/Olympus\n"
        'title: "Two\\nlines"\nicon: media/missing.png\n'
    )
    report = import_into(app, alice, bundle)
    assert [name for name, _ in report.errors] == ["settings.yaml"] * 4
    assert [message.split(":")[0] for _, message in report.errors] == [
        "title", "theme", "time_zone", "icon",
    ]  # fmt: skip
    assert report.errors[1][1] == (
        "theme: 'neon' is not a theme; choose one of classic, longread, compact."
    )
    assert report.errors[3][1] == "icon: 'media/missing.png' is not an image this import brings in"
    tenant = stored(app, alice)
    assert (tenant.theme, tenant.language, tenant.time_zone) == ("classic", "zh-Hant", "UTC")
    (bundle / "settings.yaml").write_bytes(b"- a list\n")
    assert import_into(app, alice, bundle).errors == [
        ("settings.yaml", "not read: expected one “name: value” line per setting")
    ]


def test_only_owners_imports_change_settings(app, make_tenant, tmp_path) -> None:
    alice = make_tenant("alice")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "settings.yaml").write_text("theme: compact\n")
    report = import_into(app, alice, bundle, owner=False)
    assert report.errors == [
        ("settings.yaml", "not imported: only the blog's owners can change its settings")
    ]
    assert stored(app, alice).theme == "classic"


# The migration.


def test_the_migration_gives_old_blogs_the_classic_theme_and_paired_code(old_app) -> None:
    from inkwell.platform.core.accounts.registration import new_blog, new_user

    with old_app.app_context():
        user = new_user("o@example.com", "long enough pw")
        kept = new_blog(user, "kept", "Kept", "blogs.test")
        kept.code_style = "monokai"
        paired = new_blog(user, "paired", "Paired", "blogs.test")
        paired.code_style = "default"
        db.session.commit()
    back_before(old_app, "0027")
    with old_app.app_context():
        database.upgrade("head")
        rows = db.session.execute(
            select(Tenant.subdomain, Tenant.code_style, Tenant.theme, Tenant.language)
        ).all()
        assert sorted(rows) == [
            ("kept", "monokai", "classic", "en"),
            ("paired", "theme", "classic", "en"),
        ]
