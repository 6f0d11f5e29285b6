"""The blog's static mirror in the dashboard: where it is, a "Publish mirror"
button, the running publish's progress (polled as JSON) and past publishes."""

from typing import Any

from flask import current_app, flash, g, jsonify, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits import quotas
from inkwell.platform.core.models import Mirror, PublishRun
from inkwell.platform.core.publishing import mirrors
from inkwell.platform.web.dashboard.blog_scope import blog_blueprint, require_role
from inkwell.platform.web.forms import PublishForm

bp = blog_blueprint("mirror", __name__, "/mirror")

HISTORY = 20
PUBLISHERS = ("owner", "editor")


@bp.get("/")
def overview() -> str:
    runs = db.session.scalars(select(PublishRun).order_by(PublishRun.id.desc()).limit(HISTORY))
    return render_template(
        "dashboard/mirror.html",
        tenant=g.tenant,
        role=g.role,
        can_publish=g.role in PUBLISHERS,
        runs=list(runs),
        state=_state(),
        location=_location(),
        form=PublishForm(),
    )


@bp.get("/status.json")
def status() -> Response:
    return jsonify(_state())


@bp.post("/publish")
def publish() -> Response:
    require_role(*PUBLISHERS, message="Only the blog's owners and editors can publish its mirror.")
    form = PublishForm()
    if not form.validate_on_submit():
        flash("The form expired. Try again.")
        return redirect(url_for("mirror.overview"), 303)
    try:
        quotas.check_publish(g.tenant.id)
    except quotas.QuotaExceeded as refused:
        flash(str(refused))
        return redirect(url_for("mirror.overview"), 303)
    mirrors.request_publish(g.tenant.id, full=form.full.data)
    db.session.commit()
    flash("Publish requested: it starts within a few seconds.")
    return redirect(url_for("mirror.overview"), 303)


def _state() -> dict[str, Any]:
    """What the progress bar shows: the newest run, and whether one is waiting."""
    mirror = db.session.get(Mirror, g.tenant.id)
    run = db.session.scalars(select(PublishRun).order_by(PublishRun.id.desc()).limit(1)).first()
    queued = bool(mirror and mirror.requested_seq > mirror.done_seq) and (
        run is None or run.status != "running"
    )
    # A queued publish the hourly quota holds back starts by itself later: say when.
    held = quotas.publish_hold(g.tenant.id) if queued else None
    return {"queued": queued, "held": held, "run": _run(run)}


def _run(run: PublishRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    fields = ("id", "status", "phase", "full", "pages_total", "pages_built", "uploads_total")
    fields += ("uploaded", "skipped", "deleted", "bytes_uploaded", "error")
    data = {name: getattr(run, name) for name in fields}
    data["started_at"] = run.started_at.isoformat()
    data["finished_at"] = run.finished_at.isoformat() if run.finished_at else None
    return data


def _location() -> dict[str, str]:
    config, uuid = current_app.config, str(g.tenant.uuid)
    public = config["MIRROR_PUBLIC_URL"]
    return {
        "target": f"{config['MIRROR_URL'].rstrip('/')}/{uuid}/",
        "public": f"{public.rstrip('/')}/{uuid}/index.html" if public else "",
    }
