"""`/search/?q=`: a blog's public posts and pages that match, best first, ten a
page (`&page=2`), the words found marked (`core.content.search`).

The page is cached like the others (`page_cache`, per `q` and `page`), but readers
choose the query, so only a canonical one is stored (as `normalized` made it, no
`page=1`, no `page=02`), and at most SEARCH_CACHED_PAGES per blog until its next
change (a counter under the blog's versioned key, so a change starts a new count);
the rest are answered uncached. Result pages say `noindex`. A query past
MAX_QUERY characters is a 400 with a message; empty, the page asks for words.

A static mirror has no server to ask: frozen (`STATIC_SEARCH`), `/search/` is the
same page without results, and `search.js` searches `/search/posts.js` in the
browser: each public post's title, address, tags and first words, assigned to a
global (a `fetch` of a JSON file is refused on a page opened from disk).
"""

import json

from flask import Blueprint, Response, abort, current_app, g, render_template, request, url_for
from markupsafe import Markup

from inkwell.platform.core.caching import cache_get, cache_set, tenant_key
from inkwell.platform.core.content.posts import NEWEST_FIRST, public_posts
from inkwell.platform.core.content.search import search as find
from inkwell.platform.core.content.search_text import MAX_QUERY, QueryTooLong, normalized
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post
from inkwell.platform.core.numbers import query_int
from inkwell.tenants import page_cache
from inkwell.tenants.content import tags_by_post

bp = Blueprint("search", __name__, template_folder="templates")

TEXT_SHOWN = 300  # characters of each post's text in a mirror's index


@bp.get("/search/")
@page_cache.reads_query("q", "page")
def search() -> tuple[str, int]:
    page = query_int("page", 1)
    if current_app.config.get("STATIC_SEARCH"):
        return _page("", static=True), 200
    raw = request.args.get("q", "")
    try:
        query = normalized(raw)
    except QueryTooLong:
        page_cache.not_stored()
        message = f"That search is too long: up to {MAX_QUERY} characters, please."
        return _page(normalized(raw[:MAX_QUERY]), error=message), 400
    if not query:  # stored once, for the bare /search/ only
        if request.args:
            page_cache.not_stored()
        return _page(""), 200
    results = find(g.tenant, query, page)
    if page > 1 and not results.hits:
        abort(404)
    if not (_canonical(raw, query, page) and _may_store()):
        page_cache.not_stored()
    return _page(query, results=results), 200


def _page(query: str, **shown: object) -> str:
    return render_template(
        "blog/search.html", tenant=g.tenant, query=query, max_query=MAX_QUERY, **shown
    )


def _canonical(raw: str, query: str, page: int) -> bool:
    """Whether the request's query string is the one a result page is stored under."""
    wanted = {"q": query} | ({"page": str(page)} if page > 1 else {})
    return raw == query and request.args.to_dict() == wanted


def _may_store() -> bool:
    """Whether one more result page of the blog may be stored (SEARCH_CACHED_PAGES
    until its next change). Counted without a lock: a race may store a few more."""
    key = tenant_key(g.tenant, "search:stored")
    stored = cache_get(key) or 0
    if stored >= current_app.config["SEARCH_CACHED_PAGES"]:
        return False
    cache_set(key, stored + 1)
    return True


@bp.get("/search/posts.js")
def posts_script() -> Response:
    """The mirror's search index: only a frozen blog has one (the served blog searches)."""
    if not current_app.config.get("STATIC_SEARCH"):
        abort(404)
    entries = json.dumps(index_entries(), ensure_ascii=False, separators=(",", ":"))
    body = f"window.inkwellSearchPosts = {entries};\n"
    return Response(body, mimetype="text/javascript")


def index_entries() -> list[dict[str, object]]:
    """Each public post and page, newest first: title, address relative to
    `/search/`, tags and the start of its text (its excerpt, else its body's)."""
    columns = (Post.id, Post.slug, Post.title, Post.excerpt, Post.body_html)
    rows = db.session.execute(public_posts().with_only_columns(*columns).order_by(*NEWEST_FIRST))
    tags = tags_by_post()
    return [
        {
            "title": row.title,
            # posts.js sits in /search/, next to the page that reads it.
            "url": ".." + url_for("blog.post", slug=row.slug) + "index.html",
            "tags": [tag.name for tag in tags.get(row.id, [])],
            "text": _start(row.excerpt or _text_of(row.body_html)),
        }
        for row in rows
    ]


def _text_of(html: str) -> str:
    return Markup(html).striptags()  # noqa: S704 - read as text, never shown as HTML


def _start(text: str) -> str:
    """The first TEXT_SHOWN characters of `text`, cut at a word."""
    text = " ".join(text.split())
    if len(text) <= TEXT_SHOWN:
        return text
    return text[:TEXT_SHOWN].rsplit(" ", 1)[0] + "…"
