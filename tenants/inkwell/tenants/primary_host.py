"""The 301 every host of a blog but its primary answers: the same path and query
on the primary host (`core.domains`). Answered in the fast path, before the page
cache, so it is never cached and the query is passed on unread (the pages' cache
keys see only what a view declares, `page_cache.reads_query`)."""

from typing import Any
from urllib.parse import quote

from inkwell.tenants.hosts import ServedBlog
from inkwell.tenants.page_cache import Answer

# Characters a path keeps unquoted in the Location.
URL_SAFE = "/:@!$&'()*+,;=-._~%"

# Browsers keep a 301 without Cache-Control for good; a bounded one lets a blog
# whose owner moves the primary back not loop between the two hosts for long.
# Shared caches (nginx's micro-cache) keep it a second, so a change of primary
# reaches every reader arriving through them within 2 s.
REDIRECT_POLICY = "public, max-age=3600, s-maxage=1"


def to_primary(found: ServedBlog, environ: dict[str, Any]) -> Answer:
    """A 301 to the same path and query on the blog's primary host."""
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    # WSGI hands the path as latin-1 characters of the raw bytes: quote those bytes again.
    location = found.primary_url + quote(path.encode("latin-1"), safe=URL_SAFE)
    if query := environ.get("QUERY_STRING"):
        location += f"?{query}"
    headers = [
        ("Location", location),
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Cache-Control", REDIRECT_POLICY),
    ]
    return "301 Moved Permanently", headers, f"Moved to {location}\n".encode()
