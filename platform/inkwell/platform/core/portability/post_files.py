"""One post as a Markdown file with YAML front matter (see `front_matter`):

    title: required            date: ISO 8601 or YAML date; naive means UTC
    tags: list or "a, b"       slug: default from the file name
    draft: true or false       excerpt: optional
    aliases: the post's old addresses (slugs, paths, ?p=123), which keep leading to it
    cover: the path of its cover image in the bundle (Jekyll's `image` too)
    page: true for a page (`/now/`: in no list), absent for a post
    uuid, created, updated, author: its identity (`post_identity`)

Dates are written in UTC to the microsecond; a never-published draft has none. Tags
are written as a list, so a name with a comma (`Smith, John`) stays one tag; in
the text form such a name is in double quotes, as in the editor. More than
`tags.MAX_TAGS` tags is an error for the file, never a silent cut.
"""

from contextlib import suppress
from datetime import UTC, date, datetime, time
from pathlib import PurePosixPath
from typing import Any

from inkwell.platform.core.content.alias_paths import AliasError, stored_alias
from inkwell.platform.core.content.post_input import PostInputError, clean_post_input
from inkwell.platform.core.content.posts import PostInput, slugify
from inkwell.platform.core.content.tags import parse_tag_field, tag_problem
from inkwell.platform.core.models import Post
from inkwell.platform.core.portability.front_matter import (
    FrontMatterError,
    read_document,
    write_document,
)
from inkwell.platform.core.portability.post_identity import (
    IdentityError,
    PostIdentity,
    exact_time,
    identity_meta,
    read_identity,
)


class PostFileError(ValueError):
    """The file does not describe a post; the message is for the user."""


def read_post_file(name: str, data: bytes) -> tuple[PostInput, str | None, PostIdentity]:
    """What the file `name` with content `data` says, cleaned as the editor cleans it
    (`content.post_input`), the image its `cover` (or Jekyll's `image`) names,
    a path in the bundle, and its identity; PostFileError names what is wrong."""
    try:
        meta, body = read_document(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise PostFileError("not UTF-8 text") from None
    except FrontMatterError as error:
        raise PostFileError(str(error)) from None
    if meta.get("title") is None:
        raise PostFileError("title is missing")
    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        raise PostFileError("draft must be true or false")
    page = meta.get("page", False)
    if not isinstance(page, bool):
        raise PostFileError("page must be true or false")
    try:
        identity = read_identity(meta)
    except IdentityError as error:
        raise PostFileError(str(error)) from None
    given = PostInput(
        title=_text(meta, "title"),
        body_md=body,
        # A date still to come makes it scheduled (clean_post_input), as in the editor.
        status="draft" if draft else "published",
        slug=_slug(meta.get("slug"), name),
        tags=_tags(meta.get("tags")),
        excerpt=_text(meta, "excerpt"),
        published_at=_date(meta.get("date")),
        old_slugs=_aliases(meta.get("aliases")),
        is_page=page,
    )
    try:
        return clean_post_input(given), _cover(meta), identity
    except PostInputError as error:
        raise PostFileError(f"{_field_name(error.field, given)}: {error}") from None


def _field_name(field: str, given: PostInput) -> str:
    """The front matter's name of a PostInput field, with the value for a slug."""
    if field == "slug":
        return f"slug {given.slug!r}"
    return {"body_md": "body", "published_at": "date"}.get(field, field)


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
        return slugify(PurePosixPath(file_name).stem)
    if not isinstance(value, str):
        raise PostFileError(f"slug {value!r} must be text")
    return value


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


def _cover(meta: dict[str, Any]) -> str | None:
    value = meta.get("cover", meta.get("image"))
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise PostFileError("cover must be the path of an image (../media/photo.jpg)")
    return value.strip()


def _aliases(value: object) -> tuple[str, ...] | None:
    """Old addresses, as Hugo writes them (`aliases: [/old-slug/, /2019/05/post/]`),
    and WordPress's `?p=123`, in their stored form (`content.alias_paths`)."""
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PostFileError("aliases must be a list of old addresses")
    stored = []
    for text in value:
        try:
            stored.append(stored_alias(text))
        except AliasError as error:
            raise PostFileError(f"aliases: {text!r}: {error}") from None
    return tuple(dict.fromkeys(stored))


def write_post_file(
    post: Post, old_slugs: list[str] = (), body: str | None = None, cover: str | None = None
) -> str:
    """The file of `post` with its `old_slugs` (and `body` in place of its own: images
    pointing at files of the export; `cover` the path of its cover image), which
    read_post_file reads back as the same post."""
    meta: dict[str, Any] = {"title": post.title}
    if post.published_at:
        meta["date"] = exact_time(post.published_at)
    meta.update(identity_meta(post))
    meta.update(tags=[tag.name for tag in post.tags], slug=post.slug, draft=post.status == "draft")
    if post.excerpt:
        meta["excerpt"] = post.excerpt
    if cover:
        meta["cover"] = cover
    if post.is_page:
        meta["page"] = True
    if old_slugs:
        meta["aliases"] = list(old_slugs)
    return write_document(meta, post.body_md if body is None else body)
