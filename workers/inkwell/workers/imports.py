"""The `imports` queue: an import from another platform, run as a background job
(`core.portability.import_jobs`).

The upload's view wrote the job and an outbox row in one transaction; the task
claims the outbox row (a redelivery does nothing) and then the job itself, with
a lease it renews at every commit. `resume_imports` (beat) runs again each job
whose lease lapsed, from its last commit: a worker killed mid-import loses at
most a batch of work, and nothing is imported twice.
"""

from celery import shared_task
from flask import current_app

from inkwell.platform.core import outbox
from inkwell.platform.core.portability import import_jobs


@shared_task(name=f"{__name__}.run_import")
def run_import(tenant_id: int, job_id: int, outbox_id: int | None = None) -> bool:
    """Run or resume one job; whether this delivery ran it."""
    if outbox_id is not None:
        row = outbox.claim(outbox_id, lease_seconds=current_app.config["IMPORT_LEASE_SECONDS"])
        if row is None:
            return False
        outbox.finish(row)  # from here the job's own lease guards it
    return import_jobs.run(tenant_id, job_id)


@shared_task(name=f"{__name__}.resume_imports")
def resume_imports_task() -> int:
    """Beat's entry (IMPORT_SWEEP_INTERVAL), in the worker's app."""
    return resume_imports()


def resume_imports() -> int:
    """Queue each job whose worker is gone; how many. A plain function, so
    `inkwell scheduler` runs it in its own app."""
    task = current_app.extensions["celery"].tasks[run_import.name]
    stalled = import_jobs.stalled()
    for tenant_id, job_id in stalled:
        task.apply_async((tenant_id, job_id), queue="imports")
    return len(stalled)
