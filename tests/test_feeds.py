"""Feeds a reader can subscribe to: valid Atom, stable ids, honest dates."""

import html
import json
from datetime import timedelta

import feedparser
import pytest
from sqlalchemy import select

from fixtures.app import post_form
from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post
from inkwell.platform.core.types import utcnow


def parse(response) -> feedparser.FeedParserDict:
    assert response.status_code == 200
    assert response.content_type == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def test_latest_atom(make_tenant, make_post, site_client) -> None:
    alice = make_tenant("alice")
    start = utcnow() - timedelta(days=20)
    for n in range(17):
        make_post(alice, f"Post {n}", f"Body {n} [rel](/post-0/)", tags=["news"],
                  published_at=start + timedelta(days=n))  # fmt: skip
    feed = parse(site_client(alice).get("/latest.atom"))
    assert feed.feed.title == "Alice"
    assert feed.feed.id.startswith("tag:blogs.test,")
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {
        "self": "http://alice.blogs.test/latest.atom",
        "alternate": "http://alice.blogs.test/",
    }
    assert [e.title for e in feed.entries] == [f"Post {n}" for n in range(16, 1, -1)]
    entry = feed.entries[0]
    assert entry.link == "http://alice.blogs.test/post-16/"
    assert entry.id.startswith("tag:blogs.test,") and ":post:" in entry.id
    assert entry.author == "Alice"
    assert [t.term for t in entry.tags] == ["news"]
    assert 'href="http://alice.blogs.test/post-0/"' in entry.content[0].value
    assert entry.published_parsed is not None and entry.updated_parsed is not None


def test_empty_blog_has_a_valid_feed(make_tenant, site_client) -> None:
    feed = parse(site_client(make_tenant("alice")).get("/latest.atom"))
    assert feed.entries == []


def test_tag_feed(make_tenant, make_post, site_client) -> None:
    alice = make_tenant("alice")
    make_post(alice, "Tagged", tags=["Python"])
    make_post(alice, "Other")
    feed = parse(site_client(alice).get("/tags/python/latest.atom"))
    assert [e.title for e in feed.entries] == ["Tagged"]
    assert feed.feed.title == "Alice: Python"
    assert feed.feed.id != parse(site_client(alice).get("/latest.atom")).feed.id


def test_ids_are_stable_and_updated_moves_only_on_real_edits(
    app, client, auth, make_tenant, make_post, site_client
) -> None:
    alice = make_tenant("alice")
    post_id = make_post(alice, "First title", "Body")
    reader = site_client(alice)
    before = parse(reader.get("/latest.atom")).entries[0]
    auth.login(alice.owner_email)
    url = f"/blogs/alice/posts/{post_id}/edit"
    same = {"title": "First title", "body_md": "Body", "status": "published", "slug": "first-title"}
    post_form(client, url, same)
    unchanged = parse(reader.get("/latest.atom")).entries[0]
    assert unchanged.updated == before.updated
    post_form(client, url, {**same, "title": "New title", "slug": "new-address"})
    edited = parse(reader.get("/latest.atom")).entries[0]
    assert edited.id == before.id  # same entry for feed readers
    assert edited.link == "http://alice.blogs.test/new-address/"
    assert edited.published == before.published
    with app.app_context(), tenancy.tenant_scope(alice.id):
        post = db.session.scalar(select(Post))
        assert post.content_updated_at >= post.published_at


HOSTILE = "Fish & <chips> ]]> 🐟 שלום \x00nul\x0bvt\x1besc"


def test_hostile_text_gives_valid_feeds_and_readable_pages(
    make_tenant, make_post, site_client
) -> None:
    alice = make_tenant("alice")
    make_post(alice, HOSTILE, f"{HOSTILE}\n\n`]]>` and **bold**", tags=[HOSTILE])
    reader = site_client(alice)
    feed = parse(reader.get("/latest.atom"))
    entry = feed.entries[0]
    assert entry.title == "Fish & <chips> ]]> 🐟 שלום nulvtesc"
    assert "]]&gt;" in entry.content[0].value or "]]>" in entry.content[0].value
    page = reader.get(entry.link.replace("http://alice.blogs.test", ""))
    assert page.status_code == 200
    assert "Fish &amp; &lt;chips&gt; ]]&gt; 🐟 שלום nulvtesc" in page.text
    tag_slug = entry.tags[0].term
    parse(reader.get(f"/tags/{tag_slug}/latest.atom"))
    rss = feedparser.parse(reader.get(f"/tags/{tag_slug}/rss.xml").data)
    assert rss.bozo == 0 and rss.entries[0].title == entry.title
    assert json.loads(reader.get("/feed.json").data)["items"][0]["title"] == entry.title


XSS = [
    ("<script>alert(1)</script>", "<script"),
    ("[x](javascript:alert(1))", "javascript:"),
    ("<img src=x onerror=alert(1)>", "onerror"),
    ('<iframe src="https://evil.example/"></iframe>', "<iframe"),
    ('<a href="https://ok.example/" style="color:red">x</a>', "style="),
    ("<svg onload=alert(1)></svg>", "<svg"),
    ("<math><mi>x</mi></math>", "<math"),
    ("<form action=/x><input></form>", "<form"),
]


@pytest.mark.parametrize(("body", "forbidden"), XSS)
def test_markup_is_sanitized_on_page_feed_and_preview(
    make_tenant, make_post, site_client, client, auth, body: str, forbidden: str
) -> None:
    alice = make_tenant("alice")
    make_post(alice, "Payload", body)
    reader = site_client(alice)
    page = reader.get("/payload/").text
    body_html = page.split('<div class="body">')[1].split("</article>")[0]
    assert forbidden not in body_html
    feed = reader.get("/latest.atom")
    parse(feed)
    # The raw XML, unescaped: feedparser would hide a leak by sanitizing on its own.
    assert forbidden not in html.unescape(feed.text)
    assert forbidden not in html.unescape(reader.get("/rss.xml").text)
    assert forbidden not in json.loads(reader.get("/feed.json").data)["items"][0]["content_html"]
    auth.login(alice.owner_email)
    token = (
        client.get("/blogs/alice/posts/new")
        .text.split('name="csrf_token" type="hidden" value="')[1]
        .split('"')[0]
    )
    preview = client.post(
        "/blogs/alice/preview", json={"body_md": body}, headers={"X-CSRFToken": token}
    )
    assert preview.status_code == 200
    assert forbidden not in preview.json["html"]
