"""One post as a Markdown file with YAML front matter (see `front_matter`):

    title: required            date: ISO 8601 or YAML date; naive means UTC
    tags: list or "a, b"       slug: default from the file name
    draft: true or false       excerpt: optional

Dates are written in UTC to the second; a never-published draft has none. Tags
are written as a list, so a name with a comma (`Smith, John`) stays one tag; in
the text form such a name is in double quotes, as in the editor. More than
`tags.MAX_TAGS` tags is an error for the file, never a silent cut.
"""

from contextlib import suppress
from datetime import UTC, date, datetime, time
from pathlib import PurePosixPath
from typing import Any

from inkwell.platform.core.content.posts import RESERVED_SLUGS, PostInput, slugify
from inkwell.platform.core.content.tags import parse_tag_field, tag_problem
from inkwell.platform.core.models import Post
from inkwell.platform.core.portability.front_matter import (
    FrontMatterError,
    read_document,
    write_document,
)
from inkwell.platform.core.types import utcnow
from inkwell.platform.core.validation import single_line_problem, slug_problem

TITLE_MAX = 300  # the column's length


class PostFileError(ValueError):
    """The file does not describe a post; the message is for the user."""


def read_post_file(name: str, data: bytes) -> PostInput:
    """What the file `name` with content `data` says; PostFileError names what is wrong."""
    try:
        meta, body = read_document(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise PostFileError("not UTF-8 text") from None
    except FrontMatterError as error:
        raise PostFileError(str(error)) from None
    title = _text(meta, "title").strip()
    if not title:
        raise PostFileError("title is missing")
    if problem := single_line_problem(title):
        raise PostFileError(f"title: {problem}")
    if len(title) > TITLE_MAX:
        raise PostFileError(f"title is longer than {TITLE_MAX} characters")
    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        raise PostFileError("draft must be true or false")
    published_at = _date(meta.get("date"))
    return PostInput(
        title=title,
        body_md=body,
        status=_status(draft, published_at),
        slug=_slug(meta.get("slug"), name),
        tags=_tags(meta.get("tags")),
        excerpt=_text(meta, "excerpt"),
        published_at=published_at,
    )


def _status(draft: bool, published_at: datetime | None) -> str:
    # A future date becomes "scheduled", as in the editor (save_post would move a
    # future "published" date to now): the post goes live at its date, not before.
    if draft:
        return "draft"
    return "scheduled" if published_at and published_at > utcnow() else "published"


def _text(meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PostFileError(f"{key} must be text")
    return str(value)


def _date(value: object) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        with suppress(ValueError):
            value = datetime.fromisoformat(value.strip())
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    else:
        raise PostFileError(f"date {value!r} is not ISO 8601 (2024-05-01T09:30:00Z)")
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _slug(value: object, file_name: str) -> str:
    if value is None:
        slug = slugify(PurePosixPath(file_name).stem)
    elif not isinstance(value, str):
        raise PostFileError(f"slug {value!r} must be text")
    elif problem := slug_problem(value):
        raise PostFileError(f"slug {value!r}: {problem}")
    else:
        slug = value
    if slug in RESERVED_SLUGS:
        raise PostFileError(f"slug {slug!r} is the address of a page of the blog: set another slug")
    return slug


def _tags(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        names = parse_tag_field(value)
    elif isinstance(value, list) and all(isinstance(t, str | int | float) for t in value):
        names = [str(tag) for tag in value]
    else:
        raise PostFileError("tags must be a list or comma-separated text")
    if problem := tag_problem(names):
        raise PostFileError(f"tags: {problem}")
    return names


def write_post_file(post: Post) -> str:
    """The file of `post`, which read_post_file reads back as the same post."""
    meta: dict[str, Any] = {"title": post.title}
    if post.published_at:
        meta["date"] = post.published_at.astimezone(UTC).isoformat(timespec="seconds")
    meta.update(tags=[tag.name for tag in post.tags], slug=post.slug, draft=post.status == "draft")
    if post.excerpt:
        meta["excerpt"] = post.excerpt
    return write_document(meta, post.body_md)
