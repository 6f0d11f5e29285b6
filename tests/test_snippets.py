"""Code snippets: members share highlighted code in the dashboard; readers see it on the blog."""

import re

import pytest
from sqlalchemy import select

from fixtures.accounts import PASSWORD
from fixtures.app import post_form
from fixtures.blogs import content_version
from inkwell.platform.core import tenancy
from inkwell.platform.core.accounts.registration import new_user
from inkwell.platform.core.content.snippets import SnippetInput, UnknownLanguageError, save_snippet
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Membership, Snippet, Tenant

PYTHON = "import os\n\ndef here():\n    return os.getcwd()\n"
LIST, NEW = "/blogs/alice/snippets/", "/blogs/alice/snippets/new"


def stored(app, blog, field: str) -> list:
    """One column of the blog's snippets, oldest first."""
    with app.app_context(), tenancy.tenant_scope(blog.id):
        return list(db.session.scalars(select(getattr(Snippet, field)).order_by(Snippet.id)))


def test_chosen_language_is_stored_by_its_main_alias(app, make_tenant, make_snippet) -> None:
    blog = make_tenant("alice")
    v0 = content_version(app, blog)
    make_snippet(blog, "Hello", "print('hi')", language="PY")
    assert stored(app, blog, "language") == ["python"]
    html = stored(app, blog, "html")[0]
    assert '<span class="nb">print</span>' in html and 'class="linenos"' in html
    assert content_version(app, blog) == v0 + 1


def test_empty_language_is_guessed_from_the_code(app, make_tenant, make_snippet) -> None:
    blog = make_tenant("alice")
    make_snippet(blog, "Where am I", PYTHON)
    assert stored(app, blog, "language") == ["python"]
    assert '<span class="k">def</span>' in stored(app, blog, "html")[0]


def test_unknown_language_changes_nothing(app, make_tenant, make_snippet) -> None:
    blog = make_tenant("alice")
    snippet_id = make_snippet(blog, "Kept", "x = 1", language="python")
    with app.app_context(), tenancy.tenant_scope(blog.id):
        snippet, tenant = db.session.get(Snippet, snippet_id), db.session.get(Tenant, blog.id)
        with pytest.raises(UnknownLanguageError, match="klingon"):
            save_snippet(snippet, tenant, SnippetInput("Changed", "qapla'", language="klingon"))
        assert (snippet.title, snippet.code, snippet.language) == ("Kept", "x = 1", "python")


def test_share_edit_delete_in_the_dashboard(app, client, auth, make_tenant, site_client) -> None:
    blog = make_tenant("alice")
    reader = site_client(blog)
    auth.login(blog.owner_email)
    assert "/blogs/alice/snippets/" in client.get("/blogs/alice/").text
    v0 = content_version(app, blog)

    data = {"title": "Where am I", "language": "python", "code": PYTHON}
    assert post_form(client, NEW, data).status_code == 302
    listing = client.get(LIST).text
    assert "Where am I" in listing and "Python" in listing
    page = reader.get("/snippets/where-am-i/")
    assert '<span class="k">def</span>' in page.text and 'class="linenos"' in page.text
    assert content_version(app, blog) == v0 + 1

    edit_url = re.search(r"/blogs/alice/snippets/\d+/edit", listing)[0]
    assert '<option selected value="python">' in client.get(edit_url).text
    changed = {"title": "Where", "language": "", "code": "print('moved')\n", "slug": ""}
    assert post_form(client, edit_url, changed).status_code == 302
    assert "moved" in reader.get("/snippets/where-am-i/").text  # the address stays
    assert content_version(app, blog) == v0 + 2

    delete_url = edit_url.replace("/edit", "/delete")
    assert post_form(client, delete_url, {}, form_url=LIST).status_code == 302
    assert reader.get("/snippets/where-am-i/").status_code == 404
    assert "No snippets yet" in client.get(LIST).text
    assert content_version(app, blog) == v0 + 3


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"language": "klingon"}, "“klingon” is not a language Inkwell can highlight."),
        ({"title": ""}, "This field is required."),
        ({"slug": "Not a slug!"}, "Use 1 to 200 letters a-z, digits and single hyphens."),
    ],
    ids=["language", "title", "slug"],
)
def test_invalid_snippet_keeps_the_code(client, auth, make_tenant, fields, message) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    data = {"title": "Mine", "language": "python", "code": "my precious code", **fields}
    answer = post_form(client, NEW, data)
    assert answer.status_code == 400
    assert "my precious code" in answer.text and message in answer.text
    assert "No snippets yet" in client.get(LIST).text


def test_same_title_twice_gets_a_second_address(client, auth, make_tenant, site_client) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    for code in ("first = 1", "second = 2"):
        post_form(client, NEW, {"title": "Hello", "language": "python", "code": code})
    assert "first" in site_client(blog).get("/snippets/hello/").text
    assert "second" in site_client(blog).get("/snippets/hello-2/").text


def test_any_member_may_manage_snippets(app, client, auth, make_tenant, make_snippet) -> None:
    blog = make_tenant("alice")
    snippet_id = make_snippet(blog, "Owner's", "x = 1")
    with app.app_context():
        author = new_user("author@example.com", PASSWORD)
        db.session.add(Membership(tenant_id=blog.id, user=author, role="author"))
        db.session.commit()
    auth.login("author@example.com")
    edit_url = f"{LIST}{snippet_id}/edit"
    assert post_form(client, edit_url, {"title": "Author's", "code": "x = 2"}).status_code == 302
    assert stored(app, blog, "title") == ["Author's"]


def test_readers_see_the_list_newest_first_and_each_page(
    make_tenant, site_client, make_snippet
) -> None:
    blog = make_tenant("alice")
    make_snippet(blog, "Older", "SELECT 1;", language="sql")
    make_snippet(blog, "Newer", PYTHON)
    reader = site_client(blog)
    listing = reader.get("/snippets/").text
    assert listing.index("Newer") < listing.index("Older")
    assert "Python" in listing and "SQL" in listing and 'href="/snippets/older/"' in listing
    page = reader.get("/snippets/older/")
    assert page.status_code == 200
    assert "Older" in page.text and "SQL" in page.text
    assert '<span class="k">SELECT</span>' in page.text and 'class="linenos"' in page.text
    assert reader.get("/snippets/nothing-here/").status_code == 404


def test_another_blogs_snippet_is_not_found(make_tenant, site_client, make_snippet) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    make_snippet(bob, "Bob's secret", "token = 'only bob'")
    assert site_client(alice).get("/snippets/bob-s-secret/").status_code == 404
    assert "secret" not in site_client(alice).get("/snippets/").text
    assert "only bob" in site_client(bob).get("/snippets/bob-s-secret/").text


@pytest.mark.parametrize("language", ["html", ""])
def test_script_in_title_or_code_is_shown_not_run(
    make_tenant, site_client, make_snippet, language: str
) -> None:
    blog = make_tenant("alice")
    make_snippet(blog, "<script>alert(1)</script>", "<script>alert(2)</script>", language)
    reader = site_client(blog)
    listing, page = reader.get("/snippets/").text, reader.get("/snippets/script-alert-1-script/")
    assert page.status_code == 200
    for text in (listing, page.text):
        assert "<script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    # What readers see once the highlighting spans are gone: the code, as text.
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in re.sub(r"<[^>]+>", "", page.text)
