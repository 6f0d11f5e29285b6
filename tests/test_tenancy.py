"""No tenant can read or change another's content: by host, by id, or by slug."""

import pytest
from flask import Flask, url_for
from sqlalchemy import func, select

from fixtures.app import post_form
from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import (
    ImportJob,
    Invitation,
    Media,
    Membership,
    Post,
    PostRevision,
    PostTag,
    Snippet,
    Subscriber,
    Tag,
    Tenant,
    User,
)
from inkwell.platform.core.newsletter import subscribers


def snapshot(app: Flask) -> list[tuple]:
    """Every post, snippet, membership, invitation and subscriber, to prove an
    attempt changed nothing."""
    with app.app_context(), tenancy.across_tenants():
        queries = (
            select(Post.id, Post.tenant_id, Post.title, Post.status),
            select(Snippet.id, Snippet.tenant_id, Snippet.title),
            select(Membership.tenant_id, Membership.user_id, Membership.role),
            select(Invitation.id, Invitation.tenant_id, Invitation.email, Invitation.used_at),
            select(Subscriber.id, Subscriber.tenant_id, Subscriber.email, Subscriber.status),
        )
        return [sorted(tuple(row) for row in db.session.execute(query)) for query in queries]


def test_same_slug_in_two_blogs_shows_each_its_own(
    app, make_tenant, site_client, make_post
) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    make_post(alice, "Hello", "Alice writes.")
    make_post(bob, "Hello", "Bob writes.")
    alice_page = site_client(alice).get("/hello/")
    bob_page = site_client(bob).get("/hello/")
    assert "Alice writes." in alice_page.text and "Bob writes." not in alice_page.text
    assert "Bob writes." in bob_page.text and "Alice writes." not in bob_page.text


def test_index_lists_only_own_published_posts(app, make_tenant, site_client, make_post) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    make_post(alice, "Alice public")
    make_post(alice, "Alice draft", status="draft")
    make_post(bob, "Bob public")
    page = site_client(alice).get("/").text
    assert "Alice public" in page
    assert "Alice draft" not in page and "Bob public" not in page
    assert site_client(alice).get("/alice-draft/").status_code == 404


STATEMENTS = {
    "entity": lambda: select(Post),
    "count from": lambda: select(func.count()).select_from(Post),
    "join": lambda: select(Tag.id).join(PostTag, PostTag.tag_id == Tag.id),
    "subquery": lambda: select(func.count()).select_from(select(Post).subquery()),
}


@pytest.mark.parametrize("make_statement", STATEMENTS.values(), ids=STATEMENTS.keys())
def test_query_without_tenant_fails_closed(ctx, make_statement) -> None:
    with pytest.raises(tenancy.TenantScopeError):
        db.session.execute(make_statement()).all()


def test_counts_and_subqueries_see_only_the_current_tenant(app, make_tenant, make_post) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    make_post(alice, "A")
    make_post(bob, "B1")
    make_post(bob, "B2")
    with app.app_context(), tenancy.tenant_scope(alice.id):
        assert db.session.scalar(STATEMENTS["count from"]()) == 1
        assert db.session.scalar(STATEMENTS["subquery"]()) == 1


def test_flush_refuses_missing_or_foreign_tenant(app, make_tenant) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    with app.app_context(), tenancy.tenant_scope(alice.id):
        db.session.add(Post(tenant_id=bob.id, slug="x", title="X"))
        with pytest.raises(tenancy.TenantScopeError):
            db.session.flush()
        db.session.rollback()
        db.session.add(Post(slug="y", title="Y"))
        with pytest.raises(tenancy.TenantScopeError):
            db.session.flush()
        db.session.rollback()


def test_across_tenants_is_the_named_escape_hatch(app, make_tenant, make_post) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    make_post(alice, "A")
    make_post(bob, "B")
    with app.app_context():
        with tenancy.tenant_scope(alice.id):
            assert db.session.scalar(select(func.count()).select_from(Post)) == 1
        with tenancy.across_tenants():
            assert db.session.scalar(select(func.count()).select_from(Post)) == 2


def blog_rules(app: Flask):
    """Every dashboard URL rule inside one blog (/blogs/<subdomain>/...)."""
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/blogs/<subdomain>")]


def editor_urls(app: Flask) -> list[tuple[str, str, bool]]:
    """(endpoint, method, takes an object id) for every dashboard URL inside one blog."""
    return sorted(
        (rule.endpoint, method, len(rule.arguments) > 1)
        for rule in blog_rules(app)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def test_editor_urls_are_all_listed(app) -> None:
    assert len(editor_urls(app)) >= 6


def test_member_of_one_blog_gets_404_for_every_url_of_another(
    app, make_tenant, client, auth, make_post, make_snippet, make_invitation, make_media, add_domain
) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    bob_domain = add_domain(bob, "bob.example.org")
    bob_post = make_post(bob, "Bob's secret", "only bob", tags=["only bob"])
    bob_invitation = make_invitation(bob, "bobs-friend@example.com").id
    with app.app_context():
        bob_user = db.session.scalar(select(User.id).where(User.email == bob.owner_email))
        with tenancy.tenant_scope(bob.id):
            bob_tag = db.session.scalar(select(Tag.id))
    bob_snippet = make_snippet(bob, "Bob's code", "secret = 'only bob'")
    with app.app_context(), tenancy.tenant_scope(bob.id):
        revision = db.session.scalars(select(PostRevision)).one()
        bob_revision = {"revision_id": revision.id, "post_uuid": revision.post_uuid}
        bob_image = db.session.get(Media, make_media(bob))
        bob_file = bob_image.file_name(bob_image.widths[0], "webp")
        bob_image_id = bob_image.id
    with app.app_context(), tenancy.tenant_scope(bob.id):
        reader = subscribers.subscribe(db.session.get_one(Tenant, bob.id), "fan@example.com")
        db.session.flush()
        bob_subscriber = reader.id
        job = ImportJob(tenant_id=bob.id, format="wordpress", upload="x", file_name="bob.xml")
        db.session.add(job)
        db.session.commit()
        bob_job = job.id
    alice_post = make_post(alice, "Alice's own")
    auth.login(alice.owner_email)
    before = snapshot(app)
    attempts = []
    for endpoint, method, takes_id in editor_urls(app):
        attempts.append((endpoint, method, "bob"))  # bob's blog by its address
        if takes_id:
            attempts.append((endpoint, method, "alice"))  # bob's object ids under alice's blog
    data = {"title": "pwned", "body_md": "pwned", "status": "published", "code": "pwned",
            "email": "pwned@example.com", "role": "owner"}  # fmt: skip
    for endpoint, method, sub in attempts:
        with app.test_request_context():
            # Every id argument gets bob's object id (posts here; new kinds add theirs).
            ids = {"post_id": bob_post, "snippet_id": bob_snippet, "user_id": bob_user,
                   "invitation_id": bob_invitation, "tag_id": bob_tag, "name": bob_file,
                   "media_id": bob_image_id, "domain_id": bob_domain,
                   "subscriber_id": bob_subscriber, "job_id": bob_job,
                   **bob_revision}  # fmt: skip
            url = url_for(endpoint, subdomain=sub, **ids)
        if method == "GET":
            answer = client.get(url)
        else:
            answer = post_form(client, url, data, form_url=f"/blogs/alice/posts/{alice_post}/edit")
        assert answer.status_code == 404, (endpoint, method, url)
        assert "only bob" not in answer.text
    assert snapshot(app) == before
