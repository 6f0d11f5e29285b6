"""Imports from other platforms as background jobs: an upload, then a task that
imports it with its progress, resumable after a crash.

`start` keeps the upload in the instance folder (`imports/<blog uuid>/<name>`,
where the worker reads it; removed once the job ends) and writes the job's row
and an outbox row for `RUN_TASK` in the caller's transaction. `run` claims the
job with a lease (`active_until`), counts the file's entries (the progress
bar's total, in the reader's cheap first pass, which also refuses a broken file
before anything is written), then imports through `foreign_import`, recording
`done` and the report in the same transaction as every batch of posts. A killed
worker's job keeps its last commit; once its lease lapses `stalled` lists it and
the sweeper runs it again from `done` (the posts' UUIDs make even a repeated
entry an unchanged post, never a second copy).

FORMATS is the registry of formats the dashboard offers and the CLI accepts:
one line per format, its name, its label and its reader's factory.
"""

import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from sqlalchemy import or_, select, update

from inkwell.platform.core import outbox, tenancy
from inkwell.platform.core.content.revisions import IMPORT
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import ImportJob, Tenant
from inkwell.platform.core.portability.foreign import ForeignFormatError, ForeignReader
from inkwell.platform.core.portability.foreign_import import (
    ForeignReport,
    Localize,
    import_foreign,
)
from inkwell.platform.core.portability.readers.bear import BearReader
from inkwell.platform.core.portability.readers.ghost import GhostReader
from inkwell.platform.core.portability.readers.substack import SubstackReader
from inkwell.platform.core.portability.readers.wordpress import WordPressReader
from inkwell.platform.core.portability.remote_images import ImageLocalizer
from inkwell.platform.core.types import utcnow

RUN_TASK = "inkwell.workers.imports.run_import"


class ImportFormat(NamedTuple):
    label: str  # as the dashboard offers it
    accept: str  # the file chooser's hint: extensions and media types
    # Its reader, given the file and the old site's address ("" when not given).
    reader: Callable[[Path, str], ForeignReader]


FORMATS: dict[str, ImportFormat] = {
    "wordpress": ImportFormat(
        "WordPress export (.xml)", ".xml,text/xml", lambda path, _: WordPressReader(path)
    ),
    "ghost": ImportFormat("Ghost export (.json)", ".json,application/json", GhostReader),
    "substack": ImportFormat(
        "Substack export (.zip)", ".zip,application/zip", lambda path, _: SubstackReader(path)
    ),
    "bear": ImportFormat("Bear notes (.csv)", ".csv,text/csv", lambda path, _: BearReader(path)),
}


def uploads_folder(tenant: Tenant) -> Path:
    return Path(current_app.instance_path) / "imports" / str(tenant.uuid)


def start(
    tenant: Tenant,
    user_id: int | None,
    format: str,
    file_name: str,
    save: Callable[[Path], None],
    site_url: str = "",
) -> ImportJob:
    """A job importing the file `save(path)` writes (an export of the site at
    `site_url`, when given); the caller commits, and the relay then hands it to the
    `imports` queue."""
    upload = f"{secrets.token_urlsafe(16)}.{format}"
    path = uploads_folder(tenant) / upload
    path.parent.mkdir(parents=True, exist_ok=True)
    save(path)
    job = ImportJob(
        tenant_id=tenant.id,
        user_id=user_id,
        format=format,
        file_name=file_name[:255],
        upload=upload,
        site_url=site_url,
    )
    db.session.add(job)
    db.session.flush()
    outbox.enqueue(RUN_TASK, f"import:{tenant.id}:{job.id}", tenant_id=tenant.id, job_id=job.id)
    return job


def run(tenant_id: int, job_id: int, localize: Localize | None = None) -> bool:
    """Run (or go on with) the job unless another worker holds it or it ended;
    whether it ran. Commits as it goes. Images named by URL are fetched into the
    blog's library (`remote_images`) unless the caller gives another `localize`."""
    with tenancy.tenant_scope(tenant_id):
        if not _claim(job_id):
            return False
        job = db.session.get_one(ImportJob, job_id)
        tenant = db.session.get_one(Tenant, tenant_id)
        path = uploads_folder(tenant) / job.upload
        try:
            reader = FORMATS[job.format].reader(path, job.site_url)
            localize = localize or ImageLocalizer(tenant, IMPORT)
            if job.total is None:
                job.total = count(reader)
                _renew(job)
                db.session.commit()
            report = ForeignReport.from_json(job.report)
            import_foreign(tenant, job.user_id, reader, report, localize, _recorder(job))
            job.status = "done"
        except ForeignFormatError as refused:
            db.session.rollback()
            job.status, job.error = "failed", str(refused)
        except BaseException:
            db.session.rollback()  # the batch since the last commit: resumed from there
            raise
        job.finished_at, job.active_until = utcnow(), None
        db.session.commit()
        path.unlink(missing_ok=True)
        return True


def _claim(job_id: int) -> bool:
    """Take the job's lease if it is unfinished and nobody holds it (one UPDATE)."""
    now = utcnow()
    claimed = db.session.execute(
        update(ImportJob)
        .where(
            ImportJob.id == job_id,
            ImportJob.finished_at.is_(None),
            or_(ImportJob.active_until.is_(None), ImportJob.active_until < now),
        )
        .values(status="running", active_until=now + _lease())
    )
    db.session.commit()
    return claimed.rowcount == 1


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["IMPORT_LEASE_SECONDS"])


def _renew(job: ImportJob) -> None:
    job.active_until = utcnow() + _lease()


def count(reader: ForeignReader) -> int:
    """The entries `reader.items()` yields: its own cheap count when it has one."""
    count = getattr(reader, "count", None)
    return count() if callable(count) else sum(1 for _ in reader.items())


def _recorder(job: ImportJob) -> Callable[[ForeignReport], None]:
    """Records the report on the job, in the transaction of the posts it counts."""

    def record(report: ForeignReport) -> None:
        job.done, job.report = report.done, report.as_json()
        _renew(job)

    return record


def stalled() -> list[tuple[int, int]]:
    """(blog, job) of unfinished jobs whose lease lapsed: their worker is gone."""
    query = select(ImportJob.tenant_id, ImportJob.id).where(
        ImportJob.finished_at.is_(None), ImportJob.active_until < utcnow()
    )
    with tenancy.across_tenants():
        return [(row[0], row[1]) for row in db.session.execute(query)]


def progress(job: ImportJob) -> int:
    """Percent of the file's entries handled (0 until counted)."""
    if job.finished_at is not None and job.status == "done":
        return 100
    return min(100, job.done * 100 // job.total) if job.total else 0
