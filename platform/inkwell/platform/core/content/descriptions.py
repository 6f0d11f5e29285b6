"""A blog's description as its header shows it: the first paragraph, as inline
Markdown (links, emphasis, code) and nothing else: no blocks, images or scripts
(nh3 keeps only the inline tags below). The stored text is never changed; the
About page and feeds show it as written."""

import html
from functools import lru_cache

import markdown
import nh3

_TAGS = {"a", "em", "strong", "code"}
_ATTRIBUTES = {"a": {"href"}}
_SCHEMES = {"http", "https", "mailto"}


def first_paragraph(text: str) -> str:
    """The description's first paragraph, its lines joined."""
    first = next((part for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()), "")
    return " ".join(first.split())


@lru_cache(maxsize=512)
def inline_html(text: str) -> str:
    """Safe HTML of the first paragraph of `text`: inline elements only."""
    source = first_paragraph(text)
    if not source:
        return ""
    # Block syntax (a heading, a list) keeps only its text: nh3 drops the tags.
    rendered = markdown.markdown(source, output_format="html")
    return nh3.clean(
        rendered,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="nofollow noopener",
    ).strip()


def plain_text(text: str) -> str:
    """The first paragraph as text (meta descriptions): the Markdown's words only."""
    return html.unescape(nh3.clean(inline_html(text), tags=set()))
