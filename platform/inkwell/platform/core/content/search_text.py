"""What a reader types into a blog's search box, made safe for both databases,
and the marked-up text that comes back.

`normalized` bounds and cleans a query (NUL and other control characters out,
NFC, one space between words); `fts5_query` turns it into an FTS5 expression in
which every word is a quoted string, so no operator, column filter or quote of the
reader's can reach FTS5's own syntax (PostgreSQL's `websearch_to_tsquery` needs no
help). The databases mark matches with two private-use characters (`START`,
`STOP`); `marked_up` escapes everything else and turns them into balanced <mark>s.
"""

import re
import unicodedata

from markupsafe import Markup, escape

from inkwell.platform.core.models import Tenant

MAX_QUERY = 200  # characters, after normalizing: far longer than any real search
START, STOP = "\ue000", "\ue001"

# A blog's language (BCP 47) -> PostgreSQL's text-search configuration: the ones a
# stock PostgreSQL ships with (stemming, stop words); any other language: 'simple'.
_CONFIGS = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "nl": "dutch", "no": "norwegian",
    "nb": "norwegian", "nn": "norwegian", "pt": "portuguese", "ro": "romanian",
    "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil", "tr": "turkish",
    "yi": "yiddish",
}  # fmt: skip
SIMPLE = "simple"

_TERM = re.compile(r'"([^"]*)"?|(\S+)')
_MARKDOWN = re.compile(r"!?\[|\]\([^)\s]*\)|\]|[*`#>|~]+")
_TAG = re.compile(r"<[^>\n]{1,200}>")


_CLEANED = {"Cc": " ", "Cs": "", "Co": ""}


class QueryTooLong(ValueError):
    """The query is longer than MAX_QUERY characters."""


def search_config_for(language: str | None) -> str:
    """The text-search configuration for a blog written in `language` ("pt-BR": portuguese)."""
    primary = (language or "").split("-")[0].split("_")[0].lower()
    return _CONFIGS.get(primary, SIMPLE)


def config_for_blog(tenant: Tenant) -> str:
    """The text-search configuration a post of `tenant` is indexed and searched with."""
    return search_config_for(tenant.language)


def normalized(raw: str) -> str:
    """`raw` without control characters, in NFC, its words one space apart; "" for
    nothing to search. QueryTooLong past MAX_QUERY characters."""
    if len(raw) > 4 * MAX_QUERY:  # not worth cleaning first
        raise QueryTooLong(raw[:20])
    # Control characters (NUL, line breaks) part words; lone surrogates and private
    # use (the marks' characters) go.
    kept = "".join(_CLEANED.get(unicodedata.category(c), c) for c in raw)
    query = " ".join(unicodedata.normalize("NFC", kept).split())
    if len(query) > MAX_QUERY:
        raise QueryTooLong(query[:20])
    return query


def fts5_query(query: str) -> str | None:
    """`query` (as `normalized` made it) as an FTS5 expression with the meaning
    `websearch_to_tsquery` gives it on PostgreSQL: words all present, "a phrase",
    `or` between words, `-word` absent. None when no word is left to look for."""
    groups: list[list[str]] = []
    absent: list[str] = []
    joined = False  # the previous term was `or`
    for phrase, word in _TERM.findall(query):
        if word.lower() == "or" and groups:
            joined = True
            continue
        text = phrase or word
        negative = not phrase and text.startswith("-")
        quoted = _quoted(text[1:] if negative else text)
        if quoted is None:
            continue
        if negative:
            absent.append(quoted)
        elif joined:
            groups[-1].append(quoted)
        else:
            groups.append([quoted])
        joined = False
    if not groups:
        return None
    expression = " AND ".join(f"({' OR '.join(group)})" for group in groups)
    return " ".join([expression, *(f"NOT {term}" for term in absent)])


def _quoted(text: str) -> str | None:
    """`text` as an FTS5 string, or None when it holds no letter or digit (FTS5's
    tokenizer would leave nothing of it)."""
    if not any(c.isalnum() for c in text):
        return None
    return '"' + text.replace('"', '""') + '"'


def marked_up(text: str) -> Markup:
    """`text` escaped, its START...STOP spans as <mark>; balanced whatever it holds."""
    html, inside = [], False
    for part in re.split(f"([{START}{STOP}])", text):
        if part == START and not inside:
            html.append("<mark>")
            inside = True
        elif part == STOP and inside:
            html.append("</mark>")
            inside = False
        elif part not in (START, STOP):
            html.append(str(escape(part)))
    if inside:
        html.append("</mark>")
    return Markup("".join(html))  # noqa: S704 - every piece of text went through escape()


def without_markdown(text: str) -> str:
    """A snippet of Markdown source as plain words: no link targets, emphasis,
    heading or quote marks, HTML tags; one space between words."""
    return " ".join(_MARKDOWN.sub("", _TAG.sub(" ", text)).split())
