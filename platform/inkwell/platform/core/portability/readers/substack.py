"""Substack's export zip (Settings → Exports): `posts.csv`, a row per post
(post_id as "<number>.<slug>", post_date, is_published, type, audience, title,
subtitle, ...), and each post's body as `posts/<post_id>.html`.

The zip is read through `bundles.open_zip`, under an import bundle's rules
(nothing outside it, sizes capped from the declared sizes and again while
reading, so a zip bomb stops at the cap). Newsletters and podcasts (their show
notes; the audio stays on Substack) are posts; discussion threads are not. An
unpublished post is a draft. A post's old address is `/p/<slug>`; the subtitle
is its excerpt. Paid posts are imported whole: the export has their full text.
"""

import io
from collections.abc import Iterator
from pathlib import Path

from inkwell.platform.core.portability.bundles import (
    BundleError,
    BundleFile,
    BundleFileError,
    open_zip,
)
from inkwell.platform.core.portability.foreign import (
    ForeignFormatError,
    ForeignPost,
    Skipped,
    foreign_uuid,
)
from inkwell.platform.core.portability.readers.csv_text import CsvRow, csv_rows
from inkwell.platform.core.portability.readers.times import parse_time

POSTS_CSV = "posts.csv"
CSV_MAX_BYTES = 50 * 1024 * 1024  # ~200 bytes a row: far more posts than any newsletter has
_POST_TYPES = ("newsletter", "podcast")


class SubstackReader:
    format = "substack"

    def __init__(self, path: Path) -> None:
        self.path = path

    def items(self) -> Iterator[ForeignPost | Skipped]:
        """Each row of posts.csv, with its body, in the file's order."""
        try:
            with open_zip(self.path, frozenset([".csv", ".html"])) as files:
                listing = _listing(files)
                rows = csv_rows(io.BytesIO(_read(listing, CSV_MAX_BYTES)), listing.name)
                folder = listing.name.removesuffix(POSTS_CSV)
                for row in rows:
                    yield self._post(row, files, folder)
        except BundleError as error:
            raise ForeignFormatError(str(error)) from None

    def _post(
        self, row: CsvRow, files: dict[str, BundleFile], folder: str
    ) -> ForeignPost | Skipped:
        values = row.values
        post_id = values.get("post_id", "").strip()
        ref = f"posts.csv line {row.line}" + (f" ({post_id})" if post_id else "")
        if problem := _problem(row, post_id):
            return Skipped("post", problem, ref)
        kind = values.get("type", "").strip() or "newsletter"
        if kind not in _POST_TYPES:
            return Skipped(kind, f"a Substack {kind}, not a post", ref)
        body = files.get(f"{folder}posts/{post_id}.html")
        if body is None:
            return Skipped("post", f"its text, posts/{post_id}.html, is not in the zip", ref)
        try:
            html = body.read().decode("utf-8-sig")
            published_at = parse_time(values.get("post_date"))
        except BundleFileError as error:
            return Skipped("post", f"posts/{post_id}.html cannot be read: {error}", ref)
        except UnicodeDecodeError:
            return Skipped("post", f"posts/{post_id}.html is not UTF-8 text", ref)
        except ValueError as error:
            return Skipped("post", f"its post_date cannot be read: {error}", ref)
        published = values.get("is_published", "").strip().lower() == "true"
        slug = post_id.partition(".")[2]
        return ForeignPost(
            uuid=foreign_uuid("substack", post_id.partition(".")[0]),
            title=values.get("title", "").strip(),
            body=html,
            body_format="html",
            status="published" if published else "draft",
            slug=slug,
            published_at=published_at if published else None,
            created_at=published_at,
            excerpt=values.get("subtitle", "").strip(),
            old_paths=(f"/p/{slug}",) if slug else (),
            source_ref=ref,
        )


def _listing(files: dict[str, BundleFile]) -> BundleFile:
    """posts.csv, at the zip's top or in its one folder."""
    found = sorted((f for f in files.values() if f.name.split("/")[-1] == POSTS_CSV), key=_depth)
    if not found or _depth(found[0]) > 1:
        raise ForeignFormatError(
            f"no {POSTS_CSV} in the zip: a Substack export has {POSTS_CSV} and a posts/ folder"
        )
    return found[0]


def _depth(file: BundleFile) -> int:
    return file.name.count("/")


def _read(file: BundleFile, limit: int) -> bytes:
    try:
        return file.read(limit)
    except BundleFileError as error:
        raise ForeignFormatError(f"{file.name} cannot be read: {error}") from None


def _problem(row: CsvRow, post_id: str) -> str:
    if row.problem:
        return row.problem
    if row.bad_text:
        return "it holds text that is not UTF-8"
    if not post_id or "/" in post_id or post_id.startswith("."):
        return "no post_id (expected “<number>.<slug>”)"
    return ""
