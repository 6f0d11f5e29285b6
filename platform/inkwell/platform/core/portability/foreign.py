"""Posts read from another platform's export, in the one shape every importer yields.

A reader of a foreign format (WordPress WXR, a Ghost JSON export, a Substack zip,
Bear's CSV) turns its file into `ForeignPost`s and `Skipped` notes, streaming:
it never holds the whole export. One writer stores them for every format, so
what an import keeps (identity, times, authors, old addresses, images) is decided
in one place.

Identity: `ForeignPost.uuid` derives from the source and the post's id there, so
importing the same file again (or resuming a crashed import) finds the posts it
already wrote and never writes one twice, and their feed ids stay the same.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol
from uuid import UUID, uuid5

# Fixed forever: changing it would give every imported post a new identity.
_NAMESPACE = UUID("6f1c3c9e-7a4f-4a4b-9a53-2a0f1f6b1c11")

BodyFormat = Literal["markdown", "html"]


def foreign_uuid(source: str, source_id: str) -> UUID:
    """The UUID of the post `source_id` of `source` (the site's URL or the export's
    own id, as the format has one), the same on every run."""
    return uuid5(_NAMESPACE, f"{source}\n{source_id}")


@dataclass(frozen=True)
class ForeignPost:
    """One post or page as the other platform had it."""

    uuid: UUID  # foreign_uuid(source, its id there)
    title: str
    body: str  # in `body_format`; HTML is turned into Markdown by the writer
    body_format: BodyFormat
    status: str  # draft | published | scheduled
    slug: str = ""  # its slug there, when it has one
    published_at: datetime | None = None  # timezone-aware
    created_at: datetime | None = None
    updated_at: datetime | None = None
    tags: tuple[str, ...] = ()  # WordPress categories and tags alike
    excerpt: str = ""
    is_page: bool = False
    author_email: str | None = None  # matched to a member of the blog
    author_name: str | None = None  # kept as a byline when no member matches
    # Its addresses there, as paths of the old site: "/2019/05/slug/", "/p/slug",
    # "/?p=123"; each becomes an old address leading to the imported post.
    old_paths: tuple[str, ...] = ()
    cover_url: str | None = None  # its featured image, an absolute http(s) URL
    source_ref: str = ""  # how the report names it: "post 123", the file's name
    # What the reader changed or could not keep ("private there: imported as a draft").
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Skipped:
    """Something of the export that is not imported, counted in the report:
    comments, attachments, menu items, a post type Inkwell has no place for, or an
    item that cannot be read (`reason` says why)."""

    kind: str  # "comment", "attachment", "post", ...
    reason: str
    source_ref: str = ""


class ForeignReader(Protocol):
    """A format's reader: `items()` yields what the file holds, in file order, and
    raises `ForeignFormatError` when the file as a whole cannot be read."""

    format: str  # "wordpress", "ghost", "substack", "bear"

    def items(self) -> Iterator[ForeignPost | Skipped]: ...


class ForeignFormatError(ValueError):
    """The file as a whole is not an export of the format; the message is for the user."""
