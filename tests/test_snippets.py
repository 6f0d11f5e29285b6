"""Code snippets: members share highlighted code in the dashboard; readers see it on the blog."""

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
