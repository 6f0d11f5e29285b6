"""One way in for posts: what every entry point accepts and the one form it is stored in.

The editor's form, its autosave, the Markdown import (the CLI's and the bundle's)
and the API to come all call `clean_post_input` before `posts.save_post`, so what
one accepts every other accepts, and an exported post imports as the same post:

- title: one line. Control characters (tab, line breaks, DEL, C1 such as U+0085)
  and the line and paragraph separators become one space, as when a title is
  pasted from elsewhere; spaces around it go. Refusing them instead would lose
  every old post that has one on its next export and import.
- body and excerpt: line endings become LF (CRLF from browsers, CR, U+0085), tabs
  and every other line break stay, other control characters go (invisible, and
  XML forbids most of them in feeds). The body is otherwise kept byte for byte;
  the excerpt loses the spaces around it.
- slug: lowercased and trimmed; empty means "from the title".
- limits: counted after all that, so a browser's CRLF never counts twice.
- date: a post to be published at a date still to come is scheduled for it (as
  the import always did, and Ghost does); a date is never dropped.

`PostInputError` names the field (a `PostInput` attribute) and says what to do.
"""

import re
from dataclasses import replace
from datetime import datetime

from inkwell.platform.core.content.posts import PostInput
from inkwell.platform.core.types import utcnow
from inkwell.platform.core.validation import slug_problem, strip_forbidden

TITLE_MAX = 300  # the column's length
BODY_MAX = 1_000_000
EXCERPT_MAX = 2000
TAGS_MAX = 2100  # characters of all tags together: room for 20 of 100 and their commas
STATUSES = ("draft", "published", "scheduled")

# A run of characters that cannot stand in a one-line text: controls and separators.
_NOT_ONE_LINE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_LINE_END_RE = re.compile("\r\n?|\x85")
# Controls other than tab and LF; C1 ones too (XML 1.1 forbids them, readers hide them).
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class PostInputError(ValueError):
    """`field` (a PostInput attribute) cannot be saved; the message says why, for the writer."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def one_line(text: str) -> str:
    """`text` as a title: controls and separators to one space, trimmed."""
    return _NOT_ONE_LINE_RE.sub(" ", strip_forbidden(text)).strip()


def multi_line(text: str) -> str:
    """`text` as a body: LF line endings, tabs kept, other controls gone."""
    return _CONTROL_RE.sub("", strip_forbidden(_LINE_END_RE.sub("\n", text)))


def clean_post_input(data: PostInput, now: datetime | None = None) -> PostInput:
    """`data` in the one stored form; PostInputError for the first field that cannot be."""
    title = _bounded("title", one_line(data.title), TITLE_MAX, "title")
    if not title:
        raise PostInputError("title", "Give the post a title.")
    tags = [one_line(tag) for tag in data.tags]
    _bounded("tags", ", ".join(tag for tag in tags if tag), TAGS_MAX, "list of tags")
    return replace(
        data,
        title=title,
        body_md=_bounded("body_md", multi_line(data.body_md), BODY_MAX, "text"),
        excerpt=_bounded("excerpt", multi_line(data.excerpt).strip(), EXCERPT_MAX, "excerpt"),
        slug=_slug(data.slug),
        tags=tags,
        status=_status(data, now or utcnow()),
    )


def _bounded(field: str, value: str, limit: int, name: str) -> str:
    if len(value) > limit:
        raise PostInputError(
            field, f"The {name} is {len(value):,} characters long; the limit is {limit:,}."
        )
    return value


def _slug(value: str) -> str:
    slug = value.strip().lower()
    if slug and (problem := slug_problem(slug)):
        raise PostInputError("slug", problem)
    return slug


def _status(data: PostInput, now: datetime) -> str:
    if data.status not in STATUSES:
        raise PostInputError("status", f"Choose one of: {', '.join(STATUSES)}.")
    if data.status == "scheduled" and data.published_at is None:
        raise PostInputError("published_at", "Choose when the post goes live.")
    if data.status == "published" and data.published_at and data.published_at > now:
        return "scheduled"  # goes live at the date the writer gave, not before
    return data.status
