"""Markdown files with YAML front matter, as static site generators write them:

    ---
    title: Hello
    ---

    The body.

One blank line after the closing `---` is a separator, not part of the body, so
writing then reading a document gives back the same body.
"""

import re
from typing import Any

import yaml

_DOCUMENT_RE = re.compile(
    r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)(?:\r?\n)?", re.M | re.S
)


class FrontMatterError(ValueError):
    """The file has no readable front matter; the message is for the user."""


def read_document(text: str) -> tuple[dict[str, Any], str]:
    """(front matter, body) of `text`, the front matter loaded with yaml.safe_load."""
    match = _DOCUMENT_RE.match(text)
    if match is None:
        raise FrontMatterError("no front matter: start the file with a --- line, end it with ---")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        raise FrontMatterError(f"bad YAML front matter{where}") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise FrontMatterError("the front matter must be a mapping of fields (title: ...)")
    return meta, text[match.end() :]


def write_document(meta: dict[str, Any], body: str) -> str:
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False)
    return f"---\n{front}---\n\n{body}"
