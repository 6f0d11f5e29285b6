"""Markdown -> Pygments -> nh3: the one pipeline for pages, previews, feeds and mirrors.

Run at save time; the result is stored with RENDERER_VERSION so a policy change
can find and re-render old rows.

Images of the blog's library, `![alt](media:<id>)`, become `<img srcset sizes width
height loading decoding>` (`content.images`).

Fenced code keeps its tabs (Python-Markdown turns every tab of a document into
spaces before parsing; a Makefile copied from a post must work): `_TabsKeptInFences`.
"""

import re

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.preprocessors import NormalizeWhitespace

from inkwell.platform.core.content.images import LibraryImages
from inkwell.platform.core.validation import strip_forbidden

# Bump when the output for the same input changes (allowlist, extensions).
# 2: tabs in fenced code stay tabs. 3: text blocks carry dir="auto".
# 4: `media:<id>` images of the blog's library.
RENDERER_VERSION = 4

# Stands for a tab of fenced code while the rest of the document is normalised:
# a control character strip_forbidden removes, so never one of the writer's.
_TAB = "\x1f"


class _TabKeepingWhitespace(NormalizeWhitespace):
    """Python-Markdown's normaliser, but the tabs inside fenced code blocks stay tabs.

    The blocks are found with fenced_code's own pattern, before the normaliser
    expands tabs; what lies outside them (list and indented-code indentation) is
    expanded as before, since block structure is measured in spaces."""

    def run(self, lines: list[str]) -> list[str]:
        text = FencedBlockPreprocessor.FENCED_BLOCK_RE.sub(_hide_tabs, "\n".join(lines))
        return [line.replace(_TAB, "\t") for line in super().run(text.split("\n"))]


def _hide_tabs(block: re.Match[str]) -> str:
    start, end = block.span("code")
    return (
        block.string[block.start() : start]
        + block["code"].replace("\t", _TAB)
        + block.string[end : block.end()]
    )


class _TabsKeptInFences(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Registered under the same name and priority, it replaces the normaliser.
        md.preprocessors.register(_TabKeepingWhitespace(md), "normalize_whitespace", 30)


_EXTENSIONS = [
    "fenced_code", "tables", "footnotes", "toc", "codehilite", _TabsKeptInFences(), LibraryImages()
]  # fmt: skip
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
    "img": {"src", "alt", "width", "height", "srcset", "sizes", "loading", "decoding"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
    "ol": {"start"},
}

# Each block of text takes its direction from its own first letters, so an Arabic or
# Hebrew paragraph reads right to left inside an English post, and the other way round.
# Code stays left to right (site.css).
_DIRECTED = {
    "blockquote", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "li", "p", "td", "th",
}  # fmt: skip


def render_markdown(source: str) -> str:
    """Safe HTML for a Markdown body."""
    # Line endings first: the fenced-code pattern reads LF lines only.
    source = strip_forbidden(source).replace("\r\n", "\n").replace("\r", "\n")
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
        set_tag_attribute_values={tag: {"dir": "auto"} for tag in _DIRECTED},
    )
