"""One event for "what readers see changed": every way a blog's public content
changes goes through `content_changed`, which alone bumps `content_version`."""

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from fixtures.blogs import content_version
from inkwell.platform.core import tenancy
from inkwell.platform.core.administration import lifecycle
from inkwell.platform.core.audit import cli_actor
from inkwell.platform.core.content import changes
from inkwell.platform.core.content.posts import delete_post, publish_due
from inkwell.platform.core.content.revisions import Actor
from inkwell.platform.core.content.snippets import delete_snippet
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Mirror, Post, Snippet, Tenant
from inkwell.platform.core.types import utcnow

SOURCES = [Path(__file__).parents[1] / root for root in ("platform", "tenants", "workers")]
THE_EVENT = Path(changes.__file__).resolve()


def version_writes(path: Path) -> list[int]:
    """Lines of `path` that set a content_version: an assignment to the attribute,
    or a `content_version=` keyword (an UPDATE's values)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        if any(isinstance(t, ast.Attribute) and t.attr == "content_version" for t in targets):
            lines.append(node.lineno)
        if isinstance(node, ast.Call) and any(k.arg == "content_version" for k in node.keywords):
            lines.append(node.lineno)
    return lines


def test_only_the_event_bumps_content_version() -> None:
    found = {
        f"{path}:{line}"
        for root in SOURCES
        for path in root.rglob("*.py")
        if path.resolve() != THE_EVENT
        for line in version_writes(path)
    }
    assert found == set()
    assert version_writes(THE_EVENT), "the event itself must be where the version moves"


@contextmanager
def recorded() -> Iterator[list[changes.Change]]:
    seen: list[changes.Change] = []

    def receive(_tenant_id: int, change: changes.Change) -> None:
        seen.append(change)

    changes.changed.connect(receive)
    try:
        yield seen
    finally:
        changes.changed.disconnect(receive)


def test_a_scheduled_post_going_live_is_announced(app, make_tenant, make_post) -> None:
    blog = make_tenant("alice")
    due = utcnow() + timedelta(minutes=5)
    post_id = make_post(blog, "Soon", status="scheduled", published_at=due)
    before = content_version(app, blog)
    with app.app_context(), recorded() as seen:
        assert publish_due(now=due + timedelta(seconds=1)) == 1
        changed_at = db.session.get(Mirror, blog.id).changed_at
    assert seen == [changes.Change(blog.id, "posts", (post_id,))]
    assert content_version(app, blog) == before + 1
    assert changed_at is not None  # the mirror's debounce starts from the moment it went live


def test_edits_deletes_and_admin_actions_are_announced(
    app, make_tenant, make_post, make_snippet
) -> None:
    blog = make_tenant("alice")
    with recorded() as seen:
        post_id = make_post(blog, "Hello")
        make_post(blog, "A draft", status="draft")  # readers see nothing new
        snippet_id = make_snippet(blog, "Loop", "for x in y: pass", "python")
        with app.app_context(), tenancy.tenant_scope(blog.id):
            tenant = db.session.get_one(Tenant, blog.id)
            delete_post(db.session.get_one(Post, post_id), tenant, actor=Actor("editor"))
            delete_snippet(db.session.get_one(Snippet, snippet_id), tenant)
            lifecycle.quarantine(tenant, cli_actor())
            db.session.commit()
    assert [(c.what, c.ids) for c in seen] == [
        ("posts", (post_id,)),
        ("snippets", (snippet_id,)),
        ("posts", (post_id,)),
        ("snippets", (snippet_id,)),
        ("status", ()),
    ]
    assert {c.tenant_id for c in seen} == {blog.id}


def test_a_rolled_back_change_leaves_the_version(app, make_tenant) -> None:
    blog = make_tenant("alice")
    before = content_version(app, blog)
    with app.app_context():
        changes.content_changed(db.session.get_one(Tenant, blog.id), "settings")
        db.session.rollback()
    assert content_version(app, blog) == before
