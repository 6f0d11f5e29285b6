"""What changed between a revision and the post as it is: the body word by word
(lines first, then the words of the lines that changed, as `git diff
--word-diff` reads), and every other field that differs. Removed text is in
<del>, added text in <ins>, and everything is escaped."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher

from markupsafe import Markup, escape

from inkwell.platform.core.content.revisions import State

# Words, runs of white space and single other characters: joined, they are the text again.
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")
# Above this many token pairs a block's word diff costs too much (SequenceMatcher
# is quadratic): it shows as removed and added whole.
WORD_DIFF_BUDGET = 4_000_000


def word_diff(old: str, new: str) -> Markup:
    """`new` as changed from `old`, marked up."""
    return _diff(old.splitlines(keepends=True), new.splitlines(keepends=True), _by_words)


def _by_words(old: str, new: str) -> Markup:
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    if len(a) * len(b) > WORD_DIFF_BUDGET:
        return _marked(old, new)
    return _diff(a, b, _marked)


def _diff(a: list[str], b: list[str], replaced: Callable[[str, str], Markup]) -> Markup:
    parts = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        before, after = "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            parts.append(escape(before))
        elif op == "replace":
            parts.append(replaced(before, after))
        else:
            parts.append(_marked(before, after))
    return Markup("").join(parts)


def _marked(old: str, new: str) -> Markup:
    removed = Markup("<del>{}</del>").format(old) if old else Markup("")
    added = Markup("<ins>{}</ins>").format(new) if new else Markup("")
    return removed + added


@dataclass(frozen=True)
class FieldChange:
    label: str
    diff: Markup


# Every field of a revision but the body, which `word_diff` shows on its own.
FIELDS = (
    ("Title", "title"),
    ("Tags", "tags"),
    ("Excerpt", "excerpt"),
    ("Address", "slug"),
    ("Status", "status"),
    ("Publish time", "published_at"),
)


def field_changes(old: State, new: State) -> list[FieldChange]:
    """The fields other than the body that differ, each as a word diff."""
    changes = []
    for label, name in FIELDS:
        before, after = _text(getattr(old, name)), _text(getattr(new, name))
        if before != after:
            changes.append(FieldChange(label, word_diff(before, after)))
    return changes


def _text(value: str | tuple[str, ...] | datetime | None) -> str:
    if isinstance(value, tuple):
        return ", ".join(value)
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M} UTC"
    return value or ""
