"""Atom, RSS 2.0 and JSON Feed 1.1: a reader following the blog in any of them
sees the same entries, ids, links and dates; aliases lead to them; pages find
them; a mirror holds them."""

import json
import re
from datetime import UTC, datetime, timedelta

import feedparser
import pytest

from fixtures.mirrors import edit_post, post_id, publish, read_folder
from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Tenant
from inkwell.platform.core.types import utcnow

TYPES = {
    "/latest.atom": "application/atom+xml; charset=utf-8",
    "/rss.xml": "application/rss+xml; charset=utf-8",
    "/feed.json": "application/feed+json; charset=utf-8",
}
XML_FEEDS = ["/latest.atom", "/rss.xml"]
FILES = [path.lstrip("/") for path in TYPES]
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def parse(body: bytes, path: str) -> feedparser.FeedParserDict:
    """An XML feed as feedparser reads it (feedparser 6, the newest, reads no JSON
    Feed: `json_feed` checks those)."""
    feed = feedparser.parse(body)
    assert feed.bozo == 0, (path, feed.get("bozo_exception"))
    return feed


def read(reader, path: str) -> feedparser.FeedParserDict:
    answer = reader.get(path)
    assert answer.status_code == 200, path
    assert answer.content_type == TYPES["/" + path.rsplit("/", 1)[-1]]
    return parse(answer.data, path)


def json_feed(body: bytes) -> dict:
    """A JSON Feed, checked against what version 1.1 requires of a feed and its items."""
    doc = json.loads(body)
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(doc["title"], str) and isinstance(doc["items"], list)
    for item in doc["items"]:
        assert isinstance(item["id"], str) and item["id"]
        assert isinstance(item.get("content_html") or item.get("content_text"), str)
        for field in ("date_published", "date_modified"):
            assert RFC3339.match(item[field]), item[field]
    return doc


def outline(reader, path: str) -> list[tuple[str, str, str, datetime]]:
    """(id, title, link, published) of each entry, whatever the format."""
    if path.endswith(".json"):
        answer = reader.get(path)
        assert answer.status_code == 200 and answer.content_type == TYPES["/feed.json"]
        items = json_feed(answer.data)["items"]
        return [
            (i["id"], i["title"], i["url"], datetime.fromisoformat(i["date_published"]))
            for i in items
        ]
    return [
        (e.id, e.title, e.link, datetime(*e.published_parsed[:6], tzinfo=UTC))
        for e in read(reader, path).entries
    ]


@pytest.fixture
def blog(make_tenant, make_post, change_blog):
    alice = make_tenant("alice")
    start = utcnow() - timedelta(days=3)
    make_post(alice, "Older", "See [the next](/newer/).", tags=["Python", "Notes"],
              published_at=start, excerpt="The first one")  # fmt: skip
    make_post(alice, "Newer", "Body **two**", tags=["Python"], published_at=start + timedelta(1))
    make_post(alice, "Now", "A page", is_page=True, tags=["Python"])
    make_post(alice, "Draft", "Not yet", status="draft", tags=["Python"])
    change_blog(alice, time_zone="Asia/Tokyo")
    return alice


def test_the_three_formats_carry_the_same_entries(blog, site_client) -> None:
    reader = site_client(blog)
    atom = outline(reader, "/latest.atom")
    assert [title for _id, title, _link, _date in atom] == ["Newer", "Older"]  # no page, draft
    assert [link for _id, _title, link, _date in atom] == [
        "http://alice.blogs.test/newer/",
        "http://alice.blogs.test/older/",
    ]
    assert outline(reader, "/rss.xml") == outline(reader, "/feed.json") == atom
    jsonfeed = json_feed(reader.get("/feed.json").data)
    for feed in (read(reader, "/latest.atom"), read(reader, "/rss.xml")):
        assert feed.feed.title == jsonfeed["title"] == "Alice"
        older, json_older = feed.entries[1], jsonfeed["items"][1]
        assert 'href="http://alice.blogs.test/newer/"' in older.content[0].value
        assert older.content[0].value == json_older["content_html"]
        assert {t.term.lower() for t in older.tags} == {"python", "notes"}
        assert older.summary == json_older["summary"] == "The first one"
    rss = read(reader, "/rss.xml")
    assert {link.rel: link.href for link in rss.feed.links} == {
        "self": "http://alice.blogs.test/rss.xml",
        "alternate": "http://alice.blogs.test/",
    }
    assert rss.entries[0].guidislink is False


def test_rss_is_written_as_rss_2(blog, site_client) -> None:
    xml = site_client(blog).get("/rss.xml").text
    assert read(site_client(blog), "/rss.xml").version == "rss20"
    assert '<guid isPermaLink="false">tag:blogs.test,' in xml
    # RFC 822 with the blog's own offset (Tokyo), and the whole post in content:encoded.
    assert re.search(r"<pubDate>\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0900</pubDate>", xml)
    assert "Body &lt;strong&gt;two&lt;/strong&gt;&lt;/p&gt;</content:encoded>" in xml
    assert "<category>Python</category>" in xml


def test_json_feed_has_what_version_1_1_requires(blog, site_client) -> None:
    doc = json_feed(site_client(blog).get("/feed.json").data)
    assert doc["title"] == "Alice"
    assert doc["home_page_url"] == "http://alice.blogs.test/"
    assert doc["feed_url"] == "http://alice.blogs.test/feed.json"
    assert doc["authors"] == [{"name": "Alice"}] and "hubs" not in doc
    assert [item["title"] for item in doc["items"]] == ["Newer", "Older"]
    for item in doc["items"]:
        assert item["id"].startswith("tag:blogs.test,")
        assert item["url"].startswith("http://alice.blogs.test/")
        assert item["date_published"].endswith("+09:00")  # the blog's offset, as in Atom
        assert item["authors"] == [{"name": "Alice"}]
    assert sorted(doc["items"][1]["tags"]) == ["Notes", "Python"]
    assert doc["items"][1]["summary"] == "The first one" and "summary" not in doc["items"][0]


@pytest.mark.parametrize("path", TYPES)
def test_tag_feeds(blog, site_client, path: str) -> None:
    reader = site_client(blog)
    assert [title for _id, title, *_ in outline(reader, f"/tags/notes{path}")] == ["Older"]
    python = outline(reader, f"/tags/python{path}")
    assert python == outline(reader, path)  # the same entries, ids and links as the blog's
    if path in XML_FEEDS:
        feed = read(reader, f"/tags/notes{path}").feed
        assert feed.title == "Alice: Notes"
        assert feed.link == "http://alice.blogs.test/tags/notes/"
    else:
        doc = json_feed(reader.get(f"/tags/notes{path}").data)
        assert doc["title"] == "Alice: Notes"
        assert doc["home_page_url"] == "http://alice.blogs.test/tags/notes/"
        assert doc["feed_url"] == "http://alice.blogs.test/tags/notes/feed.json"
    for missing in ("nope", "%00", "x" * 300, "%3Cscript%3E"):
        assert reader.get(f"/tags/{missing}{path}").status_code == 404, missing
    assert reader.get("/tags/%00/").status_code == reader.get("/%00/").status_code == 404


def test_a_tag_of_drafts_and_pages_has_no_feed(app, blog, make_post, site_client) -> None:
    make_post(blog, "Hidden", status="draft", tags=["Secret"])
    make_post(blog, "Static", is_page=True, tags=["Static"])
    for path in TYPES:
        assert site_client(blog).get(f"/tags/secret{path}").status_code == 404
        assert site_client(blog).get(f"/tags/static{path}").status_code == 404


ALIASES = [
    ("/feed/", "/rss.xml"),
    ("/rss/", "/rss.xml"),
    ("/atom/", "/latest.atom"),
    ("/feed.xml", "/latest.atom"),
    ("/atom.xml", "/latest.atom"),
    ("/index.xml", "/rss.xml"),
    ("/tags/python/feed/", "/tags/python/rss.xml"),
    ("/tags/python/index.xml", "/tags/python/rss.xml"),
    ("/tags/python/atom.xml", "/tags/python/latest.atom"),
]


@pytest.mark.parametrize(("alias", "target"), ALIASES)
def test_common_feed_addresses_redirect(blog, site_client, alias: str, target: str) -> None:
    answer = site_client(blog).get(alias)
    assert answer.status_code == 301
    assert answer.location == target
    assert outline(site_client(blog), target)


def test_an_alias_of_an_unknown_tag_ends_in_a_404(blog, site_client) -> None:
    reader = site_client(blog)
    answer = reader.get("/tags/nope/feed/")
    assert answer.status_code == 301 and reader.get(answer.location).status_code == 404


def test_a_post_that_had_an_alias_address_keeps_it(app, blog, make_post, site_client) -> None:
    post_id = make_post(blog, "Feed me", "Old words")
    with app.app_context(), tenancy.tenant_scope(blog.id):
        db.session.get_one(Post, post_id).slug = "feed"  # written before "feed" was reserved
        db.session.commit()
    reader = site_client(blog)
    page = reader.get("/feed/")
    assert page.status_code == 200 and "Old words" in page.text
    assert reader.get("/rss/").status_code == 301
    # No new post takes the address: it gets another one.
    fresh = make_post(blog, "Rss")
    with app.app_context(), tenancy.tenant_scope(blog.id):
        assert db.session.get_one(Post, fresh).slug not in ("rss", "feed")


def test_pages_link_all_three_formats(blog, site_client, change_blog) -> None:
    reader = site_client(blog)
    home = reader.get("/").text
    for path, content_type in TYPES.items():
        kind = content_type.split(";")[0]
        assert f'type="{kind}" title="Alice' in home and f'href="{path}"' in home
    tag_page = reader.get("/tags/python/").text
    for path in TYPES:
        assert f'href="/tags/python{path}"' in tag_page and f'href="{path}"' in tag_page
    assert 'title="Alice: Python (JSON Feed)"' in tag_page
    change_blog(blog, quarantined_at=utcnow())
    assert 'rel="alternate"' not in reader.get("/tags/python/").text
    assert 'rel="alternate"' not in reader.get("/").text


# Nothing listens there: the pings these changes send fail fast and give up.
HUB = "http://127.0.0.1:9/hub"


def test_hub_links_only_when_a_hub_is_set(app, blog, site_client, use_hub, change_blog) -> None:
    reader = site_client(blog)
    assert "hub" not in reader.get("/latest.atom").text + reader.get("/rss.xml").text
    use_hub(app, HUB, WEBSUB_MAX_RETRIES=0)
    change_blog(blog, description="Now followed through WebSub")  # the cached feeds drop
    for path in ("/latest.atom", "/rss.xml", "/tags/python/latest.atom", "/tags/python/rss.xml"):
        links = {link.rel: link.href for link in read(reader, path).feed.links}
        assert links["hub"] == HUB
        assert links["self"] == "http://alice.blogs.test" + path
    doc = json.loads(reader.get("/feed.json").text)
    assert doc["hubs"] == [{"type": "WebSub", "url": HUB}]
    change_blog(blog, quarantined_at=utcnow())  # it sends no pings, so names no hub
    assert 'rel="hub"' not in reader.get("/rss.xml").text
    assert "hubs" not in json.loads(reader.get("/feed.json").text)


def test_the_mirror_holds_every_format(app, blog, mirror_root, site_client) -> None:
    [run] = publish(app, blog.id)
    assert run.status == "succeeded", run.error
    with app.app_context():
        uuid = str(db.session.get_one(Tenant, blog.id).uuid)
    files = read_folder(mirror_root / uuid)
    reader = site_client(blog)
    for name in FILES + [f"tags/python/{name}" for name in FILES]:
        if name.endswith(".json"):  # the same as served: absolute links, the same ids
            assert json_feed(files[name]) == json_feed(reader.get(f"/{name}").data)
        else:
            feed = parse(files[name], name)
            assert [e.title for e in feed.entries] == ["Newer", "Older"], name
            assert feed.entries[0].link == "http://alice.blogs.test/newer/"
    assert not {"feed/index.html", "rss/index.html", "feed.xml", "index.xml"} & set(files)
    # An edit republishes every feed the post is in, in each format.
    edit_post(app, blog.id, post_id(app, blog.id, "older"), body_md="Words I changed")
    [again] = publish(app, blog.id)
    after = read_folder(mirror_root / uuid)
    changed = {name for name in after if after[name] != files.get(name)}
    feeds = {*FILES, *(f"tags/{tag}/{name}" for tag in ("python", "notes") for name in FILES)}
    assert again.status == "succeeded" and not again.full and feeds <= changed
    assert all(b"Words I changed" in after[name] for name in feeds)
