"""Every unsafe request to the platform app needs a CSRF token: without one it
answers 400 and changes nothing."""

from uuid import uuid4

from flask import Flask, url_for
from sqlalchemy import func, select, update

from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import csrf, db
from inkwell.platform.core.models import (
    AuditEntry,
    Domain,
    Invitation,
    Membership,
    Post,
    Snippet,
    Tenant,
    User,
)

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def unsafe_rules(app: Flask) -> list[tuple[str, str]]:
    return sorted(
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods & UNSAFE
    )


def row_counts(app: Flask) -> dict[str, int]:
    with app.app_context(), tenancy.across_tenants():
        counts = {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (User, Tenant, Domain, Membership, Post, Snippet, Invitation, AuditEntry)
        }
        # Revoking changes a row rather than removing it.
        unused = select(func.count()).where(Invitation.used_at.is_(None))
        return {**counts, "open invitations": db.session.scalar(unused)}


def test_every_unsafe_endpoint_refuses_requests_without_token(
    app, client, auth, make_tenant, make_post, make_snippet, make_invitation, add_domain
) -> None:
    blog = make_tenant("alice")
    domain_id = add_domain(blog, "blog.example.org")
    post_id = make_post(blog, "Keep me", "body")
    snippet_id = make_snippet(blog, "Keep me too", "x = 1")
    invited = make_invitation(blog, "ed@example.com")
    # An invitation for the logged-in user in the session: accepting it would add a member.
    to_bob = make_invitation(make_tenant("bob"), blog.owner_email)
    with app.app_context():  # an admin too, so the console's actions get past its 404
        db.session.execute(update(User).values(is_admin=True))
        db.session.commit()
    auth.login(blog.owner_email)
    client.get(f"/invitations/{to_bob.token}")
    before = row_counts(app)
    # The only views that take a cross-site POST without a token: the subscribe form
    # of a (static) blog page and RFC 8058's one-click unsubscribe (test_newsletter).
    cross_site = {"subscriptions.subscribe", "subscriptions.unsubscribe"}
    assert csrf._exempt_views == {f"inkwell.platform.web.{e}" for e in cross_site}
    rules = [(e, m) for e, m in unsafe_rules(app) if e not in cross_site]
    assert {
        "auth.signup",
        "auth.login",
        "auth.logout",
        "editor.remove_post",
        "team.invite",
        "team.revoke_invitation",
        "invitations.answer",
        "admin_users.disable",
    } <= {e for e, _ in rules}
    for endpoint, method in rules:
        with app.test_request_context():
            ids = {"post_id": post_id, "snippet_id": snippet_id, "user_id": 1,
                   "invitation_id": invited.id, "outbox_id": 1, "tenant_id": blog.id,
                   "revision_id": 1, "post_uuid": uuid4(), "tag_id": 1, "media_id": 1,
                   "domain_id": domain_id, "subscriber_id": 1, "blog": uuid4(),
                   "token": "x"}  # fmt: skip
            url = url_for(endpoint, subdomain=blog.subdomain, **ids)
        data = {"email": "x@example.com", "password": "irrelevant1", "subdomain": "another",
                "title": "Changed", "body_md": "changed", "status": "published",
                "role": "owner", "confirm": "irrelevant1", "reason": "spam"}  # fmt: skip
        answer = client.open(url, method=method, data=data)
        assert answer.status_code == 400, (endpoint, method)
        assert "form expired" in answer.text
    assert row_counts(app) == before
    assert client.get("/dashboard/").status_code == 200  # logout without a token did nothing
