"""Search within a blog (`core.content.search`, `tenants.search`), on SQLite's FTS5
and on PostgreSQL's full text alike: what is found and in which order, marked and
escaped, a page at a time, one blog only, hostile queries answered, the cache
bounded; and the static mirror's index."""

import json
from datetime import timedelta
from urllib.parse import quote

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy import select, text

from fixtures.mirrors import blog_uuid, edit_post, publish, read_folder
from inkwell.platform.core import tenancy
from inkwell.platform.core.content.posts import delete_post, publish_due
from inkwell.platform.core.content.revisions import Actor
from inkwell.platform.core.content.search import follow_language
from inkwell.platform.core.content.search_text import (
    MAX_QUERY,
    QueryTooLong,
    fts5_query,
    marked_up,
    normalized,
    search_config_for,
)
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Tenant
from inkwell.platform.core.types import utcnow


def titles(answer) -> list[str]:
    """The result titles of a search page, marks taken out, in order."""
    page = answer.get_data(as_text=True)
    found = page.split('<ol class="search-results">')[1:] or [""]
    heads = found[0].split("<h2>")[1:]
    return [h.split('">', 1)[1].split("</a>")[0].replace("<mark>", "").replace("</mark>", "")
            for h in heads]  # fmt: skip


@pytest.fixture
def alice(make_tenant):
    return make_tenant("alice")


def test_title_matches_rank_first_and_words_are_marked(alice, make_post, site_client) -> None:
    make_post(alice, "A walk by the harbour", "Boats everywhere, and one lighthouse.")
    make_post(alice, "Lighthouse keepers", "Who kept them, and how.")
    make_post(alice, "Gardening", "Nothing about the sea.")
    answer = site_client(alice).get("/search/?q=lighthouse")
    assert answer.status_code == 200
    assert titles(answer) == ["Lighthouse keepers", "A walk by the harbour"]
    page = answer.text
    assert "<mark>Lighthouse</mark> keepers" in page and "<mark>lighthouse</mark>" in page
    assert '2 results for “<span dir="auto">lighthouse</span>”' in page
    assert '<meta name="robots" content="noindex">' in page


def test_text_around_the_marks_is_escaped(alice, make_post, site_client) -> None:
    make_post(alice, "Tom & Jerry <3", "Cats <script>alert('cats')</script> & mice.")
    page = site_client(alice).get("/search/?q=jerry").text
    assert "Tom &amp; <mark>Jerry</mark> &lt;3" in page
    assert "<script>alert" not in page
    assert marked_up("a \ue000<b>\ue000 \ue001\ue001 \ue000c") == (
        "a <mark>&lt;b&gt; </mark> <mark>c</mark>"
    )


def test_phrases_alternatives_and_exclusions(alice, make_post, site_client) -> None:
    make_post(alice, "Red apples", "Crisp red apples from the orchard.")
    make_post(alice, "Green apples", "Sour green apples, never red.")
    make_post(alice, "Pears", "Soft pears.")
    reader = site_client(alice)
    assert titles(reader.get('/search/?q="red apples"')) == ["Red apples"]
    assert set(titles(reader.get("/search/?q=apples -green"))) == {"Red apples"}
    assert set(titles(reader.get("/search/?q=pears or crisp"))) == {"Pears", "Red apples"}


def test_results_come_ten_a_page(alice, make_post, site_client) -> None:
    for n in range(12):
        make_post(alice, f"Note {n}", "A note about tea.")
    reader = site_client(alice)
    first = reader.get("/search/?q=tea")
    assert len(titles(first)) == 10 and "12 results" in first.text and "page 1 of 2" in first.text
    assert 'href="/search/?q=tea&amp;page=2"' in first.text
    second = reader.get("/search/?q=tea&page=2")
    assert len(titles(second)) == 2 and set(titles(first)).isdisjoint(titles(second))
    assert 'href="/search/?q=tea"' in second.text  # back to the first page
    assert reader.get("/search/?q=tea&page=3").status_code == 404
    assert reader.get("/search/?q=tea&page=x").status_code == 404


def test_a_blog_finds_only_its_own_posts(alice, make_tenant, make_post, site_client) -> None:
    bob = make_tenant("bob")
    make_post(alice, "Alice on kites", "Kites.")
    make_post(bob, "Bob on kites", "Kites.")
    assert titles(site_client(alice).get("/search/?q=kites")) == ["Alice on kites"]
    assert titles(site_client(bob).get("/search/?q=kites")) == ["Bob on kites"]


def test_only_what_readers_may_see_is_found(app, alice, make_post, site_client) -> None:
    make_post(alice, "Public kettle", "Kettle.")
    make_post(alice, "Draft kettle", "Kettle.", status="draft")
    later = utcnow() + timedelta(days=2)
    make_post(alice, "Scheduled kettle", "Kettle.", status="scheduled", published_at=later)
    make_post(alice, "Kettle page", "Kettle.", is_page=True)
    gone = make_post(alice, "Deleted kettle", "Kettle.")
    with app.app_context(), tenancy.tenant_scope(alice.id):
        post = db.session.get_one(Post, gone)
        delete_post(post, db.session.get_one(Tenant, alice.id), actor=Actor("me"))
        db.session.commit()
    found = titles(site_client(alice).get("/search/?q=kettle"))
    assert sorted(found) == ["Kettle page", "Public kettle"]  # pages are searchable too


def test_the_index_follows_edits_and_deletes(app, alice, make_post, site_client) -> None:
    post = make_post(alice, "Old name", "Old words.")
    reader = site_client(alice)
    assert titles(reader.get("/search/?q=old")) == ["Old name"]
    edit_post(app, alice.id, post, title="New name", body_md="Fresh words.")
    assert titles(reader.get("/search/?q=old")) == []
    assert titles(reader.get("/search/?q=fresh")) == ["New name"]
    with app.app_context(), tenancy.tenant_scope(alice.id):
        delete_post(db.session.get_one(Post, post), db.session.get_one(Tenant, alice.id),
                    actor=Actor("me"))  # fmt: skip
        db.session.commit()
    assert titles(reader.get("/search/?q=fresh")) == []


def test_a_scheduled_post_is_found_once_the_scheduler_publishes_it(
    app, alice, make_post, site_client, wall_clock
) -> None:
    due = utcnow() + timedelta(hours=1)
    make_post(alice, "Scheduled kettle", "Kettle.", status="scheduled", published_at=due)
    reader = site_client(alice)
    assert titles(reader.get("/search/?q=kettle")) == []
    wall_clock.advance(2 * 3600)
    with app.app_context():
        assert publish_due() == 1
    assert titles(reader.get("/search/?q=kettle")) == ["Scheduled kettle"]


HOSTILE = [
    '"unclosed quote kettle', "kettle AND OR NOT", "NEAR(kettle water) title:kettle {body_md}:x",
    "'; DROP TABLE posts; --", "kettle\x00water", "<script>alert(1)</script>", "((((", "\\",
    "%", "&&||!", '""', "-", "or", "OR kettle", "kettle*", "^kettle", "🐈 日本語 ﷺ", "a" * 200,
    "kettle:", "-kettle -water", "\u202ekettle", "\ud800", "' OR 1=1 --",
]  # fmt: skip


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_get_an_answer_never_a_500(alice, make_post, site_client, query) -> None:
    make_post(alice, "Kettle", "Kettle and water.")
    answer = site_client(alice).get("/search/?q=" + quote(query, safe="", errors="surrogatepass"))
    assert answer.status_code == 200
    assert "<script>alert" not in answer.text and "\x00" not in answer.text


def test_a_query_too_long_is_a_400_with_a_message(alice, site_client) -> None:
    reader = site_client(alice)
    for length in (MAX_QUERY + 1, 10_000):
        answer = reader.get("/search/?q=" + "w" * length)
        assert answer.status_code == 400
        assert f"up to {MAX_QUERY} characters" in answer.text
        assert "X-Cache" not in answer.headers


def test_empty_and_unmatched_searches_say_so(alice, make_post, site_client) -> None:
    make_post(alice, "Kettle", "Water.")
    reader = site_client(alice)
    assert "Type something to search." in reader.get("/search/").text
    assert "Type something to search." in reader.get("/search/?q=%20%20").text
    assert 'No posts match “<span dir="auto">zebra</span>”.' in reader.get("/search/?q=zebra").text


def test_only_a_mirror_has_the_index_file(alice, make_post, site_client) -> None:
    make_post(alice, "Kettle", "Water.")
    assert site_client(alice).get("/search/posts.js").status_code == 404  # the site searches


def test_every_page_has_a_search_form_in_its_footer(alice, make_post, site_client) -> None:
    make_post(alice, "Kettle", "Water.", slug="kettle")
    reader = site_client(alice)
    for path in ("/", "/kettle/", "/about/"):
        footer = reader.get(path).text.split('<footer class="site">')[1]
        assert 'action="/search/"' in footer and 'name="q"' in footer, path


def test_queries_are_cleaned_and_bounded() -> None:
    assert normalized("  tea \t\x00 and\ncake ") == "tea and cake"
    assert normalized("cafe\u0301") == "café"
    with pytest.raises(QueryTooLong):
        normalized("x" * (MAX_QUERY + 1))
    assert fts5_query('tea "green tea" or coffee -milk') == (
        '("tea") AND ("green tea" OR "coffee") NOT "milk"'
    )
    # Operators, column filters and quotes stay inside quoted strings.
    expression = fts5_query('title:x NEAR("a") "b""c"')
    assert expression == '("title:x") AND ("NEAR(""a"")") AND ("b") AND ("c")'
    assert fts5_query("-milk") is None and fts5_query("*** ^^^") is None


def test_a_blog_language_picks_its_text_search_configuration() -> None:
    assert search_config_for("en") == "english" and search_config_for("pt-BR") == "portuguese"
    assert search_config_for("ja") == "simple" and search_config_for(None) == "simple"


def test_posts_are_indexed_in_their_blog_language(app, alice, make_post, change_blog) -> None:
    change_blog(alice, language="de")
    post = make_post(alice, "Häuser", "Die Häuser am Meer.")
    with app.app_context(), tenancy.tenant_scope(alice.id):
        assert db.session.get_one(Post, post).search_config == "german"


def test_a_new_language_reindexes_the_blog_posts(
    app, alice, make_tenant, make_post, site_client, change_blog
) -> None:
    bob = make_tenant("bob")
    change_blog(alice, language="ja")
    change_blog(bob, language="ja")
    ours, theirs = make_post(alice, "Runs", "She runs daily."), make_post(bob, "Runs", "Runs.")
    change_blog(alice, language="en")
    with app.app_context(), tenancy.tenant_scope(alice.id):
        assert follow_language(db.session.get_one(Tenant, alice.id)) == 1
        db.session.commit()
        assert db.session.get_one(Post, ours).search_config == "english"
    with app.app_context(), tenancy.tenant_scope(bob.id):
        assert db.session.get_one(Post, theirs).search_config == "simple"
        if db.engine.dialect.name == "postgresql":  # English stemming: running ~ runs
            assert titles(site_client(alice).get("/search/?q=running")) == ["Runs"]


@pytest.fixture
def cached_site(app, app_factory, own_redis):
    """The whole app on our own Redis, keeping at most 3 search pages per blog."""
    return app_factory(REDIS_URL=own_redis.url, SEARCH_CACHED_PAGES=3)


def test_a_flood_of_queries_cannot_fill_the_cache(
    cached_site: Flask, alice, make_post, own_redis
) -> None:
    make_post(alice, "Kettle", "Water.")
    reader = cached_site.test_client()

    def read(query: str):
        return reader.get(f"/search/?{query}", base_url="http://alice.blogs.test/")

    entries = Redis.from_url(own_redis.url)
    before = entries.dbsize()
    assert read("q=kettle").headers["X-Cache"] == "miss"
    assert read("q=kettle").headers["X-Cache"] == "hit"
    for word in ("water", "tea", "cake", "boat", "kite"):
        read(f"q={word}")
    assert "X-Cache" not in read("q=kite").headers  # past the cap: answered, not stored
    # Not stored either: spellings other than the normalized one, page=1 spelled out.
    for query in ("q=+kettle", "q=kettle&page=1", "q=Kettle%00", "q=+", "page=7", "q=" + "w" * 300):
        assert "X-Cache" not in read(query).headers, query
    stored = entries.dbsize() - before
    assert stored <= 3 + 1  # three pages and the counter
    entries.close()


def test_a_post_called_search_gets_another_address(alice, make_post, site_client) -> None:
    make_post(alice, "Search", "A post named like the page.")
    reader = site_client(alice)
    assert reader.get("/search-2/").status_code == 200
    assert "Type something" in reader.get("/search/").text


def test_the_migration_moves_a_post_at_search_and_downgrades(app, alice, make_post) -> None:
    from alembic import command

    from inkwell.platform.core import database

    make_post(alice, "Kettle", "Water.")
    with app.app_context(), tenancy.across_tenants(), db.engine.begin() as connection:
        config = database.alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0025")
        connection.execute(text("UPDATE posts SET slug = 'search'"))
        command.upgrade(config, "head")
    with app.app_context(), tenancy.tenant_scope(alice.id):
        post = db.session.scalars(select(Post)).one()
        assert post.slug == f"search-post-{post.id}"
        assert post.search_config == "simple"


def test_sqlite_keeps_the_index_triggers_at_head(app) -> None:
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            return
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'posts'"
        found = set(connection.exec_driver_sql(query).scalars())
    # A batch migration that rebuilds `posts` drops them: it must run 0028's
    # sqlite_triggers() again.
    assert {"posts_fts_insert", "posts_fts_delete", "posts_fts_update"} <= found


def test_the_mirror_ships_an_index_of_public_posts(app, alice, make_post, mirror_root) -> None:
    post = make_post(alice, "Kettle", "Boiling **water**.", tags=["tea"])
    make_post(alice, "Draft", "Secret.", status="draft")
    [run] = publish(app, alice.id)
    assert run.status == "succeeded", run.error
    root = mirror_root / blog_uuid(app, alice)
    files = read_folder(root)
    assert (
        "search/index.html" in files
        and b'<meta name="robots" content="noindex">' in (files["search/index.html"])
    )
    index = files["search/posts.js"].decode()
    assert index.startswith("window.inkwellSearchPosts = ")
    entries = json.loads(index.removeprefix("window.inkwellSearchPosts = ").rstrip(";\n"))
    assert entries == [
        {
            "title": "Kettle",
            "url": "../kettle/index.html",
            "tags": ["tea"],
            "text": "Boiling water.",
        }
    ]
    assert b'action="search/index.html"' in files["index.html"]
    edit_post(app, alice.id, post, title="Teapot")
    [run] = publish(app, alice.id)
    assert not run.full and b'"Teapot"' in read_folder(root)["search/posts.js"]
