"""Publishing a blog's static mirror: freeze the pages a change touched (or all
of them), copy in the images public pages show that the mirror lacks
(`tenants.mirror.images`), sync them to the target, and record progress and
history as a `PublishRun`. One publish per blog at a time (`mirrors.claim`); requests that
arrive meanwhile make one follow-up run of the same loop.

The claim's lease is renewed while the publish runs (`mirrors.Lease`), and the
publish stops when it lost it: before its next upload, its deletes, or its next
write to the blog's mirror row. A publish that claims a blog and finds a run
still "running" knows that run's process died (the lease lapsed): it marks that
run failed ("interrupted") and publishes in full, listing the target, so the
keys the dead one uploaded and never recorded are uploaded again or deleted
(`mirror_sync` stores which keys a sync is about to change before it starts).

`dispatch` starts publishes for open requests: from celery beat it sends a task
per blog to the `publish` queue; in `inkwell scheduler` (no broker) it runs them
in that process.
"""

import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from flask import current_app
from kombu.exceptions import KombuError
from sqlalchemy import update

from inkwell.platform.core import tenancy
from inkwell.platform.core.domains import nginx_map
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits import quotas
from inkwell.platform.core.models import Mirror, PublishRun, Tenant
from inkwell.platform.core.publishing import mirrors
from inkwell.platform.core.storage import Target, open_area
from inkwell.platform.core.types import utcnow
from inkwell.tenants.mirror import images
from inkwell.tenants.mirror.freeze import BlogFreezer, Built
from inkwell.workers.mirror_sync import UNKNOWN, Refused, Report, SyncError, sync

log = logging.getLogger(__name__)

SAVE_EVERY = 0.5  # seconds between progress writes to the database
FORK_FROM_PAGES = 200
INTERRUPTED = "interrupted: the process running it stopped; the next publish is a full one"
Watcher = Callable[[PublishRun], None]


@shared_task(name=f"{__name__}.publish_mirror")
def publish_mirror(tenant_id: int) -> int:
    """Run the blog's open publish requests; how many publishes ran."""
    return len(run_requested(tenant_id))


def dispatch(start: Callable[[int], Any]) -> int:
    """Request publishes of mirrors gone stale, then `start(tenant_id)` for each
    blog with an open request and no publish running; how many were started."""
    if current_app.config["MIRROR_AUTO_PUBLISH"]:
        mirrors.request_stale()
    started = 0
    for tenant_id in mirrors.to_dispatch():
        try:
            start(tenant_id)
        except (KombuError, OSError) as error:
            log.warning("broker unavailable, publish of blog %s waits: %s", tenant_id, error)
            mirrors.undispatch(tenant_id)
            break
        started += 1
    return started


def send(tenant_id: int) -> None:
    """Queue the blog's publish on this app's Celery (inline when it has no broker)."""
    task = current_app.extensions["celery"].tasks[publish_mirror.name]
    task.apply_async(args=[tenant_id], queue="publish", retry=False)


def run_requested(
    tenant_id: int, watch: Watcher | None = None, limited: bool = True
) -> list[PublishRun]:
    """Publish the blog for as long as requests are open; [] if another publish
    holds the blog (it will see these requests and run again), or if an admin
    suspended or deleted it (its requests wait for a restore). `limited`: stop
    once the blog used up its publishes of the hour, leaving the request open
    for the dispatcher to send when the hour allows."""
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None or tenant.status != "active":
        return []
    runs = []
    while not (limited and _over_publish_limit(tenant_id)):
        if (claim := mirrors.claim(tenant_id)) is None:
            break
        runs.append(publish(claim, watch))
    return runs


def _over_publish_limit(tenant_id: int) -> bool:
    try:
        quotas.check_publish(tenant_id)
    except quotas.QuotaExceeded as refused:
        log.info("publish of blog %s waits: %s", tenant_id, refused)
        mirrors.undispatch(tenant_id)  # so the dispatcher sends it again once allowed
        return True
    return False


def publish(claim: mirrors.Claim, watch: Watcher | None = None) -> PublishRun:
    tenant = db.session.get_one(Tenant, claim.tenant_id)
    with tenancy.tenant_scope(tenant.id), mirrors.Lease(claim) as lease:
        # Only a dead publish leaves a run "running": its uploads were never recorded.
        repair = _close_interrupted(tenant.id)
        run = PublishRun(tenant_id=tenant.id, full=claim.full or repair)
        db.session.add(run)
        db.session.commit()
        progress = _Progress(run, watch)
        build = Path(current_app.instance_path) / "mirror-builds" / str(tenant.uuid) / str(run.id)
        version = None
        try:
            version = _freeze_and_sync(tenant, claim, lease, run.full, build, progress)
            run.status = "succeeded"
        except Refused as error:
            run.status, run.error = "refused", str(error)
        except (SyncError, mirrors.LeaseLost) as error:
            run.status, run.error = "failed", str(error)
        except SoftTimeLimitExceeded:
            limit = current_app.config["MIRROR_SOFT_TIME_LIMIT"]
            run.status, run.error = "failed", f"stopped after {limit} seconds"
        except Exception as error:
            log.exception("publish of %s failed", tenant.subdomain)
            run.status, run.error = "failed", f"{type(error).__name__}: {error}"
        finally:
            shutil.rmtree(build, ignore_errors=True)
        if run.status == "succeeded":
            run.phase = "done"  # a run that did not keeps the phase it stopped in
        run.finished_at = utcnow()
        progress.save()
        mirrors.release(claim, version)
        db.session.refresh(run)
        db.session.expunge(run)  # a record of the run, readable after later commits
        log.info(
            "publish of %s: %s%s, pages %d, uploaded %d, deleted %d %s",
            tenant.subdomain, run.status, " (full)" if run.full else "",
            run.pages_built, run.uploaded, run.deleted, run.error,
        )  # fmt: skip
        if run.status == "succeeded":  # a new blog's first mirror: nginx may serve it now
            nginx_map.write_configured(current_app.config)
        return run


def _close_interrupted(tenant_id: int) -> bool:
    """Mark the blog's runs still "running" as failed; whether there was one.
    Called holding the blog's lock, so no live publish owns them."""
    closed = db.session.execute(
        update(PublishRun)
        .where(PublishRun.tenant_id == tenant_id, PublishRun.status == "running")
        .values(status="failed", error=INTERRUPTED, finished_at=utcnow())
    )
    db.session.commit()
    return closed.rowcount > 0


def _freeze_and_sync(
    tenant: Tenant,
    claim: mirrors.Claim,
    lease: mirrors.Lease,
    full: bool,
    build: Path,
    progress: "_Progress",
) -> int:
    """Build and upload; the content version now on the mirror."""
    config = dict(current_app.config)
    mirror = db.session.get_one(Mirror, tenant.id)
    run = progress.run
    with BlogFreezer(tenant.id, build, config) as freezer:
        plan = freezer.plan(mirror.snapshot, full=full)
        # Full: asked for, a repair, or the first. A change that touches every page
        # (a new post) rebuilds them all, yet uploads only what changed: not a full one.
        run.full = run.full or mirror.snapshot is None
        run.pages_total, run.phase = len(plan.urls), "building"
        progress.save()
        files = []
        for file in freezer.build(plan.urls, _processes(config, len(plan.urls))):
            files.append(file)
            run.pages_built += 1
            progress.tick()
    run.phase = "uploading"
    progress.save()
    target = open_area(config, "mirror", tenant.uuid)
    manifest = dict(mirror.manifest or {})
    if plan.full:
        manifest = _as_found(manifest, target, build, files)
    held = {key for key, entry in manifest.items() if entry != UNKNOWN}
    for key, content_type in images.fetch(config, tenant.uuid, plan.images - held, build):
        files.append(Built(key, content_type))
    # An image no public post shows any more left with its posts: withdrawn content.
    unshown = {key for key in manifest if key.startswith(images.FOLDER)} - plan.images
    try:
        manifest, _report = sync(
            target,
            build,
            files,
            manifest,
            plan.expected,
            config,
            withdrawn=plan.withdrawn | unshown,
            missing=plan.missing,
            force=claim.force,
            progress=progress.synced,
            check=lease.check,
            changing=lambda may_hold: mirrors.record(claim, may_hold),
        )
    except SyncError as error:
        mirrors.record(claim, error.manifest)
        raise
    mirrors.record(claim, manifest, plan.snapshot)
    return plan.version


def _processes(config: dict[str, Any], pages: int) -> int:
    """Build processes for `pages`: forking pays for itself from a few hundred pages."""
    if pages < FORK_FROM_PAGES:
        return 1
    return config["MIRROR_BUILD_PROCESSES"] or os.cpu_count() or 1


def _as_found(
    manifest: dict[str, list[str]], target: Target, build: Path, files: list[Built]
) -> dict[str, list[str]]:
    """The manifest corrected by what the target really holds: a full publish trusts
    no manifest, so it repairs a mirror changed behind our back (keys removed, left
    over or rewritten) and one a restored database's older manifest describes wrongly.
    A built file whose key holds other bytes is UNKNOWN (uploaded again); keys the
    target lacks leave the manifest (uploaded), keys it has and the build lacks stay
    (deleted unless expected: images, named by their content, are fetched later)."""
    built = {f.path: target.fingerprint((build / f.path).read_bytes()) for f in files}
    found = target.fingerprints(set(built))
    return {
        key: UNKNOWN if key in built and built[key] != held else manifest.get(key, UNKNOWN)
        for key, held in found.items()
    }


class _Progress:
    """Copies counts onto the run; writes them at most every SAVE_EVERY seconds."""

    def __init__(self, run: PublishRun, watch: Watcher | None) -> None:
        self.run, self.watch, self.saved = run, watch, 0.0

    def synced(self, report: Report) -> None:
        run = self.run
        run.uploads_total, run.uploaded, run.skipped = (
            report.to_upload,
            report.uploaded,
            report.skipped,
        )
        run.deleted, run.bytes_uploaded = report.deleted, report.bytes
        self.tick()

    def tick(self) -> None:
        if time.monotonic() - self.saved >= SAVE_EVERY:
            self.save()
        elif self.watch:
            self.watch(self.run)

    def save(self) -> None:
        db.session.commit()
        self.saved = time.monotonic()
        if self.watch:
            self.watch(self.run)
