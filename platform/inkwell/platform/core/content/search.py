"""Search within the current blog: its public posts and pages (`posts.public_posts`:
published, not dated in the future; drafts, scheduled and deleted posts are not
there), best match first, a page at a time, matches marked.

PostgreSQL: `posts.search_vector`, computed by a trigger from the title (weight A), excerpt (B)
and body (C) with the post's `search_config`, indexed by GIN after `tenant_id`
(migration 0028); the reader's words through `websearch_to_tsquery` in the blog's
configuration, ranked by `ts_rank`, marked by `ts_headline`. SQLite: the FTS5 table
`posts_fts` (triggers keep it in step with `posts`), the words quoted by
`search_text.fts5_query`, ranked by bm25 with the same column weights, marked by
`highlight` and `snippet`. Both narrow to the current blog twice: the ORM's tenant
criteria on `posts` (row-level security on PostgreSQL too) and, on SQLite,
`posts_fts.tenant_id`.

A post's configuration comes from its blog's language when it is saved
(`search_text.config_for_blog`); when the language changes, `follow_language`
re-indexes the blog's posts in the new one (queries use the blog's configuration,
so a post left in the old one would be found by whole words only).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    cast,
    column,
    func,
    literal,
    literal_column,
    table,
    update,
)
from sqlalchemy.dialects.postgresql import REGCONFIG

from inkwell.platform.core import tenancy
from inkwell.platform.core.content.posts import NEWEST_FIRST, public_posts
from inkwell.platform.core.content.search_text import (
    START,
    STOP,
    config_for_blog,
    fts5_query,
    marked_up,
    without_markdown,
)
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Tenant

PER_PAGE = 10
BODY_SHOWN = 200_000  # the part of a body a snippet is taken from (the part indexed)
_HEADLINE = (
    f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2,"
    ' FragmentDelimiter=" … "'
)
_WHOLE = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"
_FTS = table("posts_fts", column("rowid"), column("tenant_id"))
_FTS_NAME = literal_column("posts_fts")
_WEIGHTS = (10.0, 4.0, 1.0)  # title, excerpt, body: bm25's per-column weights


@dataclass(frozen=True)
class Hit:
    slug: str
    title: Markup  # the words found marked
    snippet: Markup
    published_at: datetime | None
    is_page: bool


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    total: int
    page: int
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def search(tenant: Tenant, query: str, page: int = 1) -> Results:
    """Page `page` of the current blog's public posts matching `query` (as
    `search_text.normalized` made it, not empty). The current tenant must be `tenant`."""
    offset = (page - 1) * PER_PAGE
    if db.session.get_bind().dialect.name == "postgresql":
        statement = _postgresql(query, config_for_blog(tenant)).limit(PER_PAGE).offset(offset)
        rows = db.session.execute(statement).all()
        total = rows[0].total if rows else 0
    else:
        found = fts5_query(query)
        if found is None:
            return Results([], 0, page)
        statement = _sqlite(found)
        # FTS5's functions refuse a window (`count() over ()`): the total on its own.
        total = db.session.scalar(statement.with_only_columns(func.count()).order_by(None)) or 0
        rows = db.session.execute(statement.limit(PER_PAGE).offset(offset)).all() if total else []
    hits = [
        Hit(row.slug, marked_up(row.title_marked), _snippet(row.snippet), row.published_at,
            row.is_page)
        for row in rows
    ]  # fmt: skip
    return Results(hits, total, page)


def follow_language(tenant: Tenant) -> int:
    """Give the current blog's posts its language's text-search configuration (after
    the language changed: the settings form and a settings import call it); how many changed. On
    PostgreSQL their vectors are generated again. The caller commits."""
    config = config_for_blog(tenant)
    # Compared as text: PostgreSQL reads a bare 'english' beside a regconfig as an oid.
    other = cast(Post.search_config, String) != config
    changed = update(Post).where(Post.tenant_id == tenant.id, other)
    # What readers see is the same: no new `updated_at`, so no page of a mirror changes.
    result = db.session.execute(changed.values(search_config=config, updated_at=Post.updated_at))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _snippet(marked: str) -> Markup:
    return marked_up(without_markdown(marked))


def _columns(title: ColumnElement[Any], snippet: ColumnElement[Any]) -> Select[Any]:
    return public_posts().with_only_columns(
        Post.slug,
        Post.published_at,
        Post.is_page,
        title.label("title_marked"),
        snippet.label("snippet"),
    )


def _postgresql(query: str, config: str) -> Select[Any]:
    words = func.websearch_to_tsquery(literal(config, REGCONFIG), query)
    vector = literal_column("posts.search_vector")
    body = func.left(Post.body_md, BODY_SHOWN)
    statement = _columns(
        func.ts_headline(Post.search_config, Post.title, words, _WHOLE),
        func.ts_headline(Post.search_config, body, words, _HEADLINE),
    )
    rank = func.ts_rank(vector, words)
    statement = statement.add_columns(func.count().over().label("total"))
    return statement.where(vector.op("@@")(words)).order_by(rank.desc(), *NEWEST_FIRST)


def _sqlite(expression: str) -> Select[Any]:
    statement = _columns(
        func.highlight(_FTS_NAME, 0, START, STOP),
        func.snippet(_FTS_NAME, 2, START, STOP, " … ", 24),
    )
    statement = statement.join(_FTS, _FTS.c.rowid == Post.id)
    statement = statement.where(
        _FTS_NAME.op("MATCH")(expression), _FTS.c.tenant_id == tenancy.current_tenant_id()
    )
    return statement.order_by(func.bm25(_FTS_NAME, *_WEIGHTS), *NEWEST_FIRST)
