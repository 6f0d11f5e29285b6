"""Links inside a post's stored HTML, written for where the HTML is shown: as the
writer wrote them on the blog itself (`body_links`, a template filter), absolute in
feeds (`feeds.absolutize`), relative in a static mirror (`mirror.freeze`), which
may be opened from disk or served under a prefix, where `/other-post/` leads nowhere.

The HTML is the sanitizer's output: attributes in double quotes, and a quote
inside a value escaped, so one pattern finds every href, src and srcset (whose
URLs are each rewritten, their widths kept).
"""

import re
from collections.abc import Callable

from flask import Flask

_URL_ATTR_RE = re.compile(r'(\s(href|src|srcset)=")([^"]*)(")')


def init_app(app: Flask) -> None:
    app.add_template_filter(as_written, "body_links")


def as_written(html: str) -> str:
    """The served blog's `body_links`: links as the writer wrote them."""
    return html


def rewrite_links(html: str, change: Callable[[str], str]) -> str:
    """`html` with each href and src value, and each URL of a srcset, replaced by
    `change(value)`."""

    def one(match: re.Match[str]) -> str:
        value = match[3]
        if match[2] == "srcset":
            value = ", ".join(_candidate(part, change) for part in value.split(","))
        else:
            value = change(value)
        return match[1] + value + match[4]

    return _URL_ATTR_RE.sub(one, html)


def _candidate(part: str, change: Callable[[str], str]) -> str:
    """One `url 640w` of a srcset with its URL changed."""
    url, _, descriptor = part.strip().partition(" ")
    return f"{change(url)} {descriptor}".rstrip()
