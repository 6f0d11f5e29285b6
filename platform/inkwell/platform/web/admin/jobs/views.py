"""Job health in the console, /admin/jobs/: queue lengths, outbox rows waiting
and failed, failed publishes, publishes per blog; retry a failed job."""

from flask import abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from inkwell.platform.core.administration import job_health
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Tenant
from inkwell.platform.web.admin import acting_admin, admin_blueprint, check_token
from inkwell.platform.web.forms import ConfirmForm
from inkwell.workers import relay
from inkwell.workers.queues import queue_lengths

bp = admin_blueprint("admin_jobs", __name__, "/jobs")


@bp.get("/")
def index() -> str:
    return render_template(
        "admin/jobs.html",
        queues=queue_lengths(),
        waiting=job_health.outbox_waiting(),
        failed=job_health.outbox_failed(),
        failed_runs=job_health.failed_publishes(),
        per_blog=job_health.publishes_per_blog(),
        form=ConfirmForm(),
    )


@bp.post("/outbox/<int:outbox_id>/retry")
def retry_outbox(outbox_id: int) -> Response:
    check_token()
    try:
        row = job_health.reopen_outbox(outbox_id, acting_admin())
    except job_health.RetryError as error:
        abort(404, str(error))
    db.session.commit()
    relay.publish([row])
    flash(f"Outbox row {outbox_id} sent to the queue again.")
    return redirect(url_for("admin_jobs.index"), 303)


@bp.post("/publishes/<int:tenant_id>/retry")
def retry_publish(tenant_id: int) -> Response:
    check_token()
    tenant = db.get_or_404(Tenant, tenant_id)
    job_health.retry_publish(tenant, acting_admin())
    db.session.commit()
    flash(f"Publish of {tenant.subdomain} requested again.")
    return redirect(url_for("admin_jobs.index"), 303)
