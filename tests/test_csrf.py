"""Every unsafe request to the platform app needs a CSRF token: without one it
answers 400 and changes nothing."""

from flask import Flask, url_for
from sqlalchemy import func, select

from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Domain, Membership, Post, Snippet, Tenant, User

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def unsafe_rules(app: Flask) -> list[tuple[str, str]]:
    return sorted(
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods & UNSAFE
    )


def row_counts(app: Flask) -> dict[str, int]:
    with app.app_context(), tenancy.across_tenants():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (User, Tenant, Domain, Membership, Post, Snippet)
        }


def test_every_unsafe_endpoint_refuses_requests_without_token(
    app, client, auth, make_tenant, make_post, make_snippet
) -> None:
    blog = make_tenant("alice")
    post_id = make_post(blog, "Keep me", "body")
    snippet_id = make_snippet(blog, "Keep me too", "x = 1")
    auth.login(blog.owner_email)
    before = row_counts(app)
    rules = unsafe_rules(app)
    assert {"auth.signup", "auth.login", "auth.logout", "editor.remove_post"} <= {
        e for e, _ in rules
    }
    for endpoint, method in rules:
        with app.test_request_context():
            ids = {"post_id": post_id, "snippet_id": snippet_id, "user_id": 1}
            url = url_for(endpoint, subdomain=blog.subdomain, **ids)
        data = {"email": "x@example.com", "password": "irrelevant1", "subdomain": "another",
                "title": "Changed", "body_md": "changed", "status": "published"}  # fmt: skip
        answer = client.open(url, method=method, data=data)
        assert answer.status_code == 400, (endpoint, method)
        assert "form expired" in answer.text
    assert row_counts(app) == before
    assert client.get("/dashboard/").status_code == 200  # logout without a token did nothing
