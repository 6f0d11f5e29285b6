"""Bring a blog's mirror in line with a build, uploading only what changed.

The manifest (stored with the mirror) says what every key in the target holds:
a SHA-256 of its bytes and its Content-Type. A built file whose hash and type
match is skipped; the rest upload in an order that keeps the mirror coherent
while it changes: assets first (pages link to them), then pages, then feeds and
the sitemap (they announce pages), the home page last. Keys of the mirror that
the build no longer has are deleted only once every upload succeeded. Pages of
content the blog withdrew (posts, tags, snippets that left it, the database
agreeing) always go, however much of the mirror they are: withdrawn text must
leave every copy. Unless forced, nothing changes when the build lacks a page that
should exist (the home page, the feed, the page of a public post), or when the
other deletes would leave the build implausibly small next to the mirror.
A failure stops the sync, leaves the old mirror serving, and records exactly
which keys already hold new content.

A process can also die mid-sync (killed), recording nothing. So before the
first upload the caller is given the manifest with every key about to change
marked UNKNOWN, to store: whatever the dead sync left in those keys, the next
full sync uploads them again if built and deletes them if not. And `check`
runs before each upload starts and before the deletes: a publish that lost its
lock stops there rather than overwrite what a newer one uploads.
"""

import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inkwell.platform.core.storage.targets import Target
from inkwell.tenants.mirror.freeze import Built

Manifest = dict[str, list[str]]
IMMUTABLE = "public, max-age=31536000, immutable"
ASSETS = "assets/"
IMAGES = "media/"
IMMUTABLE_FOLDERS = (ASSETS, IMAGES)  # content-hashed names: a file there never changes
HOME = "index.html"
ANNOUNCING = (".atom", ".xml", ".txt")  # feeds, sitemap, robots
# The entry of a key whose content is not known: it matches no build, so the key
# is uploaded again if built and deleted if not.
UNKNOWN = ["", ""]


class SyncError(Exception):
    """The sync stopped; `manifest` is what the target holds now."""

    def __init__(self, message: str, manifest: Manifest, report: "Report") -> None:
        super().__init__(message)
        self.manifest, self.report = manifest, report


class Refused(SyncError):
    """Nothing was changed: the build lacks pages, or would have deleted too much."""


@dataclass
class Report:
    to_upload: int = 0
    uploaded: int = 0
    skipped: int = 0
    deleted: int = 0
    bytes: int = 0
    failed: list[str] = field(default_factory=list)


def sync(
    target: Target,
    build: Path,
    files: list[Built],
    manifest: Manifest,
    expected: frozenset[str],
    config: dict[str, Any],
    withdrawn: frozenset[str] = frozenset(),
    missing: frozenset[str] = frozenset(),
    force: bool = False,
    progress: Callable[[Report], None] = lambda _report: None,
    check: Callable[[], None] = lambda: None,
    changing: Callable[[Manifest], None] = lambda _manifest: None,
) -> tuple[Manifest, Report]:
    """Upload `files` (in `build`) that differ from `manifest`, then delete the keys
    not in `expected` (every file the mirror should hold). `withdrawn`: keys of
    content the blog withdrew; `missing`: keys that should exist and `expected`
    lacks. `changing(manifest)` before the first upload: what the target may hold
    from then on; `check()` before each upload and the deletes: raises to stop the sync."""
    report, current = Report(), dict(manifest)
    stale = sorted(set(manifest) - expected)
    if not force and (refusal := _refusal(manifest, expected, withdrawn, missing, config)):
        raise Refused(refusal, current, report)
    changed = []
    for file in files:
        size, digest = _hashed(build / file.path)
        entry = [digest, file.content_type]
        if manifest.get(file.path) == entry:
            report.skipped += 1
        else:
            changed.append((file, size, entry))
    report.to_upload = len(changed)
    progress(report)
    if changed:
        changing({**current, **{file.path: UNKNOWN for file, _size, _entry in changed}})
    for group in _in_order(changed):
        _upload(target, build, group, current, report, config, progress, check)
    if stale:
        try:
            check()
        except Exception as error:
            raise SyncError(f"stale keys not deleted: {error}", current, report) from error
        target.delete(stale)
        for key in stale:
            current.pop(key, None)
        report.deleted = len(stale)
        progress(report)
    return current, report


def _refusal(
    manifest: Manifest,
    expected: frozenset[str],
    withdrawn: frozenset[str],
    missing: frozenset[str],
    config: dict[str, Any],
) -> str:
    """Why the sync must change nothing without force, or "" when it may go on."""
    if missing:
        named = ", ".join(sorted(missing)[:3]) + (", …" if len(missing) > 3 else "")
        return (
            f"the build lacks {len(missing)} of the pages that should exist ({named}): "
            "nothing uploaded or deleted, the mirror serves as before; "
            "a forced publish (inkwell publish --force) goes ahead anyway"
        )
    leaving = withdrawn & manifest.keys()
    unexplained = set(manifest) - expected - leaving
    # The blog's own withdrawals never count: only deletes no content change explains.
    held = len(manifest) - len(leaving)
    if unexplained and len(expected) < config["MIRROR_MIN_KEEP"] * held:
        return (
            f"the build has {len(expected)} files and the mirror {held} besides pages "
            f"of withdrawn content: not deleting {len(unexplained)} keys without a forced "
            "publish (inkwell publish --force)"
        )
    return ""


def cache_control(path: str, config: dict[str, Any]) -> str:
    if path.startswith(IMMUTABLE_FOLDERS):
        return IMMUTABLE
    return f"public, max-age={config['MIRROR_PAGE_MAX_AGE']}"


Upload = tuple[Built, int, list[str]]  # the file, its size, its manifest entry


def _hashed(path: Path) -> tuple[int, str]:
    body = path.read_bytes()
    return len(body), hashlib.sha256(body).hexdigest()


def _in_order(changed: list[Upload]) -> list[list[Upload]]:
    def rank(upload: Upload) -> int:
        path = upload[0].path
        if path.startswith(IMMUTABLE_FOLDERS):
            return 0
        if path == HOME:
            return 3
        return 2 if path.endswith(ANNOUNCING) else 1

    groups: list[list[Upload]] = [[], [], [], []]
    for upload in changed:
        groups[rank(upload)].append(upload)
    return [group for group in groups if group]


def _upload(
    target: Target,
    build: Path,
    group: list[Upload],
    current: Manifest,
    report: Report,
    config: dict[str, Any],
    progress: Callable[[Report], None],
    check: Callable[[], None],
) -> None:
    def one(upload: Upload) -> None:
        file = upload[0]
        check()
        policy = cache_control(file.path, config)
        target.put(file.path, build / file.path, file.content_type, policy, file.redirect)

    error: BaseException | None = None
    with ThreadPoolExecutor(max_workers=config["MIRROR_UPLOAD_THREADS"]) as pool:
        futures = {pool.submit(one, upload): upload for upload in group}
        for future in as_completed(futures):
            if future.cancelled():
                continue
            file, size, entry = futures[future]
            if (failure := future.exception()) is None:
                current[file.path] = entry
                report.uploaded += 1
                report.bytes += size
            else:
                # It may hold its old content, the new or none: upload it again if
                # the next build has it, delete it if not.
                current[file.path] = UNKNOWN
                report.failed.append(file.path)
                if error is None:
                    error = failure
                    for other in futures:
                        other.cancel()
            progress(report)
    if error is not None:
        raise SyncError(f"upload of {report.failed[0]} failed: {error}", current, report)
