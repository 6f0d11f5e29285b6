"""Markdown -> Pygments -> nh3: the one pipeline for pages, previews, feeds and mirrors.

Run at save time; the result is stored with RENDERER_VERSION so a policy change
can find and re-render old rows.
"""

import markdown
import nh3

# Bump when the output for the same input changes (allowlist, extensions).
RENDERER_VERSION = 1

_EXTENSIONS = ["fenced_code", "tables", "footnotes", "toc", "codehilite"]
_EXTENSION_CONFIGS = {
    # Classes only: colours come from the blog's Pygments stylesheet, and inline
    # styles would be stripped by the sanitizer anyway.
    "codehilite": {"css_class": "highlight", "guess_lang": False},
    "toc": {"permalink": False},
}

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "ol", "p",
    "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
    "ol": {"start"},
}


def render_markdown(source: str) -> str:
    """Safe HTML for a Markdown body."""
    html = markdown.markdown(
        source, extensions=_EXTENSIONS, extension_configs=_EXTENSION_CONFIGS, output_format="html"
    )
    return sanitize(html)


def sanitize(html: str) -> str:
    """Keep only the allowlisted tags, attributes and http/https/mailto links."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
