"""A blog's own CSS as its owner and readers meet it: Settings → CSS saves the text,
lists each part left out with line:column, and every page links the cleaned part as
a content-hashed stylesheet, also in the mirror. Hostile CSS never gets a remote
file, a script or a way out of a <style> element into what the blog serves."""

import html
import io
import re
import zipfile
from pathlib import Path

import pytest
import tinycss2
from flask import Flask

from fixtures.accounts import AuthActions
from fixtures.app import platform_browser, post_form
from fixtures.blogs import Blog
from fixtures.browsers import blog_url
from fixtures.mirrors import publish, read_folder

CSS_PAGE = "/blogs/{sub}/css/"
REVISION = re.compile(r'name="base_revision" type="hidden" value="(\d*)"')
STYLESHEET = re.compile(r'<link rel="stylesheet" href="(/assets/custom-[0-9a-f]{16}\.css)">')


def clean(source: str, max_bytes: int = 50_000):
    from inkwell.platform.core.content.custom_css import clean as cleaned

    return cleaned(source, max_bytes)


def fetched_urls(css: str) -> list[str]:
    """Every address a browser would fetch for `css`: url tokens and url()/src() strings."""
    found: list[str] = []

    def walk(nodes) -> None:
        for node in nodes:
            if node.type == "url":
                found.append(node.value)
            elif node.type == "function":
                if node.lower_name in ("url", "src"):
                    found.extend(t.value for t in node.arguments if t.type == "string")
                walk(node.arguments)
            elif node.type in ("() block", "[] block", "{} block"):
                walk(node.content)
            elif node.type in ("qualified-rule", "at-rule"):
                walk(node.prelude)
                walk(tinycss2.parse_blocks_contents(node.content or []))
            elif node.type == "declaration":
                walk(node.value)

    walk(tinycss2.parse_stylesheet(css))
    return found


@pytest.fixture
def alice(make_tenant, auth) -> Blog:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    return blog


def save_css(client, blog: Blog, css: str, **extra: str):
    url = CSS_PAGE.format(sub=blog.subdomain)
    revision = REVISION.search(client.get(url).text)[1]
    return post_form(client, url, {"css": css, "base_revision": revision, **extra})


@pytest.mark.parametrize(
    ("hostile", "where"),
    [
        ("@import url(https://evil.example/x.css);\nbody { color: red }", "1:1"),
        ('@import "https://evil.example/x.css";\nbody { color: red }', "1:1"),
        ("body { background: url(//evil.example/x.png); color: red }", "1:8"),
        ('body { background: url("https://evil.example/x.png"); color: red }', "1:8"),
        ("body { background: \\75 rl(//evil.example/x.png); color: red }", "1:8"),
        ("body { background: u\\72l(//evil.example/x.png); color: red }", "1:8"),
        ("body { background: url(\\2f\\2f evil.example/x.png); color: red }", "1:8"),
        ('body { background: image-set("https://evil.example/x.png" 1x); color: red }', "1:8"),
        ("body { width: expression(alert(1)); color: red }", "1:8"),
        ("body { behavior: url(/media/x.htc); color: red }", "1:8"),
        ("@namespace svg url(http://www.w3.org/2000/svg);\nbody { color: red }", "1:1"),
        ('p::after { content: "</style><script>alert(1)</script>" }\nbody { color: red }', "1:1"),
        (
            "@font-face { font-family: x; src: url(https://evil.example/f.woff2) }\n"
            "body { color: red }",
            "1:30",
        ),
    ],
)
def test_hostile_css_is_left_out_and_reported_the_rest_kept(hostile: str, where: str) -> None:
    cleaned = clean(hostile)
    assert "evil" not in cleaned.css and "expression" not in cleaned.css
    assert "</" not in cleaned.css and "behavior" not in cleaned.css
    assert fetched_urls(cleaned.css) == []
    assert "body {" in cleaned.css and "color: red" in cleaned.css
    assert [f"{p.line}:{p.column}" for p in cleaned.problems] == [where]
    assert cleaned.problems[0].message.endswith(".")


def test_a_comment_cannot_join_tokens_into_a_url() -> None:
    cleaned = clean("body { background: ur/**/l(//evil.example/x.png) }")
    assert fetched_urls(cleaned.css) == []
    assert clean(cleaned.css) == cleaned  # served as cleaned: nothing new appears


def test_escaped_names_stay_names() -> None:
    cleaned = clean("p { a\\{\\}: 1; color: red }")
    assert cleaned.css == "p { a\\{\\}: 1; color: red }\n"
    assert clean(cleaned.css) == cleaned


def test_own_images_data_images_and_ordinary_css_are_kept() -> None:
    source = (
        "/* the header */\n"
        "@media (max-width: 40em) { h1 { font-size: 2rem } }\n"
        "header { background: url(/media/3f9a1c2e-800.webp) no-repeat !important }\n"
        'li { list-style-image: url("data:image/png;base64,iVBORw0KGgo=") }\n'
        "@keyframes fade { from { opacity: 0 } to { opacity: 1 } }\n"
    )
    cleaned = clean(source)
    assert cleaned.problems == []
    assert fetched_urls(cleaned.css) == [
        "/media/3f9a1c2e-800.webp",
        "data:image/png;base64,iVBORw0KGgo=",
    ]
    assert "@media (max-width: 40em) {" in cleaned.css and "!important" in cleaned.css
    assert "@keyframes fade" in cleaned.css


@pytest.mark.parametrize(
    "refused",
    [
        "url(/media/../../etc/passwd)",
        "url(data:image/svg+xml,<svg/>)",
        "url(javascript:alert(1))",
        "url(/media/x.png/../y)",
    ],
)
def test_other_local_and_data_addresses_are_refused(refused: str) -> None:
    cleaned = clean(f"body {{ background: {refused} }}")
    assert fetched_urls(cleaned.css) == [] and len(cleaned.problems) == 1


def test_a_broken_rule_is_reported_and_the_others_kept() -> None:
    source = "h1 { color: blue }\nh2 { color: ; 12px: bold; font-weight: bold }\np { margin: 0 }"
    cleaned = clean(source)
    assert "h1 { color: blue }" in cleaned.css and "p { margin: 0 }" in cleaned.css
    assert "h2 { font-weight: bold }" in cleaned.css
    assert [(p.line, p.column) for p in cleaned.problems] == [(2, 6), (2, 15)]


def test_the_owner_saves_css_and_every_page_links_it(
    app: Flask, client, alice, site_client, make_post
) -> None:
    make_post(alice, "Hello", "Some text.")
    answer = save_css(
        client, alice, "body { color: #123 }\n@import url(https://evil.example/x.css);"
    )
    assert answer.status_code == 302
    page = html.unescape(client.get(CSS_PAGE.format(sub="alice")).text)
    assert "body { color: #123 }" in page  # the owner's text, as typed
    assert "Line 2, column 1:" in page and "would load a stylesheet from elsewhere" in page
    reader = site_client(alice)
    [href] = STYLESHEET.findall(reader.get("/hello/").text)
    assert STYLESHEET.findall(reader.get("/").text) == [href]
    sheet = reader.get(href)
    assert sheet.status_code == 200 and sheet.mimetype == "text/css"
    assert sheet.data == b"body { color: #123 }\n"
    assert "immutable" in sheet.headers["Cache-Control"]
    assert sheet.headers["X-Content-Type-Options"] == "nosniff"
    style_src = re.search(r"style-src ([^;]*)", reader.get("/").headers["Content-Security-Policy"])
    assert "'self'" in style_src[1]

    assert save_css(client, alice, "body { color: #456 }").status_code == 302
    [new_href] = STYLESHEET.findall(reader.get("/hello/").text)
    assert new_href != href and reader.get(href).status_code == 404
    assert reader.get(new_href).data == b"body { color: #456 }\n"


def test_no_css_no_link_and_another_blogs_name_is_not_served(
    client, alice, make_tenant, site_client
) -> None:
    make_tenant("bob")
    assert save_css(client, alice, "body { color: #123 }").status_code == 302
    [href] = STYLESHEET.findall(site_client(alice).get("/").text)
    bob = site_client("bob")
    assert STYLESHEET.findall(bob.get("/").text) == []
    assert bob.get(href).status_code == 404


def test_huge_css_is_refused_with_its_size_and_nothing_changes(app: Flask, client, alice) -> None:
    assert save_css(client, alice, "body { color: red }").status_code == 302
    huge = "p { color: red }\n" * 4000  # 68,000 bytes
    answer = save_css(client, alice, huge)
    assert answer.status_code == 400
    assert "68,000 bytes" in answer.text and "at most 50,000" in answer.text
    assert "body { color: red }" in client.get(CSS_PAGE.format(sub="alice")).text


def test_a_save_from_an_older_revision_is_a_conflict_with_the_text_kept(client, alice) -> None:
    url = CSS_PAGE.format(sub="alice")
    old = REVISION.search(client.get(url).text)[1]
    assert save_css(client, alice, "body { color: red }").status_code == 302
    answer = post_form(client, url, {"css": "h1 { color: blue }", "base_revision": old})
    assert answer.status_code == 409
    assert "h1 { color: blue }" in html.unescape(answer.text) and "not saved" in answer.text
    assert "body { color: red }" in client.get(url).text


def test_only_the_blogs_owners_edit_its_css(
    app: Flask, client, auth, make_tenant, add_member
) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    add_member(alice, "ed@example.com", "editor")
    auth.login(bob.owner_email)
    url = CSS_PAGE.format(sub="alice")
    assert client.get(url).status_code == 404
    answer = post_form(client, url, {"css": "*{}"}, form_url=CSS_PAGE.format(sub="bob"))
    assert answer.status_code == 404
    editor = platform_browser(app)
    AuthActions(editor).login("ed@example.com")
    assert editor.get(url).status_code == 403
    assert post_form(editor, url, {"css": "*{}"}, form_url="/blogs/alice/").status_code == 403


def test_the_mirror_holds_the_stylesheet_with_a_relative_link(
    app: Flask, client, alice, make_post, mirror_root
) -> None:
    make_post(alice, "Hello", "Some text.")
    [run] = publish(app, alice.id)
    assert save_css(client, alice, "body { color: #123 }").status_code == 302
    [run] = publish(app, alice.id)
    assert run.status == "succeeded"
    [files] = [read_folder(folder) for folder in mirror_root.iterdir()]
    [name] = [n for n in files if n.startswith("assets/custom-")]
    assert files[name] == b"body { color: #123 }\n"
    assert f'href="../{name}"'.encode() in files["hello/index.html"]
    assert f'href="{name}"'.encode() in files["index.html"]


def test_chromium_applies_the_css_under_the_blogs_content_security_policy(
    make_tenant, change_blog, live_server, chromium
) -> None:
    blog = make_tenant("alice")
    css = "body { background-color: rgb(1, 2, 3) }\n"
    change_blog(blog, custom_css_source=css, custom_css=css)
    page = chromium.new_context().new_page()  # the CSP enforced, not bypassed
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    page.goto(blog_url(live_server, "alice") + "/")
    color = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert color == "rgb(1, 2, 3)"
    assert not [text for text in refused if "Content Security Policy" in text]


def export_bytes(app: Flask, blog: Blog) -> bytes:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant
    from inkwell.platform.core.portability.markdown_io import export_markdown

    out = io.BytesIO()
    with app.app_context():
        export_markdown(db.session.get_one(Tenant, blog.id), out)
    return out.getvalue()


def import_into(app: Flask, blog: Blog, bundle: Path):
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant
    from inkwell.platform.core.portability.markdown_io import import_markdown

    with app.app_context():
        return import_markdown(db.session.get_one(Tenant, blog.id), None, bundle)


def stored_css(app: Flask, blog: Blog) -> tuple[str, str]:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant

    with app.app_context():
        tenant = db.session.get_one(Tenant, blog.id)
        return tenant.custom_css_source, tenant.custom_css


def test_export_import_export_carries_the_css_byte_for_byte(
    app: Flask, make_tenant, make_post, change_blog, tmp_path
) -> None:
    alice = make_tenant("alice")
    make_post(alice, "Hello", "Some text.")
    source = "/* mine */\n@import url(//x.example/a.css);\nh1 { color: #a03 }\n"
    change_blog(alice, custom_css_source=source, custom_css=clean(source).css)
    first = export_bytes(app, alice)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.read("custom.css").decode() == source  # the owner's text
    bundle = tmp_path / "alice.zip"
    bundle.write_bytes(first)
    bob = make_tenant("bob")
    report = import_into(app, bob, bundle)
    assert report.errors == [] and report.created == 1
    assert stored_css(app, bob) == (source, "h1 { color: #a03 }\n")
    assert export_bytes(app, bob) == first


def test_an_imported_css_file_is_cleaned_and_invalid_utf8_refused(
    app: Flask, make_tenant, tmp_path
) -> None:
    alice = make_tenant("alice")
    hostile = tmp_path / "hostile"
    hostile.mkdir()
    (hostile / "custom.css").write_text("body { background: url(https://evil.example/x) }")
    assert import_into(app, alice, hostile).errors == []
    assert stored_css(app, alice)[1] == "body {}\n"
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "custom.css").write_bytes(b"h1 { color: red }\xff\xfe")
    report = import_into(app, alice, broken)
    assert report.errors == [("custom.css", "not imported: not UTF-8 text (byte 18)")]
    assert stored_css(app, alice)[0] == "body { background: url(https://evil.example/x) }"
