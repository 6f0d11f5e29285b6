"""The admin console: for platform admins only, invisible to everyone else, and
every action in the audit log."""

import re
from uuid import uuid4

import pytest
from flask import Flask
from sqlalchemy import func, select

from fixtures.app import csrf_token, post_form
from fixtures.blogs import blog_id
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import AuditEntry, Tenant, User

# Every URL of the console, as its rule: a new admin page must be listed here
# (test_every_admin_url_is_listed checks). Tests fill in the ids (`concrete`).
ADMIN_URLS = [
    ("GET", "/admin/"),
    ("GET", "/admin/tenants/"),
    ("GET", "/admin/tenants/<int:tenant_id>/"),
    ("POST", "/admin/tenants/bulk"),
    ("POST", "/admin/tenants/<int:tenant_id>/quarantine"),
    ("POST", "/admin/tenants/<int:tenant_id>/lift-quarantine"),
    ("POST", "/admin/tenants/<int:tenant_id>/suspend"),
    ("POST", "/admin/tenants/<int:tenant_id>/restore"),
    ("POST", "/admin/tenants/<int:tenant_id>/delete"),
    ("POST", "/admin/tenants/<int:tenant_id>/purge"),
    ("POST", "/admin/tenants/<int:tenant_id>/republish"),
    ("POST", "/admin/tenants/<int:tenant_id>/rerender"),
    ("POST", "/admin/tenants/<int:tenant_id>/domains/<int:domain_id>/remove"),
    ("GET", "/admin/users/"),
    ("GET", "/admin/users/<int:user_id>/"),
    ("POST", "/admin/users/<int:user_id>/disable"),
    ("POST", "/admin/users/<int:user_id>/enable"),
    ("POST", "/admin/users/<int:user_id>/grant-admin"),
    ("POST", "/admin/users/<int:user_id>/revoke-admin"),
    ("POST", "/admin/users/<int:user_id>/reset-password"),
    ("POST", "/admin/users/<int:user_id>/reset-two-factor"),
    ("GET", "/admin/audit/"),
    ("GET", "/admin/quotas/"),
    ("POST", "/admin/quotas/"),
    ("GET", "/admin/jobs/"),
    ("POST", "/admin/jobs/outbox/<int:outbox_id>/retry"),
    ("POST", "/admin/jobs/publishes/<int:tenant_id>/retry"),
]


def alice_ids(app: Flask) -> dict[str, int]:
    """The ids admin URLs take: the blog alice (which every test here makes), its
    owner, its domain, and an outbox row (a mail to the owner) to retry."""
    from inkwell.platform.core import outbox
    from inkwell.platform.core.models import Domain

    with app.app_context():
        owner = db.session.scalars(select(User.id).where(User.email == "alice@example.com")).one()
        mail = outbox.enqueue(SEND_MAIL, f"test:{uuid4()}", kind="verify_email", user_id=owner)
        db.session.commit()
        tenant_id = blog_id(app, "alice")
        domain = db.session.scalars(select(Domain.id).where(Domain.tenant_id == tenant_id)).one()
        return {"tenant_id": tenant_id, "user_id": owner, "outbox_id": mail.id,
                "domain_id": domain}  # fmt: skip


SEND_MAIL = "inkwell.workers.mail.send_account_mail"


def concrete(url: str, ids: dict[str, int]) -> str:
    """`url` (a rule) with each `<int:name>` replaced by ids[name]."""
    return re.sub(r"<int:(\w+)>", lambda match: str(ids[match.group(1)]), url)


def test_every_admin_url_is_listed(app) -> None:
    rules = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert set(ADMIN_URLS) == rules


@pytest.mark.parametrize(("method", "url"), ADMIN_URLS)
def test_admin_urls_are_404_to_everyone_else(app, client, auth, make_tenant, method, url):
    make_tenant("alice")
    url = concrete(url, alice_ids(app))
    assert client.open(url, method=method).status_code == 404  # logged out
    auth.login("alice@example.com")  # a blogger, not an admin
    assert client.open(url, method=method).status_code == 404
    with app.app_context():  # and nothing was done
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


@pytest.mark.parametrize(("method", "url"), ADMIN_URLS)
def test_admin_urls_answer_admins(app, admin, method, url):
    # The ids resolve (so the 404s above are the guard's), and unsafe requests need a token.
    answer = admin.open(concrete(url, alice_ids(app)), method=method)
    assert answer.status_code == (200 if method == "GET" else 400)


FORM_EXPIRED = "Your form expired or came from another site. Reload the page and try again."


def audit_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_a_strangers_post_is_404_whatever_its_token(app, client, auth, make_tenant) -> None:
    # The guard answers before any form checks a token: a blogger's own good
    # token gets the same 404 as none, never a "form expired" that would tell.
    make_tenant("alice")
    url = f"/admin/tenants/{blog_id(app, 'alice')}/suspend"
    assert client.post(url, data={"reason": "Spam"}).status_code == 404  # logged out
    auth.login("alice@example.com")
    for token in ("", "forged", csrf_token(client, "/dashboard/")):
        answer = client.post(url, data={"reason": "Spam", "csrf_token": token})
        assert answer.status_code == 404 and "form expired" not in answer.text
    assert audit_count(app) == 0


def test_an_admins_post_without_a_good_token_is_400_and_does_nothing(app, admin) -> None:
    tenant_id = blog_id(app, "alice")
    url, page = f"/admin/tenants/{tenant_id}/suspend", f"/admin/tenants/{tenant_id}/"
    for token in ({}, {"csrf_token": "forged"}):
        answer = admin.post(url, data={"reason": "Typed by someone else", **token})
        assert answer.status_code == 400 and FORM_EXPIRED in answer.text
        # Not the console's page with the form refilled and a fresh token: a
        # forged request would be one click from being sent for real.
        assert "Typed by someone else" not in answer.text
    with app.app_context():
        assert db.session.get_one(Tenant, tenant_id).status == "active"
    assert audit_count(app) == 0
    assert post_form(admin, url, {"reason": "Spam"}, form_url=page).status_code == 303


def test_admins_see_the_console(admin) -> None:
    page = admin.get("/admin/")
    assert page.status_code == 200 and "Blogs: 1 active" in page.text
    assert 'href="/admin/quotas/"' in page.text and 'href="/admin/jobs/"' in page.text
    assert 'href="/admin/"' in admin.get("/dashboard/").text


def test_no_admin_route_answers_on_a_blog_host(app, admin, site_client) -> None:
    site = app.extensions["inkwell.site_app"]
    assert not [rule for rule in site.url_map.iter_rules() if rule.rule.startswith("/admin")]
    assert site_client("alice").get("/admin/").status_code == 404


def test_the_audit_log_is_append_only(app, make_tenant) -> None:
    from inkwell.platform.core import audit
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import AuditEntry, Tenant

    blog = make_tenant("alice")
    with app.app_context():
        entry = audit.record(audit.cli_actor(), "tenant.note", db.session.get_one(Tenant, blog.id))
        db.session.commit()
        assert entry.actor.startswith("cli:") and entry.target_label == "alice"
        entry.action = "tenant.forged"
        with pytest.raises(audit.AuditLogIsAppendOnly):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(audit.AuditLogIsAppendOnly):
            db.session.delete(db.session.get_one(AuditEntry, entry.id))
            db.session.commit()
        db.session.rollback()


def test_usage_counts_each_blogs_content(app, make_tenant, make_post, make_snippet) -> None:
    from inkwell.platform.core.limits.usage import usage

    alice, bob, carol = make_tenant("alice"), make_tenant("bob"), make_tenant("carol")
    make_post(alice, "One", "x" * 100)
    make_post(alice, "Two", "draft text", status="draft")
    make_snippet(bob, "Snip", "print(1)", language="python")
    with app.app_context():
        counted = usage([alice.id, bob.id, carol.id])
    assert (counted[alice.id].posts, counted[alice.id].snippets) == (2, 0)
    assert counted[alice.id].storage_bytes > 100  # Markdown plus rendered HTML
    assert (counted[bob.id].posts, counted[bob.id].snippets) == (0, 1)
    assert counted[carol.id].storage_bytes == 0


def test_storage_counts_utf8_bytes_as_quotas_do(app, make_tenant, make_post) -> None:
    from inkwell.platform.core import tenancy
    from inkwell.platform.core.limits.usage import stored_size, usage
    from inkwell.platform.core.models import Post

    blog = make_tenant("alice")
    make_post(blog, "Nihongo", "日本語の文章です。" * 100)  # 3 bytes a character in UTF-8
    with app.app_context(), tenancy.tenant_scope(blog.id):
        post = db.session.scalars(select(Post)).one()
        expected = len(post.body_md.encode()) + len(post.body_html.encode())
        assert stored_size(post.body_md, post.body_html) == expected
        revision = len(post.title.encode()) + len(post.body_md.encode())  # its first revision
        assert usage([blog.id])[blog.id].storage_bytes == expected + revision > 5_400
