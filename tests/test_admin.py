"""The admin console: for platform admins only, invisible to everyone else, and
every action in the audit log."""

import re

import pytest

from conftest import PASSWORD, AuthActions, csrf_token, platform_browser

# Every URL of the console, with the ids a test fills in: a new admin page must be
# listed here (test_every_admin_url_is_listed checks).
ADMIN_URLS = [
    ("GET", "/admin/"),
    ("GET", "/admin/quotas/"),
    ("POST", "/admin/quotas/"),
    ("GET", "/admin/jobs/"),
    ("POST", "/admin/jobs/outbox/<int:outbox_id>/retry"),
    ("POST", "/admin/jobs/publishes/<int:tenant_id>/retry"),
]


@pytest.fixture
def admin(app, make_tenant):
    """A logged-in platform admin's browser (and a blog, alice, to act on)."""
    from inkwell.platform.core.accounts import new_user
    from inkwell.platform.core.extensions import db

    make_tenant("alice")
    with app.app_context():
        new_user("root@example.com", PASSWORD, admin=True, verified=True)
        db.session.commit()
    browser = platform_browser(app)
    AuthActions(browser).login("root@example.com")
    return browser


def test_every_admin_url_is_listed(app) -> None:
    rules = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert rules == set(ADMIN_URLS)


@pytest.mark.parametrize(("method", "url"), ADMIN_URLS)
def test_admin_urls_are_404_to_everyone_else(app, client, auth, make_tenant, method, url):
    blog = make_tenant("alice")
    url = re.sub(r"<int:\w+>", str(blog.id), url)  # ids that exist: the guard answers, not the row

    def status() -> int:
        # With a valid CSRF token, so a POST reaches the admins-only guard.
        data = {"csrf_token": csrf_token(client, "/login")} if method == "POST" else None
        return client.open(url, method=method, data=data).status_code

    assert status() == 404  # logged out
    auth.login("alice@example.com")  # a blogger, not an admin
    assert status() == 404


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
