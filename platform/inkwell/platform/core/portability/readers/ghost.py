"""Ghost's JSON export (Settings → Advanced → Export), in its documented shape:
`{"db": [{"meta": {...}, "data": {"posts": [...], "tags": [...], "posts_tags":
[...], "users": [...], "posts_authors": [...]}}]}`, or the same without the "db"
wrapper, as Ghost's importer also accepts.

Read as a stream (ijson) in two passes, so an export of any size takes the
memory of its largest post: the first keeps the small tables (tags, users and
who wrote and tagged what), the second yields the posts. Bodies: `html` when
present, else the text of a `mobiledoc` post's Markdown cards, else the text of
a `lexical` one. Status published, draft and scheduled as they are; "sent" (a
newsletter that was only emailed, never on the site) is imported as a draft.
Internal tags (`#name`) are Ghost's plumbing and left out. Ghost writes its own
address as `__GHOST_URL__`: given the site's address it is put back, so images
on the old site can be fetched; without it, links to the site's own pages stay
paths ("/<slug>/"), which the imported posts keep as their old addresses.
"""

import codecs
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import ijson

from inkwell.platform.core.portability.bundles import MAX_FILE_BYTES
from inkwell.platform.core.portability.foreign import (
    ForeignFormatError,
    ForeignPost,
    Skipped,
    foreign_uuid,
)
from inkwell.platform.core.portability.readers.export_files import open_export
from inkwell.platform.core.portability.readers.times import parse_time

GHOST_URL = "__GHOST_URL__"
_ROOTS = ("db.item.data", "data")
_TABLES = ("tags", "posts_tags", "users", "posts_authors")
_STATUSES = {"published": "published", "draft": "draft", "scheduled": "scheduled", "sent": "draft"}
SHAPE = '{"db": [{"meta": …, "data": {"posts": […], …}}]}'

Row = dict[str, Any]


class GhostReader:
    format = "ghost"

    def __init__(self, path: Path, site_url: str = "") -> None:
        self.path = path
        self.site_url = site_url.rstrip("/")

    def items(self) -> Iterator[ForeignPost | Skipped]:
        """The export's posts and pages, in file order."""
        tables, posts_prefix = self._tables()
        links = _Links(tables)
        with self._open() as file:
            for raw in self._guarded(ijson.items(file, posts_prefix, use_float=True)):
                if isinstance(raw, dict):
                    yield from self._post(raw, links)
                else:
                    yield Skipped("post", "not a post: an entry of “posts” that is no object")

    def _tables(self) -> tuple[dict[str, list[Row]], str]:
        """The small tables, and the prefix of the posts (ForeignFormatError if none)."""
        wanted = {f"{root}.{table}.item": table for root in _ROOTS for table in _TABLES}
        posts = {f"{root}.posts": f"{root}.posts.item" for root in _ROOTS}
        found: dict[str, list[Row]] = {table: [] for table in _TABLES}
        posts_prefix = ""
        with self._open() as file:
            events = self._guarded(ijson.parse(file, use_float=True))
            for prefix, event, value in events:
                if prefix in posts and event == "start_array":
                    posts_prefix = posts[prefix]
                elif prefix in wanted and event == "start_map":
                    found[wanted[prefix]].append(_built(events, event, value))
        if not posts_prefix:
            raise ForeignFormatError(
                f"{self.path.name} has no posts: a Ghost export is shaped {SHAPE}"
            )
        return found, posts_prefix

    @contextmanager
    def _open(self) -> Iterator[IO[bytes]]:
        with open_export(self.path) as file:
            if file.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:
                file.seek(0)
            yield file

    def _guarded(self, events: Iterator[Any]) -> Iterator[Any]:
        try:
            yield from events
        except ijson.JSONError as error:
            problem = str(error).splitlines()[0][:200]
            raise ForeignFormatError(
                f"{self.path.name} is not a readable JSON file ({problem}); "
                f"a Ghost export is UTF-8 JSON shaped {SHAPE}"
            ) from None

    def _post(self, raw: Row, links: "_Links") -> Iterator[ForeignPost | Skipped]:
        ref = f"post “{_text(raw.get('title'))[:80] or raw.get('id')}”"
        kind = raw.get("type") or ("page" if raw.get("page") else "post")
        status = _STATUSES.get(str(raw.get("status")))
        if kind not in ("post", "page") or status is None:
            what = f"status “{raw.get('status')}”" if status is None else f"type “{kind}”"
            yield Skipped("post", f"a Ghost {what}: Inkwell has no such post", ref)
            return
        body, body_format = self._body(raw)
        if len(body) > MAX_FILE_BYTES:
            yield Skipped("post", f"its text is over {MAX_FILE_BYTES // 1024 // 1024} MB", ref)
            return
        try:
            times = {field: parse_time(raw.get(field)) for field in _TIME_FIELDS}
        except ValueError as error:
            yield Skipped("post", f"a date that cannot be read: {error}", ref)
            return
        cover = self._url(_text(raw.get("feature_image")))
        if cover and not cover.startswith(("http://", "https://")):
            problem = (
                f"its cover “{cover}” is a path on the old site, "
                "fetched only when the import is given the site's address"
            )
            yield Skipped("image", problem, ref)
            cover = ""
        post_id = _text(raw.get("id"))
        name, email = links.author(post_id, raw.get("author_id"))
        slug = _text(raw.get("slug"))
        yield ForeignPost(
            # Ghost's own uuid, the same whether or not the site's address is given.
            uuid=foreign_uuid("ghost", _text(raw.get("uuid")) or post_id),
            title=_text(raw.get("title")),
            body=body,
            body_format=body_format,
            status=status,
            slug=slug,
            **times,
            tags=links.tags(post_id),
            excerpt=_text(raw.get("custom_excerpt")),
            is_page=kind == "page",
            author_email=email,
            author_name=name,
            old_paths=(f"/{slug}/",) if slug else (),
            cover_url=cover or None,
            source_ref=ref,
        )

    def _body(self, raw: Row) -> tuple[str, str]:
        if html := _text(raw.get("html")):
            return self._url(html), "html"
        if markdown := _mobiledoc_markdown(raw.get("mobiledoc")):
            return self._url(markdown), "markdown"
        return _lexical_text(raw.get("lexical")), "markdown"

    def _url(self, text: str) -> str:
        return text.replace(GHOST_URL, self.site_url)


_TIME_FIELDS = ("published_at", "created_at", "updated_at")


class _Links:
    """Who wrote and which tags mark each post, from the export's small tables."""

    def __init__(self, tables: dict[str, list[Row]]) -> None:
        self.names = {
            _text(t.get("id")): _text(t.get("name"))
            for t in tables["tags"]
            if t.get("visibility") != "internal" and not _text(t.get("name")).startswith("#")
        }
        self.users = {_text(u.get("id")): u for u in tables["users"]}
        self.post_tags = _grouped(tables["posts_tags"], "tag_id")
        self.post_authors = _grouped(tables["posts_authors"], "author_id")

    def tags(self, post_id: str) -> tuple[str, ...]:
        names = (self.names.get(tag_id, "") for tag_id in self.post_tags.get(post_id, ()))
        return tuple(dict.fromkeys(name for name in names if name))

    def author(self, post_id: str, author_id: object) -> tuple[str | None, str | None]:
        """The first author's name and email."""
        first = next(iter(self.post_authors.get(post_id, ())), _text(author_id))
        user = self.users.get(first, {})
        return _text(user.get("name")) or None, _text(user.get("email")) or None


def _grouped(rows: list[Row], field: str) -> dict[str, list[str]]:
    """post id -> the `field` of its rows, by their sort_order."""
    ordered = sorted(rows, key=lambda row: _number(row.get("sort_order")))
    grouped: dict[str, list[str]] = {}
    for row in ordered:
        grouped.setdefault(_text(row.get("post_id")), []).append(_text(row.get(field)))
    return grouped


def _built(events: Iterator[tuple[str, str, Any]], event: str, value: Any) -> Any:
    """The object whose first event is (`event`, `value`), built from `events`."""
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1
    for _prefix, event, value in events:
        builder.event(event, value)
        depth += event in ("start_map", "start_array")
        depth -= event in ("end_map", "end_array")
        if depth == 0:
            break
    return builder.value


def _mobiledoc_markdown(mobiledoc: object) -> str:
    """The Markdown of a mobiledoc's Markdown cards (Ghost 1 and 2 wrote posts so)."""
    try:
        cards = json.loads(mobiledoc)["cards"] if isinstance(mobiledoc, str) else []
        texts = [card[1].get("markdown", "") for card in cards if card[0] == "markdown"]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return ""
    return "\n\n".join(text for text in texts if isinstance(text, str) and text)


def _lexical_text(lexical: object) -> str:
    """The text of a lexical document, a paragraph per top-level block."""
    try:
        blocks = json.loads(lexical)["root"]["children"] if isinstance(lexical, str) else []
    except (ValueError, KeyError, TypeError):
        return ""
    return "\n\n".join(text for block in blocks if (text := _node_text(block)))


def _node_text(node: object) -> str:
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "linebreak":
        return "\n"
    if isinstance(node.get("text"), str):
        return node["text"]
    children = node.get("children")
    return "".join(_node_text(child) for child in children) if isinstance(children, list) else ""


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _number(value: object) -> float:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else 0
