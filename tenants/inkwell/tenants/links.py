"""Links inside a post's stored HTML, written for where the HTML is shown: as the
writer wrote them on the blog itself (`body_links`, a template filter), absolute in
feeds (`feed_model.absolutize`), relative in a static mirror (`mirror.freeze`), which
may be opened from disk or served under a prefix, where `/other-post/` leads nowhere.

The HTML is the sanitizer's output: attributes in double quotes, and a quote
inside a value escaped, so one pattern finds every href, src and srcset (each
URL of a srcset changed, its width kept: the blog's images, `content.images`).
"""

import re
from collections.abc import Callable

from flask import Flask

_URL_ATTR_RE = re.compile(r'(\s(?:href|src)=")([^"]*)(")')
_SRCSET_RE = re.compile(r'(\ssrcset=")([^"]*)(")')


def init_app(app: Flask) -> None:
    app.add_template_filter(as_written, "body_links")


def as_written(html: str) -> str:
    """The served blog's `body_links`: links as the writer wrote them."""
    return html


def rewrite_links(html: str, change: Callable[[str], str]) -> str:
    """`html` with each href and src value, and each URL of a srcset, replaced by
    `change(value)`."""
    html = _URL_ATTR_RE.sub(lambda m: m[1] + change(m[2]) + m[3], html)
    return _SRCSET_RE.sub(lambda m: m[1] + _each_candidate(m[2], change) + m[3], html)


def _each_candidate(srcset: str, change: Callable[[str], str]) -> str:
    """A srcset ("url 320w, url 640w") with each URL changed."""
    candidates = (part.strip().split(" ", 1) for part in srcset.split(",") if part.strip())
    return ", ".join(" ".join([change(url), *rest]) for url, *rest in candidates)
