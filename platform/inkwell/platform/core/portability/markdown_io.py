"""Import and export a blog's posts as a bundle of Markdown files (see `post_files`).

An import is a plan, then its execution: `plan_import` reads the bundle and says
what each file will do (a new post or snippet, one that replaces the current
version and which fields change, unchanged, or an error and why) without writing
anything; `apply_import` executes exactly that plan. `import_markdown` is both,
so a preview (`inkwell import markdown --dry-run`, the dashboard's Import) shows
what the same code then applies. A bad file is reported by name and never stops
the others. A new post's slug that is an old address of another post is such an
error: the old address keeps leading where it does until someone removes it in
that post's editor. Export writes the same format, so an export imports into another
blog as the same posts.
"""

import hashlib
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from inkwell.platform.core import tenancy
from inkwell.platform.core.content import aliases
from inkwell.platform.core.content.aliases import slug_problem
from inkwell.platform.core.content.posts import PostInput, changed_fields, save_post
from inkwell.platform.core.content.revisions import IMPORT
from inkwell.platform.core.content.snippets import (
    SnippetInput,
    UnknownLanguageError,
    lexer_for,
    save_snippet,
)
from inkwell.platform.core.database import refresh_statistics
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits.quotas import Budget, QuotaExceeded
from inkwell.platform.core.models import Post, Snippet, Tenant
from inkwell.platform.core.portability import (
    custom_css_files,
    image_export,
    navigation_files,
    settings_files,
    subscriber_files,
)
from inkwell.platform.core.portability.bundles import (
    Bundle,
    BundleFile,
    BundleFileError,
    open_bundle,
)
from inkwell.platform.core.portability.image_import import ImagePlanner, ImageStep, ImageWriter
from inkwell.platform.core.portability.post_files import (
    PostFileError,
    read_post_file,
    write_post_file,
)
from inkwell.platform.core.portability.post_identity import (
    PostIdentity,
    deleted_uuids,
    free_identity,
    keep_byline,
    keep_updated,
    member_ids,
    new_post,
    unmatched_author,
)
from inkwell.platform.core.portability.snippet_files import (
    SnippetFileError,
    read_snippet_file,
    write_snippet_file,
)

POSTS_DIR = "posts/"
SNIPPETS_DIR = "snippets/"
# Commit every so many written posts: one commit per post makes a large import slow,
# one for all holds every row of it in a single transaction.
BATCH_SIZE = 200
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
NEW, REPLACE, UNCHANGED, ERROR = ACTIONS = ("new", "replace", "unchanged", "error")


@dataclass(frozen=True)
class Step:
    """What the import does with one file of the bundle."""

    name: str  # the file, as named in the bundle
    action: str  # NEW, REPLACE, UNCHANGED or ERROR
    data: PostInput | SnippetInput | None = None  # what it writes (None: an error)
    changes: tuple[str, ...] = ()  # the fields a replacement changes
    message: str = ""  # why the file is not imported
    was: str = ""  # the title the replaced post or snippet has now
    source: str = ""  # the body as the file has it, when it shows images of the bundle
    cover: str = ""  # the bundle's image that is its cover
    notes: tuple[str, ...] = ()  # its images that stay as written, and why
    # Its UUID, times and author, as the file says.
    identity: PostIdentity = field(default_factory=PostIdentity)
    author_id: int | None = None  # the member its author's email names

    @property
    def is_snippet(self) -> bool:
        return isinstance(self.data, SnippetInput)


@dataclass
class ImportPlan:
    steps: list[Step] = field(default_factory=list)
    images: list[ImageStep] = field(default_factory=list)
    bundle: Path | None = None  # where apply_import reads the images again
    image_names: tuple[str, ...] = ()  # every image file of the bundle
    custom_css: str | None = None  # the bundle's custom.css, when it changes the blog's
    navigation: list[dict[str, Any]] | None = None  # navigation.yaml's links, when they change
    settings: settings_files.SettingsPlan | None = None  # its settings.yaml, when it changes any
    subscribers: str | None = None  # its subscribers.csv, for an owner's import

    def of(self, action: str, snippets: bool = False) -> list[Step]:
        """The steps doing `action`, to posts (or to snippets); errors of both."""
        if action == ERROR:
            return [step for step in self.steps if step.action == ERROR]
        return [s for s in self.steps if s.action == action and s.is_snippet == snippets]

    def digest(self) -> str:
        """Changes whenever the plan would do anything else: a preview confirmed with
        it applies only if planning again gives the same."""
        seen = [(s.name, s.action, s.changes, s.message, repr(s.data)) for s in self.steps]
        planned = (
            seen, self.images, self.custom_css, self.navigation, self.settings, self.subscribers
        )  # fmt: skip
        return hashlib.sha256(repr(planned).encode()).hexdigest()


@dataclass
class ImportReport:
    images: int = 0  # images brought into the library
    subscribers: int = 0  # addresses added from its subscribers.csv
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file name, message)


def import_markdown(tenant: Tenant, author_id: int | None, bundle: Path) -> ImportReport:
    """Import the posts and snippets of the folder or zip `bundle` into `tenant`, new
    ones by `author_id`: `apply_import(plan_import(...))`.
    Raises bundles.BundleError when the bundle itself cannot be read."""
    return apply_import(tenant, author_id, plan_import(tenant, bundle))


def plan_import(tenant: Tenant, bundle: Path, owner: bool = True) -> ImportPlan:
    """What importing `bundle` into `tenant` would do, file by file; writes nothing.
    `owner`: whether its settings.yaml may change the blog's and its subscribers.csv
    add subscribers (only owners may).

    Posts and snippets match by slug. The blog's post and snippet limits are
    counted here: the first new file over one is an error, and every file after
    it is not imported (so importing again once the limit allows finishes it).
    Raises bundles.BundleError when the bundle itself cannot be read."""
    with tenancy.tenant_scope(tenant.id), open_bundle(bundle) as files:
        planner, stopped = _Planner(tenant, files), ""
        plan = ImportPlan(bundle=bundle, image_names=tuple(sorted(files.images)))
        for file in files.documents:
            if stopped:
                plan.steps.append(Step(file.name, ERROR, message=f"not imported: {stopped}"))
                continue
            step = planner.step(file)
            if step.action == NEW:
                try:
                    planner.budget.add("snippets" if step.is_snippet else "posts")
                except QuotaExceeded as refused:
                    stopped = str(refused)
                    step = Step(file.name, ERROR, message=stopped)
            plan.steps.append(step)
        planner.images.library_folder()
        plan.images = planner.images.result()
        plan.custom_css, refused = custom_css_files.planned(tenant, files.custom_css)
        if refused:
            plan.steps.append(Step(custom_css_files.NAME, ERROR, message=refused))
        plan.navigation, refused = navigation_files.planned(tenant, files.navigation)
        if refused:
            plan.steps.append(Step(navigation_files.NAME, ERROR, message=refused))
        brought = {s.name: s.media_id for s in plan.images if s.action != ERROR}
        plan.settings, problems = settings_files.planned(tenant, files.settings, brought)
        if plan.settings is not None and not owner:
            plan.settings, problems = None, [settings_files.OWNERS_ONLY]
        plan.steps += [Step(settings_files.NAME, ERROR, message=p) for p in problems]
        plan.subscribers, refused = subscriber_files.planned(files.subscribers, owner)
        if refused:
            plan.steps.append(Step(subscriber_files.NAME, ERROR, message=refused))
        return plan


class _Planner:
    """The blog's posts and snippets by slug, which file set each slug, and the
    limits the new ones count against."""

    def __init__(self, tenant: Tenant, bundle: Bundle) -> None:
        self.posts = {
            p.slug: p for p in db.session.scalars(select(Post).options(selectinload(Post.tags)))
        }
        self.snippets = {s.slug: s for s in db.session.scalars(select(Snippet))}
        self.sources: dict[str, str] = {}  # slug, uuid, post -> the file that set it
        self.by_uuid = {p.uuid: p for p in self.posts.values()}
        self.members = member_ids(tenant)
        self.deleted = deleted_uuids(tenant)
        self.budget = Budget(tenant.id)
        self.images = ImagePlanner(tenant, bundle.images, self.budget, bundle.alt_texts)

    def step(self, file: BundleFile) -> Step:
        if file.name.startswith(SNIPPETS_DIR):
            return self.snippet(file)
        try:
            data, cover_path, identity = read_post_file(file.name, file.read())
            post = self.matching_post(file.name, data.slug, identity)
        except (BundleFileError, PostFileError) as error:
            return Step(file.name, ERROR, message=str(error))
        if post is None and (problem := slug_problem(data.slug, None)):
            return Step(file.name, ERROR, message=f"not imported: {problem}")
        identity, uuid_notes = (identity, []) if post else free_identity(identity, self.deleted)
        body, notes = self.images.post_body(file.name, data.body_md)
        cover, cover_id, cover_notes = self.images.cover(file.name, cover_path)
        source = data.body_md if body != data.body_md else ""
        data = replace(data, body_md=body, cover_media_id=cover_id)
        author_id, author_notes = self.author(identity)
        extra = {"source": source, "cover": cover, "identity": identity, "author_id": author_id}
        extra["notes"] = notes + cover_notes + author_notes + tuple(uuid_notes)
        if post is None:
            return Step(file.name, NEW, data, **extra)
        changes = tuple(changed_fields(post, data))
        if author_id is not None and author_id != post.author_id:
            changes += ("author",)
        if identity.byline and identity.byline != post.byline:
            changes += ("byline",)
        action = REPLACE if changes else UNCHANGED
        return Step(file.name, action, data, changes, was=post.title, **extra)

    def matching_post(self, name: str, slug: str, identity: PostIdentity) -> Post | None:
        """The blog's post the file is: by its UUID (so a renamed post is still the
        same post), else by its slug; PostFileError if the two disagree or another
        file of the bundle is the same post."""
        for key, value in (("slug", slug), ("uuid", identity.uuid)):
            if value is not None and (source := self.claim(f"{key}:{value}", name)):
                raise PostFileError(f"{key} {str(value)!r} is also set by {source}")
        by_slug = self.posts.get(slug)
        by_uuid = self.by_uuid.get(identity.uuid) if identity.uuid else None
        if by_uuid is not None and by_slug is not None and by_uuid is not by_slug:
            raise PostFileError(
                f"uuid {str(identity.uuid)!r} is the post {by_uuid.slug!r}, but slug"
                f" {slug!r} is another post of this blog: rename one of them first"
            )
        post = by_uuid or by_slug
        # One renaming a post while another takes its old slug: both would be that post.
        if post is not None and (source := self.claim(f"post:{post.id}", name)):
            raise PostFileError(f"the post {post.slug!r} is also {source}")
        return post

    def claim(self, key: str, name: str) -> str | None:
        """The other file that already set `key` (a slug, UUID or post), else None."""
        source = self.sources.setdefault(key, name)
        return source if source != name else None

    def author(self, identity: PostIdentity) -> tuple[int | None, tuple[str, ...]]:
        """The member the file's author is, or a note that they are none."""
        if identity.author is None:
            return None, ()
        user_id = self.members.get(identity.author)
        return user_id, tuple(unmatched_author(identity, user_id))

    def snippet(self, file: BundleFile) -> Step:
        try:
            data = read_snippet_file(file.name, file.read())
            if data.language:
                lexer_for(data.language)  # what save_snippet would refuse
        except (BundleFileError, SnippetFileError, UnknownLanguageError) as error:
            return Step(file.name, ERROR, message=str(error))
        snippet = self.snippets.get(data.slug)
        if snippet is None:
            return Step(file.name, NEW, data)
        now = {"title": snippet.title, "code": snippet.code, "language": snippet.language}
        changes = tuple(name for name, value in now.items() if getattr(data, name) != value)
        return Step(file.name, REPLACE if changes else UNCHANGED, data, changes, snippet.title)


def apply_import(tenant: Tenant, author_id: int | None, plan: ImportPlan) -> ImportReport:
    """Carry out `plan` in `tenant`, new posts by `author_id`.

    Storage is charged as the import goes (`limits.quotas.Budget`): the first file
    over the limit stops it, the files before stay (each post whole), and it and
    every later file are reported. Commits every BATCH_SIZE writes."""
    report = ImportReport()
    with tenancy.tenant_scope(tenant.id):
        run = _Apply(tenant, author_id)
        report.errors += [(s.name, s.message) for s in plan.images if s.action == ERROR]
        if plan.bundle is not None:
            report.errors += run.images.write(plan.bundle, plan.image_names, plan.images)
        report.images = sum(s.name in run.images.ids for s in plan.images if s.action == NEW)
        if plan.custom_css is not None:
            custom_css_files.store(tenant, plan.custom_css)
        if plan.settings is not None:
            icon = run.images.cover(plan.settings.icon) if plan.settings.icon else None
            settings_files.store(tenant, plan.settings, icon if isinstance(icon, int) else None)
        stopped, pending = "", 0
        for step in plan.steps:
            if step.action == ERROR:
                report.errors.append((step.name, step.message))
            elif step.action == UNCHANGED:
                report.skipped += 1
            elif stopped:
                report.errors.append((step.name, f"not imported: {stopped}"))
            else:
                try:
                    report.errors.extend((step.name, note) for note in run.write(step))
                except QuotaExceeded as refused:
                    stopped = str(refused)
                    report.errors.append((step.name, stopped))
                    continue
                report.created += step.action == NEW
                report.updated += step.action == REPLACE
                pending += 1
            if pending >= BATCH_SIZE:
                db.session.commit()
                pending = 0
        if plan.subscribers is not None:
            added = subscriber_files.store(tenant, plan.subscribers)
            report.subscribers = added.added
            report.errors += [(subscriber_files.NAME, problem) for problem in added.problems]
        if plan.navigation is not None:  # after the posts: its pages may be among them
            notes = navigation_files.store(tenant, plan.navigation)
            report.errors += [(navigation_files.NAME, note) for note in notes]
        db.session.commit()
    if report.created + report.updated >= BATCH_SIZE:
        refresh_statistics()
    return report


class _Apply:
    """Writes planned steps through save_post and save_snippet, like the editor."""

    def __init__(self, tenant: Tenant, author_id: int | None) -> None:
        self.tenant, self.author_id = tenant, author_id
        self.posts = {p.slug: p for p in db.session.scalars(select(Post))}
        self.by_uuid = {p.uuid: p for p in self.posts.values()}
        self.snippets = {s.slug: s for s in db.session.scalars(select(Snippet))}
        self.budget = Budget(tenant.id)
        self.images = ImageWriter(tenant, author_id, self.budget)

    def write(self, step: Step) -> list[str]:
        """QuotaExceeded before anything of this step changes; what was not kept."""
        if isinstance(step.data, SnippetInput):
            snippet = self.snippets.get(step.data.slug) or Snippet()
            save_snippet(snippet, self.tenant, step.data, self.budget.store)
        elif isinstance(step.data, PostInput):
            data = step.data
            if step.source:  # its images' ids are known now
                data = replace(data, body_md=self.images.post_body(step.name, step.source))
            if step.cover:
                data = replace(data, cover_media_id=self.images.cover(step.cover))
            return self.post(data, step)
        return []

    def post(self, data: PostInput, step: Step) -> list[str]:
        uuid = step.identity.uuid
        found = (self.by_uuid.get(uuid) if uuid else None) or self.posts.get(data.slug)
        saved = found or new_post(step.identity, step.author_id, self.author_id)
        shown_at = saved.content_updated_at
        save_post(saved, self.tenant, data, self.budget.store, actor=IMPORT, kind="import")
        if step.author_id is not None:
            saved.author_id = step.author_id
        keep_byline(saved, step.identity)
        keep_updated(
            saved, step.identity, found is not None and saved.content_updated_at != shown_at
        )
        db.session.flush()
        refused = aliases.keep_old_slugs(saved, data.old_slugs)
        return [f"old address not kept: {problem}" for problem in refused]


def export_markdown(tenant: Tenant, fileobj: IO[bytes], subscribers: bool = False) -> None:
    """Write the posts and snippets of `tenant` to `fileobj` as a zip of Markdown files;
    with `subscribers` (an owner's choice: personal data), its subscribers.csv too."""
    with tenancy.tenant_scope(tenant.id), zipfile.ZipFile(fileobj, "w", zipfile.ZIP_DEFLATED) as zf:
        posts = select(Post).options(selectinload(Post.tags), selectinload(Post.author))
        posts = posts.order_by(Post.slug)
        old_slugs = aliases.all_old_slugs()
        images = image_export.library_names(tenant)
        for post in db.session.scalars(posts):
            body = image_export.exported_body(post.body_md, images)
            cover = image_export.cover_path(post, images)
            file = write_post_file(post, old_slugs.get(post.id, []), body, cover)
            _add(zf, f"{POSTS_DIR}{post.slug}.md", file)
        for snippet in db.session.scalars(select(Snippet).order_by(Snippet.slug)):
            _add(zf, f"{SNIPPETS_DIR}{snippet.slug}.md", write_snippet_file(snippet))
        # Images are compressed already: stored as they are.
        image_export.write_images(tenant, images, lambda name, data: _add(zf, name, data, False))
        if (css := custom_css_files.exported(tenant)) is not None:
            _add(zf, custom_css_files.NAME, css)
        if (links := navigation_files.exported(tenant)) is not None:
            _add(zf, navigation_files.NAME, links)
        _add(zf, settings_files.NAME, settings_files.exported(tenant, images))
        if subscribers:
            _add(zf, subscriber_files.NAME, subscriber_files.exported(tenant))


def _add(archive: zipfile.ZipFile, name: str, data: str | bytes, compress: bool = True) -> None:
    """One entry, dated ZIP_EPOCH rather than now: the same blog exports to the same
    bytes, whenever (and an export imported elsewhere exports as it was)."""
    entry = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    entry.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    entry.external_attr = 0o644 << 16
    archive.writestr(entry, data)
