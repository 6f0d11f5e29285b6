"""The images of an import: the bundle's images that posts show (`image_refs`), and
every image in its `media/` folder (an export's library), brought into the blog's
library and the posts' references rewritten to `![alt](media:<id>)`.

Planning (`ImagePlanner`) reads each image once and says what happens to it:
`new` (checked as an upload is, `library.check_upload`, and counted against the
storage quota), `unchanged` (the blog already has it: the same upload, or a
library image of that name with the same original) or `error`, with the reason
by name. A post's references to a file the bundle lacks, or to one that fails,
stay as written and the post says so in the preview. Applying (`ImageWriter`)
reads the images again from the bundle and refuses one that changed since.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

import yaml
from flask import current_app
from sqlalchemy import select

from inkwell.platform.core.content.posts import Keep
from inkwell.platform.core.content.revisions import Actor
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits.quotas import Budget, QuotaExceeded
from inkwell.platform.core.media import library
from inkwell.platform.core.models import Media, Tenant
from inkwell.platform.core.portability.bundles import BundleFile, BundleFileError, open_bundle
from inkwell.platform.core.portability.image_export import FOLDER, library_names
from inkwell.platform.core.portability.image_refs import Locator, Reference, references, rewrite

NEW, UNCHANGED, ERROR = "new", "unchanged", "error"  # as the post steps' actions


@dataclass(frozen=True)
class ImageStep:
    name: str  # the file, as named in the bundle
    action: str  # NEW, UNCHANGED or ERROR
    digest: str = ""  # SHA-256 of the file
    media_id: int | None = None  # the blog's image it is (UNCHANGED)
    alt: str = ""  # the first alt text a post gives it: the library's alt
    message: str = ""  # why it is not imported


class ImagePlanner:
    """Plans the images of one bundle for the current blog, as posts refer to them."""

    def __init__(
        self,
        tenant: Tenant,
        images: dict[str, BundleFile],
        budget: Budget,
        alt_texts: BundleFile | None = None,
    ) -> None:
        self.tenant, self.files, self.budget = tenant, images, budget
        self.locator = Locator(images)
        self.steps: dict[str, ImageStep] = {}
        self.alts: dict[str, str] = {}  # the first alt text a post gives each image
        self.exported: dict[str, int] | None = None  # this blog's export names, once needed
        # An export's alt texts: then the library's alts come from there alone.
        self.library_alts: dict[str, str] | None = None
        if alt_texts is not None:
            self.library_alts = self._read_alt_texts(alt_texts)

    def _read_alt_texts(self, file: BundleFile) -> dict[str, str]:
        try:
            alts = yaml.safe_load(file.read())
        except (BundleFileError, yaml.YAMLError, UnicodeDecodeError) as error:
            alts = None
            problem = str(error).splitlines()[0]
        else:
            problem = "expected one “file name: alt text” line per image"
        if isinstance(alts, dict) and all(isinstance(v, str) for v in alts.values()):
            return {str(name): alt for name, alt in alts.items()}
        self.steps[file.name] = ImageStep(file.name, ERROR, message=f"not read: {problem}")
        return {}

    def post_body(self, document: str, body: str) -> tuple[str, tuple[str, ...]]:
        """`body` of the file `document` as the import stores it (images the blog
        does not have yet as `media:new-...`), and what the preview says of its images."""
        notes: list[str] = []

        def target(ref: Reference, name: str | None) -> str | None:
            if name is None:
                notes.append(f"“{ref.target}” is not in the bundle")
                return None
            if ref.alt:
                self.alts.setdefault(name, ref.alt)
            step = self.plan(name)
            if step.action == ERROR:
                notes.append(
                    f"“{name}” cannot be imported: its reason is with the files not imported"
                )
                return None
            return f"media:{step.media_id}" if step.media_id else f"media:new-{step.digest[:16]}"

        return _rewritten(body, document, self.locator, target), tuple(dict.fromkeys(notes))

    def cover(self, document: str, path: str | None) -> tuple[str, int | Keep, tuple[str, ...]]:
        """The bundle's image the front matter's cover `path` names ("" if none), the
        cover the post is planned with (0: one imported with it), and a note."""
        if path is None:
            return "", Keep.KEEP, ()
        ref = Reference(0, len(path), "", path)
        name = self.locator.find(ref, document) if ref.local else None
        if name is None:
            return (
                "",
                Keep.KEEP,
                (f"cover “{path}” is not in the bundle: the cover stays as it is",),
            )
        step = self.plan(name)
        if step.action == ERROR:
            problem = f"cover “{name}” cannot be imported: the cover stays as it is"
            return "", Keep.KEEP, (problem,)
        return name, step.media_id or 0, ()

    def plan(self, name: str) -> ImageStep:
        if name not in self.steps:
            self.steps[name] = self._step(name)
        return self.steps[name]

    def _step(self, name: str) -> ImageStep:
        try:
            data = self.files[name].read(current_app.config["MEDIA_MAX_BYTES"])
            digest = hashlib.sha256(data).hexdigest()
            if (held := self._held(name, data, digest)) is not None:
                return ImageStep(name, UNCHANGED, digest, held)
            library.check_upload(PurePosixPath(name).name, data)
            if digest not in {s.digest for s in self.steps.values()}:  # stored once
                self.budget.store(len(data))
        except (BundleFileError, library.MediaRefused, QuotaExceeded) as refused:
            return ImageStep(name, ERROR, message=str(refused))
        return ImageStep(name, NEW, digest)

    def _held(self, name: str, data: bytes, digest: str) -> int | None:
        """The id of the blog's image this file is: the same upload, or the image an
        export of this blog names so, if its original has these bytes."""
        same = db.session.scalar(select(Media.id).where(Media.content_hash == digest))
        if same is not None:
            return same
        if self.exported is None:
            self.exported = {n: i for i, n in library_names(self.tenant).items()}
        media = db.session.get(Media, self.exported.get(PurePosixPath(name).name, 0))
        if media is None:
            return None
        try:
            original = library.area(self.tenant).read(library.original_name(media))
        except FileNotFoundError:
            return None
        return media.id if original == data else None

    def library_folder(self) -> None:
        """Plan every image in the bundle's `media/` folder, shown by a post or not."""
        for name in sorted(self.files):
            if name.startswith(FOLDER):
                self.plan(name)

    def result(self) -> list[ImageStep]:
        """The planned images, by name, with their alt text in the library: an
        export's, else the first a post gives them."""
        steps = [self.steps[name] for name in sorted(self.steps)]
        return [replace(step, alt=self._alt(step.name)) for step in steps]

    def _alt(self, name: str) -> str:
        if self.library_alts is None:
            return self.alts.get(name, "")
        return (
            self.library_alts.get(name.removeprefix(FOLDER), "") if name.startswith(FOLDER) else ""
        )


def _rewritten(
    body: str,
    document: str,
    locator: Locator,
    target: Callable[[Reference, str | None], str | None],
) -> str:
    """`body` of the file `document` with each image in the bundle (or missing from
    it) pointing at `target(ref, its name or None)`, or as written where that is None."""

    def change(ref: Reference) -> str | None:
        if not ref.local:
            return None
        new = target(ref, locator.find(ref, document))
        return None if new is None else ref.with_target(body, new)

    return rewrite(body, references(body), change)


class ImageWriter:
    """Brings the planned new images into the library, each once, then points
    posts at them (`post_body`)."""

    def __init__(self, tenant: Tenant, author_id: int | None, budget: Budget) -> None:
        self.tenant, self.budget = tenant, budget
        self.actor = Actor("import", author_id)
        self.ids: dict[str, str] = {}  # bundle name -> media:<id>
        self.locator = Locator(())

    def write(
        self, bundle: Path, names: tuple[str, ...], steps: list[ImageStep]
    ) -> list[tuple[str, str]]:
        """Import the NEW `steps` from `bundle` (whose images are `names`); the errors."""
        self.locator = Locator(names)
        self.ids = {s.name: f"media:{s.media_id}" for s in steps if s.action == UNCHANGED}
        new = [s for s in steps if s.action == NEW]
        errors: list[tuple[str, str]] = []
        if not new:
            return errors
        stored: set[str] = set()
        with open_bundle(bundle) as files:
            for step in new:
                try:
                    media = self._one(step, files.images.get(step.name), step.digest in stored)
                except (BundleFileError, library.MediaRefused, QuotaExceeded) as refused:
                    errors.append((step.name, str(refused)))
                    continue
                stored.add(step.digest)
                self.ids[step.name] = f"media:{media.id}"
        return errors

    def _one(self, step: ImageStep, file: BundleFile | None, stored: bool) -> Media:
        data = file.read(current_app.config["MEDIA_MAX_BYTES"]) if file else b""
        if hashlib.sha256(data).hexdigest() != step.digest:
            raise BundleFileError("the file changed since the preview: import it again")
        if not stored:
            self.budget.store(len(data))
        name = PurePosixPath(step.name).name
        return library.accept_upload(self.tenant, name, data, self.actor, alt=step.alt)

    def cover(self, name: str) -> int | Keep:
        """The id of the image the bundle's `name` became (KEEP if it failed)."""
        reference = self.ids.get(name)
        return int(reference.removeprefix("media:")) if reference else Keep.KEEP

    def post_body(self, document: str, body: str) -> str:
        """`body` of the file `document` pointing at the images now in the library."""
        return _rewritten(body, document, self.locator, lambda _ref, name: self.ids.get(name or ""))
