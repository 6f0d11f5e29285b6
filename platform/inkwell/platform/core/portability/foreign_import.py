"""Store what a `foreign.ForeignReader` reads (a WordPress, Ghost, Substack or Bear
export) as the blog's posts, through the editor's one way in:
`content.post_input.clean_post_input`, then `content.posts.save_post`.

- Identity: a post is found again by `ForeignPost.uuid`; if nothing it would
  change differs it is unchanged (nothing written, no revision), else replaced
  (its history keeps the version before). Importing the same file twice, or
  resuming a stopped import, never makes a second copy.
- HTML bodies and excerpts become Markdown (markdownify, ATX headings).
- Author: the member whose email the post names, else its name as the post's
  byline (`Post.byline`: shown, no account), else the importer.
- Times: created and updated as the export has them (`post_identity`), the
  publish time as given; a scheduled post whose time has passed is published.
- A slug another post of the blog has (or an old address of one) gets a suffix,
  and the report says so; a slug this blog cannot have is made from its text.
- Old addresses (`ForeignPost.old_paths`: "/2019/05/slug/", "/p/slug", "/?p=12")
  become the post's aliases (`content.aliases.keep_old_slugs`: 301s and mirror
  redirects); those the blog refuses are notes, never a reason to drop the post.
- Quota (`limits.quotas.Budget`): the first post over a limit stops the import,
  reported. Each post is whole or absent: every refusal (quota, tags, slug, input)
  comes before it changes anything, and any other failure rolls back the batch
  since the last commit, which records how far the import got (`report.done`,
  the caller's progress, every BATCH_SIZE entries). No savepoints: SQLite's
  driver would commit at the first RELEASE.
- Images: `localize(post) -> (post, notes)` may fetch them into the media library
  and rewrite the post (`remote_images`; a fetched cover is `cover_url="media:<id>"`);
  without it they stay at their remote addresses, counted.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from markdownify import markdownify
from sqlalchemy import select

from inkwell.platform.core import tenancy
from inkwell.platform.core.content import aliases
from inkwell.platform.core.content.post_input import PostInputError, clean_post_input
from inkwell.platform.core.content.posts import PostInput, changed_fields, save_post, unique_slug
from inkwell.platform.core.content.revisions import IMPORT
from inkwell.platform.core.content.slugs import slugify
from inkwell.platform.core.content.tags import TagError
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits.quotas import Budget, QuotaExceeded
from inkwell.platform.core.models import Post, Tenant
from inkwell.platform.core.portability.foreign import ForeignPost, ForeignReader, Skipped
from inkwell.platform.core.portability.post_identity import (
    IdentityError,
    PostIdentity,
    byline_of,
    keep_byline,
    keep_updated,
    member_ids,
    new_post,
)
from inkwell.platform.core.validation import normalize_email, slug_problem

BATCH_SIZE = 50  # entries between commits: the progress a crash can lose at most
REPORT_LINES = 300  # skipped entries and notes listed; past that only counted
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
UNTITLED = "Untitled"
_REMOTE_IMAGE = re.compile(r"!\[[^\]]*\]\((https?://[^)\s]+)")

Localize = Callable[[ForeignPost], tuple[ForeignPost, list[str]]]


@dataclass
class ForeignReport:
    """What an import did so far; kept as JSON on its job (`as_json`, `from_json`)."""

    done: int = 0  # entries of the reader handled: where a resumed import goes on
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # kind -> count (comments too)
    images_not_fetched: int = 0
    lines: list[list[str]] = field(default_factory=list)  # [ref, what happened], bounded
    more_lines: int = 0
    stopped: str = ""  # why the import stopped before the end (a quota)

    def note(self, ref: str, text: str) -> None:
        if len(self.lines) < REPORT_LINES:
            self.lines.append([ref, text])
        else:
            self.more_lines += 1

    def skip(self, kind: str, reason: str, ref: str) -> None:
        self.skipped[kind] = self.skipped.get(kind, 0) + 1
        if kind != "comment":  # counted only: a blog can have thousands
            self.note(ref, f"skipped ({kind}): {reason}")

    @property
    def comments(self) -> int:
        return self.skipped.get("comment", 0)

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> "ForeignReport":
        return cls(**(data or {}))


def import_foreign(
    tenant: Tenant,
    author_id: int | None,
    reader: ForeignReader,
    report: ForeignReport | None = None,
    localize: Localize | None = None,
    on_commit: Callable[[ForeignReport], None] | None = None,
) -> ForeignReport:
    """Import what `reader` yields into `tenant`, posts by `author_id` unless their
    author is a member; go on after the `report.done` entries a previous run
    handled. `on_commit(report)` runs before each commit (a job records its
    progress in the same transaction). Raises ForeignFormatError when the file
    cannot be read, before anything of it is written."""
    report = report or ForeignReport()
    with tenancy.tenant_scope(tenant.id):
        writer = _Writer(tenant, author_id, localize)
        for position, entry in _from(reader.items(), report.done):
            try:
                outcome = writer.entry(entry, report)
            except QuotaExceeded as refused:
                report.stopped = f"{refused} Stopped at {entry.source_ref or position + 1}."
                break
            report.done = position + 1
            if outcome:
                setattr(report, outcome, getattr(report, outcome) + 1)
            if report.done % BATCH_SIZE == 0:
                _commit(report, on_commit)
        _commit(report, on_commit)
    return report


def _from(items: Iterator[ForeignPost | Skipped], start: int) -> Iterator[tuple[int, Any]]:
    for position, entry in enumerate(items):
        if position >= start:
            yield position, entry


def _commit(report: ForeignReport, on_commit: Callable[[ForeignReport], None] | None) -> None:
    if on_commit is not None:
        on_commit(report)
    db.session.commit()


class _Writer:
    def __init__(self, tenant: Tenant, author_id: int | None, localize: Localize | None) -> None:
        self.tenant, self.author_id, self.localize = tenant, author_id, localize
        self.members = member_ids(tenant)
        self.budget = Budget(tenant.id)

    def entry(self, entry: ForeignPost | Skipped, report: ForeignReport) -> str | None:
        """Write one entry; its outcome (CREATED, UPDATED, UNCHANGED) or None if skipped.
        QuotaExceeded leaves the blog as it was before this entry."""
        if isinstance(entry, Skipped):
            report.skip(entry.kind, entry.reason, entry.source_ref)
            return None
        notes = list(entry.notes)
        if self.localize is not None:
            entry, unfetched = self.localize(entry)  # a note per image it could not bring
            notes += unfetched
            report.images_not_fetched += len(unfetched)
        try:
            outcome = self.post(entry, notes, report)
        except (PostInputError, TagError, aliases.SlugTaken) as refused:
            report.skip("post", str(refused), entry.source_ref)
            return None
        for text in notes:
            report.note(entry.source_ref, text)
        return outcome

    def post(self, entry: ForeignPost, notes: list[str], report: ForeignReport) -> str:
        found = db.session.scalar(select(Post).where(Post.uuid == entry.uuid))
        data = clean_post_input(self.post_input(entry, found, notes))
        author_id = self.members.get(normalize_email(entry.author_email or ""))
        if self.localize is None:
            report.images_not_fetched += self.remote_images(entry, data, notes)
        if found is not None and not changed_fields(found, data):
            return UNCHANGED
        used = dict(self.budget.used)
        try:
            if found is None:
                self.budget.add("posts")
            self.save(found, entry, data, author_id, notes)
        except (QuotaExceeded, TagError, aliases.SlugTaken):
            self.budget.used = used  # refused before it changed anything: it counts no more
            raise
        return UPDATED if found is not None else CREATED

    def post_input(self, entry: ForeignPost, found: Post | None, notes: list[str]) -> PostInput:
        as_markdown = entry.body_format == "html"
        title = entry.title.strip()
        if not title:
            title = UNTITLED
            notes.append(f"it has no title: imported as “{UNTITLED}”")
        return PostInput(
            title=title,
            body_md=html_to_markdown(entry.body) if as_markdown else entry.body,
            status=entry.status,
            slug=self.slug(entry, title, found, notes),
            tags=list(entry.tags),
            excerpt=html_to_markdown(entry.excerpt) if as_markdown else entry.excerpt,
            published_at=entry.published_at,
            old_slugs=entry.old_paths or None,
            is_page=entry.is_page,
            cover_media_id=_cover(entry),
        )

    def slug(self, entry: ForeignPost, title: str, found: Post | None, notes: list[str]) -> str:
        """Its slug there if this blog can have it, else one made from it or the title;
        suffixed when another post has it (noted)."""
        wanted = entry.slug.strip().lower()
        if not wanted or slug_problem(wanted):
            wanted = slugify(entry.slug or title)
        own = found.id if found is not None else None
        if aliases.slug_problem(wanted, own) is None:
            return wanted
        free = unique_slug(wanted, exclude_id=own)
        if found is None or found.slug != free:
            notes.append(f"/{wanted}/ is taken in this blog: imported at /{free}/")
        return free

    def save(
        self,
        found: Post | None,
        entry: ForeignPost,
        data: PostInput,
        author_id: int | None,
        notes: list[str],
    ) -> None:
        byline = None if author_id is not None else _byline(entry.author_name)
        identity = PostIdentity(entry.uuid, entry.created_at, entry.updated_at, byline=byline)
        post = found or new_post(identity, author_id, self.author_id)
        shown_at = post.content_updated_at
        without_paths = replace(data, old_slugs=None)
        save_post(post, self.tenant, without_paths, self.budget.store, actor=IMPORT, kind="import")
        if author_id is not None:
            post.author_id = author_id
        keep_byline(post, identity)
        keep_updated(post, identity, found is not None and post.content_updated_at != shown_at)
        db.session.flush()
        refused = aliases.keep_old_slugs(post, data.old_slugs)
        notes += [f"old address not kept: {problem}" for problem in refused]

    def remote_images(self, entry: ForeignPost, data: PostInput, notes: list[str]) -> int:
        """How many images of the post stay at another site's address (noted)."""
        cover = [entry.cover_url] if entry.cover_url and _cover(entry) is None else []
        urls = _REMOTE_IMAGE.findall(data.body_md) + cover
        if urls:
            notes.append(f"{len(urls)} images not fetched, still at their old addresses")
        return len(urls)


def _cover(entry: ForeignPost) -> int | None:
    """The library image a localized post's cover became, if it did."""
    found = re.fullmatch(r"media:(\d+)", entry.cover_url or "")
    return int(found[1]) if found else None


def _byline(name: str | None) -> str | None:
    """The author's name as a byline; none for a name a byline cannot be (an email)."""
    try:
        return byline_of(name)
    except IdentityError:
        return None


def html_to_markdown(html: str) -> str:
    """`html` as Markdown: ATX headings, `-` bullets, no HTML comments (WordPress's
    block markers), trailing blank lines gone."""
    if not html.strip():
        return ""
    text = markdownify(html, heading_style="ATX", bullets="-", strip=["script", "style"])
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
