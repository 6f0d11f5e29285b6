"""A feed as a JSON Feed 1.1 document (https://jsonfeed.org/version/1.1).

Dates are RFC 3339 with the blog's offset, to the second, as in Atom; `tags` are
the tags' names (JSON Feed has no separate label); `image` is the cover the Atom
enclosure names. Empty optional fields are left out rather than sent empty.
"""

import json
from typing import Any

from inkwell.platform.core.template_filters import stamp
from inkwell.tenants.feed_model import Entry, Feed

VERSION = "https://jsonfeed.org/version/1.1"


def document(feed: Feed) -> str:
    tenant = feed.tenant
    doc: dict[str, Any] = {
        "version": VERSION,
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.self_urls["json"],
        "description": tenant.description or None,
        "authors": [{"name": tenant.title}],
        "language": tenant.language,
        "hubs": [{"type": "WebSub", "url": feed.hub}] if feed.hub else None,
        "items": [_item(entry, tenant.time_zone) for entry in feed.entries],
    }
    return json.dumps(_present(doc), ensure_ascii=False, indent=1)


def _item(entry: Entry, zone: str) -> dict[str, Any]:
    return _present(
        {
            "id": entry.id,
            "url": entry.url,
            "title": entry.title,
            "content_html": entry.html,
            "summary": entry.summary or None,
            "image": entry.cover.url if entry.cover else None,
            "date_published": stamp(entry.published, zone),
            "date_modified": stamp(entry.updated, zone),
            "authors": [{"name": entry.author}],
            "tags": [tag.name for tag in entry.tags] or None,
        }
    )


def _present(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}
