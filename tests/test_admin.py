"""The admin console: for platform admins only, invisible to everyone else, and
every action in the audit log."""

import pytest
from sqlalchemy import func, select

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import AuditEntry, User

# Every URL of the console, with the ids a test fills in ({user}, {tenant}): a new
# admin page must be listed here (test_every_admin_url_is_listed checks).
ADMIN_URLS = [
    ("GET", "/admin/"),
    ("GET", "/admin/users/"),
    ("GET", "/admin/users/{user}/"),
    ("POST", "/admin/users/{user}/disable"),
    ("POST", "/admin/users/{user}/enable"),
    ("POST", "/admin/users/{user}/grant-admin"),
    ("POST", "/admin/users/{user}/revoke-admin"),
    ("POST", "/admin/users/{user}/reset-password"),
    ("GET", "/admin/audit/"),
]


def fill(url: str, blog) -> str:
    """`url` with the ids of `blog` and its owner, so it reaches a real row."""
    owner = db.session.scalar(select(User.id).where(User.email == blog.owner_email))
    return url.format(user=owner, tenant=blog.id)


def test_every_admin_url_is_listed(app) -> None:
    rules = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    adapter = app.url_map.bind("app.test")
    listed = {
        (method, adapter.match(url.format(user=1, tenant=1), method, return_rule=True)[0].rule)
        for method, url in ADMIN_URLS
    }
    assert listed == rules


@pytest.mark.parametrize(("method", "url"), ADMIN_URLS)
def test_admin_urls_are_404_to_everyone_else(app, client, auth, make_tenant, method, url):
    blog = make_tenant("alice")
    with app.app_context():
        url = fill(url, blog)
    assert client.open(url, method=method).status_code == 404  # logged out
    auth.login("alice@example.com")  # a blogger, not an admin
    assert client.open(url, method=method).status_code == 404
    with app.app_context():  # and nothing was done
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_admins_see_the_console(admin) -> None:
    page = admin.get("/admin/")
    assert page.status_code == 200 and "Blogs: 1 active" in page.text
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
    from inkwell.platform.core.usage import usage

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
