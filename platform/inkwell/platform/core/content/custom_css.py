"""A blog's own CSS, cleaned: parsed with tinycss2 and rebuilt from its tokens, so
what a blog serves can load nothing from another host (`@import`, `url()` other than
data: images and the blog's own /media/ files, `image-set("…")`), run nothing
(`expression()`, `behavior`, `-moz-binding`) and never hold `</` (which would close
a <style> element). Each rule or declaration left out is reported with its
line:column and why; the rest is kept, so one broken rule costs only itself."""

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import tinycss2
from tinycss2.ast import (
    AtRule,
    CurlyBracketsBlock,
    Declaration,
    FunctionBlock,
    Node,
    ParenthesesBlock,
    ParseError,
    QualifiedRule,
    SquareBracketsBlock,
    StringToken,
    URLToken,
    WhitespaceToken,
)
from tinycss2.serializer import serialize_identifier

# At-rules whose block holds rules, and those whose block holds declarations.
RULE_BLOCKS = frozenset(
    {"media", "supports", "container", "layer", "keyframes", "-webkit-keyframes"}
)
DECLARATION_BLOCKS = frozenset({"font-face", "page", "property", "counter-style"})
FORBIDDEN_PROPERTIES = frozenset({"behavior", "-moz-binding"})
# Functions whose string arguments name files to fetch.
FETCHING_FUNCTIONS = frozenset({"image-set", "-webkit-image-set", "image", "src"})
DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp|avif)[;,]", re.IGNORECASE)
OWN_MEDIA = re.compile(r"/media/[A-Za-z0-9_-][A-Za-z0-9._-]*")


class Problem(NamedTuple):
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}, column {self.column}: {self.message}"


class Cleaned(NamedTuple):
    css: str
    problems: list[Problem]


class TooLarge(ValueError):
    """The CSS is longer than the blog may serve."""


def clean(source: str, max_bytes: int) -> Cleaned:
    """The safe part of `source` and what was left out; raise TooLarge past `max_bytes`."""
    size = len(source.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise TooLarge(f"The CSS is {size:,} bytes; a blog's CSS may be at most {max_bytes:,}.")
    problems: list[Problem] = []
    nodes = tinycss2.parse_stylesheet(source, skip_comments=True, skip_whitespace=True)
    kept = list(_rules(nodes, problems))
    return Cleaned("\n".join(kept) + ("\n" if kept else ""), problems)


def _rules(nodes: Iterable[Node], problems: list[Problem]) -> Iterator[str]:
    for node in nodes:
        if isinstance(node, ParseError):
            problems.append(
                _problem(node, f"this could not be read ({node.message}), so it was left out.")
            )
        elif isinstance(node, QualifiedRule):
            yield from _kept(node, _qualified(node, problems), problems)
        elif isinstance(node, AtRule):
            yield from _kept(node, _at_rule(node, problems), problems)


def _kept(node: Node, text: str | None, problems: list[Problem]) -> Iterator[str]:
    if text is None:
        return
    if "</" in text or "<!--" in text:
        problems.append(
            _problem(
                node,
                "this rule contains “</” or “<!--”, which could end a page's style element; "
                "it was left out.",
            )
        )
        return
    yield text


def _qualified(rule: QualifiedRule, problems: list[Problem]) -> str | None:
    refusal = _refusal(rule.prelude)
    if refusal:
        problems.append(_problem(rule, refusal))
        return None
    return f"{tinycss2.serialize(rule.prelude).strip()} {{{_declarations(rule.content, problems)}}}"


def _at_rule(rule: AtRule, problems: list[Problem]) -> str | None:
    name = rule.lower_at_keyword
    refusal = _refusal(rule.prelude)
    if name not in RULE_BLOCKS | DECLARATION_BLOCKS or rule.content is None:
        reason = (
            "it would load a stylesheet from elsewhere"
            if name == "import"
            else "it is not allowed here"
        )
        problems.append(_problem(rule, f"“@{rule.at_keyword}” was left out: {reason}."))
        return None
    if refusal:
        problems.append(_problem(rule, refusal))
        return None
    head = f"@{rule.at_keyword} {tinycss2.serialize(rule.prelude).strip()}".rstrip()
    if name in DECLARATION_BLOCKS:
        return f"{head} {{{_declarations(rule.content, problems)}}}"
    inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
    return f"{head} {{\n" + "\n".join(_rules(inner, problems)) + "\n}"


def _declarations(content: list[Node] | None, problems: list[Problem]) -> str:
    kept = []
    nodes = tinycss2.parse_declaration_list(content or [], skip_comments=True, skip_whitespace=True)
    for node in nodes:
        if not isinstance(node, Declaration):
            message = (
                node.message
                if isinstance(node, ParseError)
                else "a rule inside a declaration block"
            )
            problems.append(
                _problem(
                    node, f"this declaration could not be read ({message}), so it was left out."
                )
            )
            continue
        refusal = _property_refusal(node) or _refusal(node.value)
        if not tinycss2.serialize(node.value).strip():
            refusal = f"“{node.name}” has no value, so it was left out."
        if refusal:
            problems.append(_problem(node, refusal))
            continue
        important = " !important" if node.important else ""
        # The name as an identifier again: `a\{\}` must not come out as `a{}`.
        name = serialize_identifier(node.name)
        kept.append(f"{name}: {tinycss2.serialize(node.value).strip()}{important}")
    return " " + "; ".join(kept) + " " if kept else ""


def _property_refusal(node: Declaration) -> str | None:
    if node.lower_name in FORBIDDEN_PROPERTIES:
        return f"“{node.name}” was left out: it would run code in old browsers."
    return None


def _refusal(tokens: Iterable[Node], inside: str = "") -> str | None:
    """Why these tokens may not be served, or None when they may."""
    for token in tokens:
        if isinstance(token, ParseError):
            return f"this could not be read ({token.message}), so it was left out."
        if isinstance(token, URLToken) and not _allowed_url(token.value):
            return _url_refusal(token.value)
        if isinstance(token, StringToken) and inside in FETCHING_FUNCTIONS:
            return f"“{inside}()” with a file name was left out: use url() with a /media/ path."
        if isinstance(token, ParenthesesBlock | SquareBracketsBlock | CurlyBracketsBlock):
            found = _refusal(token.content, inside)  # (…), […], {…} blocks
            if found:
                return found
        if isinstance(token, FunctionBlock):
            found = _function_refusal(token)
            if found:
                return found
    return None


def _function_refusal(token: FunctionBlock) -> str | None:
    name = token.lower_name
    if name == "expression":
        return "“expression()” was left out: it would run code in old browsers."
    if name in ("url", "src"):
        parts = [t for t in token.arguments if not isinstance(t, WhitespaceToken)]
        if len(parts) != 1 or not isinstance(parts[0], StringToken):
            return f"“{token.name}()” without a plain address in quotes was left out."
        return None if _allowed_url(parts[0].value) else _url_refusal(parts[0].value)
    return _refusal(token.arguments, name)


def _allowed_url(url: str) -> bool:
    url = url.strip()
    return bool(DATA_IMAGE.match(url) or OWN_MEDIA.fullmatch(url))


def _url_refusal(url: str) -> str:
    shown = url if len(url) <= 60 else url[:57] + "…"
    return (
        f"“url({shown})” was left out: a blog's CSS may only use its own images "
        "(/media/…) or data: images, never files from elsewhere."
    )


def _problem(node: Node, message: str) -> Problem:
    return Problem(node.source_line, node.source_column, message[0].upper() + message[1:])
