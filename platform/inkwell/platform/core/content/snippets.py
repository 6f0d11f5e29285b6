"""Saving and deleting code snippets: highlighted with Pygments at save time (in
the language the author chose, else the one `language_guess` finds), slugs
unique per blog, and the blog's content_version bumped on every change (snippets
have no drafts: readers see them all).

The current tenant (see `tenancy`) must be the snippet's blog.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_all_lexers, get_lexer_by_name
from pygments.util import ClassNotFound

from inkwell.platform.core.content.changes import content_changed
from inkwell.platform.core.content.language_guess import guess_language
from inkwell.platform.core.content.posts import slugify, unique_slug
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits.usage import stored_size
from inkwell.platform.core.models import Snippet, Tenant
from inkwell.platform.core.validation import strip_forbidden

# Line numbers in their own table cell, so copying the code leaves them behind.
_FORMATTER = HtmlFormatter(linenos="table", cssclass="highlight")


class UnknownLanguageError(ValueError):
    """The author chose a language Pygments cannot highlight."""


@dataclass
class SnippetInput:
    """What an author submits."""

    title: str
    code: str
    language: str = ""  # a Pygments lexer alias; empty: guessed from the code
    slug: str = ""  # empty: made from the title


@cache
def language_choices() -> tuple[tuple[str, str], ...]:
    """(alias, name) of every language Pygments knows, sorted by name."""
    # Keyed by alias: plugins (Mako's) can register a lexer Pygments already has.
    names = {aliases[0]: name for name, aliases, *_ in get_all_lexers() if aliases}
    return tuple(sorted(names.items(), key=lambda choice: choice[1].casefold()))


def language_name(alias: str) -> str:
    """The readable name of the language `alias`, or the alias if Pygments lost it."""
    return dict(language_choices()).get(alias, alias)


def lexer_for(language: str) -> Lexer:
    """The lexer of `language` (any of its aliases, any case)."""
    try:
        return get_lexer_by_name(language)
    except ClassNotFound:
        raise UnknownLanguageError(
            f"“{language}” is not a language Inkwell can highlight. Choose one from the list."
        ) from None


def save_snippet(
    snippet: Snippet,
    tenant: Tenant,
    data: SnippetInput,
    charge: Callable[[int], None] | None = None,
) -> None:
    """Apply `data` to `snippet` (new or existing) in the session; the caller commits.

    Raises UnknownLanguageError, or what `charge(bytes added)` raises (a quota),
    before changing anything.
    """
    title, code = strip_forbidden(data.title).strip(), strip_forbidden(data.code)
    lexer = lexer_for(data.language) if data.language else guess_language(code, title)
    html = highlight(code, lexer, _FORMATTER)
    if charge is not None:
        charge(stored_size(code, html) - stored_size(snippet.code, snippet.html))
    snippet.tenant_id = tenant.id
    snippet.title, snippet.code, snippet.html = title, code, html
    # The first alias, whichever the author used, so the form selects it again.
    snippet.language = lexer.aliases[0]
    base = data.slug or snippet.slug or slugify(title)
    snippet.slug = unique_slug(base, Snippet, exclude_id=snippet.id)
    db.session.add(snippet)
    db.session.flush()
    content_changed(tenant, "snippets", (snippet.id,))


def delete_snippet(snippet: Snippet, tenant: Tenant) -> None:
    content_changed(tenant, "snippets", (snippet.id,))
    db.session.delete(snippet)
