"""PostgreSQL row-level security under the ORM's tenant guards: statements that
bypass the ORM (Core, text) still see and change only the current blog's rows."""

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError

from inkwell.platform.core.extensions import db
from inkwell.platform.core.tenancy import across_tenants, tenant_scope

TABLES = ("posts", "tags", "post_tags", "snippets")


@pytest.fixture
def pg(app: Flask):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("row-level security is PostgreSQL's")
        yield


@pytest.fixture
def two_blogs(make_tenant, make_post):
    alice, bob = make_tenant("alice"), make_tenant("bob")
    make_post(alice, "Alice's post", tags=["shared"])
    make_post(bob, "Bob's post", tags=["shared"])
    make_post(bob, "Bob's draft", status="draft")
    return alice, bob


def titles() -> list[str]:
    return sorted(db.session.execute(text("SELECT title FROM posts")).scalars())


def test_the_suite_runs_as_a_role_the_policies_bind(pg) -> None:
    """A superuser or BYPASSRLS role would pass every test here without policies."""
    role = db.session.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    ).one()
    assert tuple(role) == (False, False)
    forced = db.session.execute(
        text("SELECT relname FROM pg_class WHERE relrowsecurity AND relforcerowsecurity")
    ).scalars()
    assert set(TABLES) <= set(forced)


def test_a_raw_query_sees_only_the_current_blog(pg, two_blogs) -> None:
    alice, bob = two_blogs
    with tenant_scope(alice.id):
        assert titles() == ["Alice's post"]
        tags = db.session.execute(text("SELECT count(*) FROM post_tags")).scalar()
        assert tags == 1
    with tenant_scope(bob.id):
        assert titles() == ["Bob's draft", "Bob's post"]
    assert titles() == []  # no current blog: nothing at all
    with across_tenants():
        assert titles() == ["Alice's post", "Bob's draft", "Bob's post"]


def test_a_raw_write_cannot_reach_another_blog(pg, two_blogs) -> None:
    alice, bob = two_blogs
    with tenant_scope(alice.id):
        changed = db.session.execute(text("UPDATE posts SET title = 'defaced'")).rowcount
        assert changed == 1
        gone = db.session.execute(text("DELETE FROM tags WHERE tenant_id = :bob"), {"bob": bob.id})
        assert gone.rowcount == 0
        with pytest.raises(ProgrammingError, match="row-level security"):
            db.session.execute(
                text("INSERT INTO tags (tenant_id, slug, name) VALUES (:bob, 'x', 'x')"),
                {"bob": bob.id},
            )
    db.session.rollback()
    with across_tenants():
        assert titles() == ["Alice's post", "Bob's draft", "Bob's post"]


def test_the_scope_survives_a_rollback(pg, two_blogs) -> None:
    """A rollback undoes settings sent in its transaction: they are sent again."""
    alice, bob = two_blogs
    with tenant_scope(alice.id):
        assert titles() == ["Alice's post"]
        db.session.rollback()
        assert titles() == ["Alice's post"]
        db.session.commit()
    with tenant_scope(bob.id):
        assert len(titles()) == 2
        db.session.rollback()
    with tenant_scope(alice.id):
        assert titles() == ["Alice's post"]
