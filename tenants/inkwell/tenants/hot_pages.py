"""Hot pages in process memory, in front of Redis: a hit costs no network round trip.

A byte-bounded LRU of the site app's cached pages, under the very keys
`page_cache` stores them by in Redis. Those keys carry the blog's content_version,
read from the database (`hosts.HostCache`), so a copy here can never be stale:
a change makes new keys, and the old entries age out of the LRU unasked. It also
keeps hot pages served while Redis is down. One per site app and process
(PAGE_MEMORY_CACHE_BYTES; 0 turns it off); gunicorn's threads share it, hence the
lock. Only the site app has one: no dashboard page is ever kept.
"""

from collections import OrderedDict
from threading import Lock

from flask import Flask

# (body, content type, the view's own Cache-Control or None): what page_cache stores.
Page = tuple[bytes, str, str | None]

EXTENSION = "inkwell.hot_pages"
# What an entry costs beyond its strings (tuple, dict slot, bytes/str headers), so
# that many tiny pages cannot exceed the bound by more than a rounding error.
ENTRY_OVERHEAD = 300


def page_size(key: str, page: Page) -> int:
    """The bytes `page` under `key` is counted as."""
    body, content_type, policy = page
    return len(body) + len(key) + len(content_type) + len(policy or "") + ENTRY_OVERHEAD


class HotPages:
    """At most `limit` bytes of pages, least recently used dropped first."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._pages: OrderedDict[str, Page] = OrderedDict()
        self._lock = Lock()

    def get(self, key: str) -> Page | None:
        if not self.limit:
            return None
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: str, page: Page) -> None:
        """Keep `page`, dropping the least recently used to make room; a page larger
        than the whole bound is not kept (it would only empty the cache)."""
        size = page_size(key, page)
        if size > self.limit:
            return
        with self._lock:
            if (old := self._pages.pop(key, None)) is not None:
                self.size -= page_size(key, old)
            while self._pages and self.size + size > self.limit:
                dropped_key, dropped = self._pages.popitem(last=False)
                self.size -= page_size(dropped_key, dropped)
            self._pages[key] = page
            self.size += size

    def __len__(self) -> int:
        return len(self._pages)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = HotPages(int(app.config["PAGE_MEMORY_CACHE_BYTES"]))


def hot_pages(app: Flask) -> HotPages:
    """`app`'s hot pages (the site app's; init_app must have run)."""
    found: HotPages = app.extensions[EXTENSION]
    return found
