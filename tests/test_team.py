"""Owners manage who works on their blog; a blog always keeps an owner."""

from sqlalchemy import select

from fixtures.app import post_form
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Membership, User


def user_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def role_of(app, blog, email: str) -> str | None:
    with app.app_context():
        return db.session.scalar(
            select(Membership.role)
            .join(User)
            .where(Membership.tenant_id == blog.id, User.email == email)
        )


def test_owner_changes_roles_and_removes_members(
    app, client, auth, make_tenant, add_member
) -> None:
    blog = make_tenant("alice")
    writer = add_member(blog, "writer@example.com", "author")
    auth.login(blog.owner_email)
    page = client.get("/blogs/alice/team/")
    assert "writer@example.com" in page.text
    url = f"/blogs/alice/team/{user_id(app, writer)}"
    assert (
        post_form(client, f"{url}/role", {"role": "editor"}, "/blogs/alice/team/").status_code
        == 302
    )
    assert role_of(app, blog, writer) == "editor"
    assert (
        post_form(client, f"{url}/role", {"role": "emperor"}, "/blogs/alice/team/").status_code
        == 409
    )
    assert post_form(client, f"{url}/remove", {}, "/blogs/alice/team/").status_code == 302
    assert role_of(app, blog, writer) is None


def test_the_last_owner_stays(app, client, auth, make_tenant) -> None:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    url = f"/blogs/alice/team/{user_id(app, blog.owner_email)}"
    answer = post_form(client, f"{url}/role", {"role": "author"}, "/blogs/alice/team/")
    assert answer.status_code == 409 and "needs an owner" in answer.text
    assert post_form(client, f"{url}/remove", {}, "/blogs/alice/team/").status_code == 409
    assert role_of(app, blog, blog.owner_email) == "owner"


def test_non_owners_see_but_cannot_change_the_team(
    app, client, auth, make_tenant, add_member
) -> None:
    blog = make_tenant("alice")
    editor = add_member(blog, "ed@example.com", "editor")
    auth.login(editor)
    page = client.get("/blogs/alice/team/")
    assert page.status_code == 200 and "alice@example.com" in page.text
    url = f"/blogs/alice/team/{user_id(app, blog.owner_email)}/remove"
    assert post_form(client, url, {}, "/blogs/alice/team/").status_code == 403
    assert role_of(app, blog, blog.owner_email) == "owner"
