"""Code snippets: members share highlighted code in the dashboard; readers see it on the blog."""

import re

import pytest
from sqlalchemy import select

from conftest import content_version
from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Snippet, Tenant
from inkwell.platform.core.snippets import SnippetInput, UnknownLanguageError, save_snippet

PYTHON = "import os\n\ndef here():\n    return os.getcwd()\n"


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
