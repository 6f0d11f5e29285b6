"""A WordPress export (WXR: Tools → Export), read as it streams.

WXR is RSS 2.0 with WordPress's namespaces: `wp:` (its fields), `content:encoded`
(the body, HTML in CDATA), `excerpt:encoded`, `dc:creator` (the author's login,
whose email the channel's `wp:author` elements give). The file is parsed with
defusedxml's iterparse, which refuses a DTD, entity declarations and external
references (billion laughs, XXE), and each <item> is dropped once read, so memory
stays bounded whatever the file's size.

It is read twice: a first pass (`count`) checks the whole file is readable XML
from WordPress, counts the entries `items()` will yield (the progress bar's total)
and collects the attachments' URLs, since a post's featured image
(`_thumbnail_id`) is an attachment that may come after it. A broken file is
refused in that pass, before anything is written.

What becomes what: posts and pages (`wp:post_type`) are posts; published,
scheduled (`future`) and draft keep their status, pending and private posts and
password-protected ones become drafts (a note says so); trashed posts, attachments,
menu items and other post types are skipped, and each comment is counted as
skipped. Categories and tags both become tags (WordPress's default
"Uncategorized" aside). Old addresses: the item's <link> as a path and `/?p=<id>`.
"""

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from inkwell.platform.core.portability.foreign import (
    ForeignFormatError,
    ForeignPost,
    Skipped,
    foreign_uuid,
)

STATUSES = {"publish": "published", "future": "scheduled", "draft": "draft"}
AS_DRAFT = {
    "pending": "pending review in WordPress: imported as a draft",
    "private": "private in WordPress: imported as a draft",
}
NOT_IMPORTED_TYPES = {
    "attachment": ("attachment", "an uploaded file: posts that show it keep its address"),
    "nav_menu_item": ("menu item", "menus are not imported: set Settings → Navigation"),
}
NOT_A_DATE = "0000-00-00 00:00:00"
_WP = "http://wordpress.org/export/"
_PREFIXES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
}
# Markup that starts a block: a body with any is marked up, not WordPress's
# "blank line = paragraph" of the classic editor.
_MARKED_UP = re.compile(r"<(p|div|h[1-6]|ul|ol|table|blockquote|pre|figure)[\s>]|<!-- wp:", re.I)
_BLOCK_START = re.compile(r"<(/?(div|h[1-6]|ul|ol|li|table|blockquote|pre|figure|hr)|!--)", re.I)


def _name(tag: str) -> str:
    """`{uri}local` as `prefix:local` (wp, content, excerpt, dc), or `local`."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    if uri.startswith(_WP):
        return f"{'excerpt' if uri.endswith('/excerpt/') else 'wp'}:{local}"
    return f"{_PREFIXES.get(uri, uri)}:{local}"


class WordPressReader:
    """The posts of the WXR file at `path` (a `ForeignReader`)."""

    format = "wordpress"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._scanned: _Scan | None = None

    def count(self) -> int:
        """How many entries `items()` yields; ForeignFormatError if the file is unreadable."""
        return self._scan().entries

    def items(self) -> Iterator[ForeignPost | Skipped]:
        scan = self._scan()
        for item in _channel_children(self.path, "item"):
            yield from _entries(_fields(item), scan)

    def _scan(self) -> "_Scan":
        if self._scanned is None:
            self._scanned = _Scan.of(self.path)
        return self._scanned


class _Scan:
    """What the first pass learns: the site, its authors, its attachments' URLs."""

    def __init__(self) -> None:
        self.site, self.version, self.entries = "", "", 0
        self.authors: dict[str, tuple[str, str]] = {}  # login -> (email, display name)
        self.attachments: dict[str, str] = {}  # post id -> URL

    @classmethod
    def of(cls, path: Path) -> "_Scan":
        scan = cls()
        for element in _channel_children(path, None):
            name = _name(element.tag)
            if name == "item":
                fields = _fields(element)
                if fields.get("wp:post_type") == "attachment" and fields.get("wp:attachment_url"):
                    scan.attachments[fields.get("wp:post_id", "")] = fields["wp:attachment_url"]
                scan.entries += 1 + fields["comments"]
            elif name == "wp:author":
                author = {_name(child.tag): (child.text or "").strip() for child in element}
                scan.authors[author.get("wp:author_login", "")] = (
                    author.get("wp:author_email", ""),
                    author.get("wp:author_display_name", ""),
                )
            elif name == "wp:wxr_version":
                scan.version = (element.text or "").strip()
            elif name == "wp:base_site_url" or (name == "link" and not scan.site):
                scan.site = (element.text or "").strip().rstrip("/")
        if not scan.version:
            raise ForeignFormatError(
                "This is RSS, but not a WordPress export (it has no wp:wxr_version): "
                "download it from WordPress's Tools → Export."
            )
        return scan


def _channel_children(path: Path, wanted: str | None) -> Iterator[Element]:
    """Each element directly in <rss><channel> (only <`wanted`> ones, if given),
    complete, and dropped from the tree once the caller is done with it."""
    depth, channel = 0, None
    try:
        for event, element in iterparse(str(path), events=("start", "end"), forbid_dtd=True):
            if event == "start":
                depth += 1
                if depth == 1 and element.tag != "rss":
                    root = _name(element.tag)
                    raise ForeignFormatError(
                        f"This is not a WordPress export: its root element is <{root}>, not"
                        " <rss>. Download it from WordPress's Tools → Export."
                    )
                if depth == 2 and element.tag == "channel":
                    channel = element
                continue
            depth -= 1
            if depth == 2 and channel is not None:
                if wanted is None or element.tag == wanted:
                    yield element
                channel.remove(element)  # bounded memory: nothing read stays
    except DefusedXmlException as refused:
        raise ForeignFormatError(
            f"The file declares a DTD, entities or external references ({type(refused).__name__}),"
            " which a WordPress export never has: it is not imported."
        ) from None
    except (ParseError, LookupError, UnicodeError) as error:
        raise ForeignFormatError(
            f"The file is not readable XML ({error}). Upload the .xml file WordPress's Tools → "
            "Export downloads, as it is, in the encoding it declares."
        ) from None
    except OSError as error:
        raise ForeignFormatError(f"The file cannot be read: {error.strerror}.") from None


def _fields(item: Element) -> dict[str, Any]:
    """An item's fields by `prefix:name`, with its categories, post meta and comments."""
    fields: dict[str, Any] = {"categories": [], "meta": {}, "comments": 0}
    for child in item:
        name = _name(child.tag)
        if name == "category":
            fields["categories"].append(((child.get("nicename") or ""), (child.text or "").strip()))
        elif name == "wp:postmeta":
            meta = {_name(part.tag): part.text or "" for part in child}
            fields["meta"][meta.get("wp:meta_key", "")] = meta.get("wp:meta_value", "")
        elif name == "wp:comment":
            fields["comments"] += 1
        else:
            fields[name] = child.text or ""
    return fields


def _entries(fields: dict[str, Any], scan: _Scan) -> Iterator[ForeignPost | Skipped]:
    """The post (or what is skipped) an item is, then one Skipped per comment."""
    post_id = fields.get("wp:post_id", "").strip()
    ref = f"{fields.get('wp:post_type', 'post')} {post_id}: {fields.get('title', '').strip()}"
    yield _entry(fields, scan, post_id, ref.rstrip(": "))
    for _ in range(fields["comments"]):
        yield Skipped("comment", "comments are not imported", ref.rstrip(": "))


def _entry(fields: dict[str, Any], scan: _Scan, post_id: str, ref: str) -> ForeignPost | Skipped:
    post_type, wp_status = fields.get("wp:post_type", "post"), fields.get("wp:status", "")
    if post_type in NOT_IMPORTED_TYPES:
        return Skipped(*NOT_IMPORTED_TYPES[post_type], source_ref=ref)
    if post_type not in ("post", "page"):
        return Skipped("post", f"WordPress post type {post_type!r} has no place here", ref)
    notes: list[str] = []
    status = STATUSES.get(wp_status)
    if wp_status in AS_DRAFT:
        status = "draft"
        notes.append(AS_DRAFT[wp_status])
    if status is None:
        return Skipped("post", f"{wp_status or 'no'} status in WordPress (trash, auto-draft)", ref)
    if fields.get("wp:post_password") and status != "draft":
        status = "draft"
        notes.append("password-protected in WordPress: imported as a draft")
    # A draft's zero date means "none"; pubDate only stands in for a missing field.
    gmt = fields.get("wp:post_date_gmt")
    published = _time(gmt) if gmt is not None else _rfc822(fields.get("pubDate"))
    email, name = scan.authors.get(fields.get("dc:creator", "").strip(), ("", ""))
    cover = scan.attachments.get(fields["meta"].get("_thumbnail_id", "").strip())
    return ForeignPost(
        uuid=foreign_uuid(scan.site, post_id),
        title=fields.get("title", "").strip(),
        body=autop(fields.get("content:encoded", "")),
        body_format="html",
        status=status,
        slug=unquote(fields.get("wp:post_name", "").strip()),
        published_at=published,
        created_at=published,
        updated_at=_time(fields.get("wp:post_modified_gmt")),
        tags=_tags(fields["categories"]),
        excerpt=fields.get("excerpt:encoded", "").strip(),
        is_page=post_type == "page",
        author_email=email or None,
        author_name=name or fields.get("dc:creator") or None,
        old_paths=_old_paths(fields.get("link", ""), post_id),
        cover_url=cover,
        source_ref=ref,
        notes=tuple(notes),
    )


def _time(value: str | None) -> datetime | None:
    """A `wp:*_gmt` time ("2019-05-01 09:30:00", UTC); None for WordPress's zero date."""
    value = (value or "").strip()
    if not value or value == NOT_A_DATE:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _rfc822(value: str | None) -> datetime | None:
    try:
        moment = parsedate_to_datetime((value or "").strip())
    except (TypeError, ValueError):
        return None
    return moment.astimezone(UTC) if moment.year > 1 and moment.tzinfo else None


def _tags(categories: list[tuple[str, str]]) -> tuple[str, ...]:
    names = [text for nicename, text in categories if text and nicename != "uncategorized"]
    return tuple(dict.fromkeys(names))


def _old_paths(link: str, post_id: str) -> tuple[str, ...]:
    parts = urlsplit(link.strip())
    paths = [parts.path + (f"?{parts.query}" if parts.query else "")] if parts.path else []
    if post_id:
        paths.append(f"/?p={post_id}")
    return tuple(dict.fromkeys(paths))


def autop(html: str) -> str:
    """The classic editor's text as HTML: WordPress stores paragraphs as blank lines
    and line breaks as newlines, and adds the <p> and <br> only when it shows them."""
    if not html.strip() or _MARKED_UP.search(html):
        return html
    blocks = [block.strip() for block in re.split(r"\n\s*\n", html.strip())]
    return "\n".join(
        block if _BLOCK_START.match(block) else "<p>" + block.replace("\n", "<br>\n") + "</p>"
        for block in blocks
        if block
    )
