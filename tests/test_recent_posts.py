"""The post page's "recent posts" block is kept on the blog's row at write time,
so a cold post page costs one query once its blog is known, and the block is right
after every change of posts."""

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select

from fixtures.mirrors import edit_post
from inkwell.platform.core import tenancy
from inkwell.platform.core.content.posts import delete_post, publish_due
from inkwell.platform.core.content.revisions import Actor
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Tenant
from inkwell.platform.core.types import utcnow

RECENT_LINKS = re.compile(r'<aside class="recent">.*?</aside>', re.S)
TITLE = re.compile(r'dir="auto">([^<]*)</a>')


def recent_on_page(browser: Any, slug: str) -> list[str]:
    """The titles the post page's recent block shows, in order."""
    answer = browser.get(f"/{slug}/")
    assert answer.status_code == 200, answer.status_code
    return TITLE.findall(RECENT_LINKS.search(answer.text).group(0))


@pytest.fixture
def remembering(app_factory, clock) -> tuple[Flask, list[str]]:
    """An app whose site remembers hosts a minute of the stopped clock, and the SQL
    statements its site sends."""
    whole = app_factory(TENANT_LOOKUP_TTL=60.0)
    with whole.extensions["inkwell.site_app"].app_context():
        engine = db.engine
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    return whole, sent


def test_a_cold_post_page_of_a_known_blog_costs_one_query(
    remembering, make_tenant, make_post
) -> None:
    whole, statements = remembering
    blog = make_tenant("alice")
    for n in range(12):
        make_post(blog, f"Post {n}", "Some *text*", tags=["one", "two"])
    browser = whole.test_client()
    host = {"Host": "alice.blogs.test"}
    assert browser.get("/post-1/", headers=host).status_code == 200  # the blog is looked up
    statements.clear()
    answer = browser.get("/post-3/", headers=host)
    assert answer.status_code == 200 and "Post 3" in answer.text
    assert len(statements) == 1, statements  # the post, its tags and the recent block
    recent = TITLE.findall(RECENT_LINKS.search(answer.text).group(0))
    assert recent == ["Post 11", "Post 10", "Post 9", "Post 8", "Post 7"]


def test_the_block_follows_every_change_of_posts(app, make_tenant, make_post, site_client) -> None:
    blog, other = make_tenant("alice"), make_tenant("bob")
    ids = [make_post(blog, f"Post {n}") for n in range(6)]
    make_post(other, "Bob writes")
    make_post(blog, "About", "Who writes", is_page=True)  # a page is on no list
    make_post(blog, "Draft", status="draft")
    browser = site_client(blog)
    assert recent_on_page(browser, "post-0") == ["Post 5", "Post 4", "Post 3", "Post 2", "Post 1"]

    edit_post(app, blog.id, ids[4], title="Post four, retitled")
    assert recent_on_page(browser, "post-0")[1] == "Post four, retitled"
    edit_post(app, blog.id, ids[5], status="draft")  # unpublished
    assert recent_on_page(browser, "post-0") == [
        "Post four, retitled", "Post 3", "Post 2", "Post 1", "Post 0",
    ]  # fmt: skip
    with app.app_context(), tenancy.tenant_scope(blog.id):
        post, tenant = db.session.get_one(Post, ids[3]), db.session.get_one(Tenant, blog.id)
        delete_post(post, tenant, actor=Actor("alice@example.com"))
        db.session.commit()
    assert recent_on_page(browser, "post-0") == [
        "Post four, retitled",
        "Post 2",
        "Post 1",
        "Post 0",
    ]
    assert recent_on_page(site_client(other), "bob-writes") == ["Bob writes"]


def test_a_scheduled_post_joins_the_block_when_it_goes_live(
    app, make_tenant, make_post, site_client
) -> None:
    blog = make_tenant("alice")
    make_post(blog, "Old")
    soon = utcnow() + timedelta(minutes=5)
    make_post(blog, "Soon", status="scheduled", published_at=soon)
    browser = site_client(blog)
    assert recent_on_page(browser, "old") == ["Old"]
    with app.app_context():
        assert publish_due(now=soon + timedelta(seconds=1)) == 1
    with app.app_context():
        stored = db.session.scalar(select(Tenant.recent_posts).where(Tenant.id == blog.id))
    assert stored == [["soon", "Soon"], ["old", "Old"]]


def test_the_migration_fills_each_blogs_block(app, make_tenant, make_post) -> None:
    from inkwell.platform.core import database

    blog, other = make_tenant("alice"), make_tenant("bob")
    for n in range(7):
        make_post(blog, f"Post {n}")
    make_post(blog, "About", "Who writes", is_page=True)
    make_post(blog, "Draft", status="draft")
    with app.app_context():
        database.downgrade("0031")  # before blogs kept their block
        database.upgrade("head")
        stored = dict(db.session.execute(select(Tenant.id, Tenant.recent_posts)).all())
    assert stored[blog.id] == [[f"post-{n}", f"Post {n}"] for n in (6, 5, 4, 3, 2)]
    assert stored[other.id] == []
