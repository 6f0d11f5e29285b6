"""Import an export zip into the blog, saying first what will change.

Upload (owners and editors; within the request body limit, MAX_CONTENT_LENGTH) →
the upload is kept in the instance folder, `imports/<blog uuid>/<token>.zip`, and
planned (`markdown_io.plan_import`: new posts, posts to replace and which fields
change, unchanged ones, snippets, errors) → the preview page → Import, which plans
the kept file again and applies that plan only if it is the one previewed (the
plan's digest, carried by the form); otherwise the new preview shows what changed.
The upload is kept rather than sent twice so the bundle applied is byte for byte
the one previewed, and a large one crosses the network once. Applying deletes it;
uploads nobody confirmed go after KEEP_UPLOADS, swept at the next upload.

Another platform's export (WordPress, and each format of `import_jobs.FORMATS`)
is chosen on the same form and imported in the background: the upload (up to
IMPORT_MAX_BYTES) becomes a job, and its page (`/import/jobs/<id>`) shows the
progress (import_job.js fetches it again while the job runs), then its report.
"""

import re
import secrets
import time
import zipfile
from pathlib import Path

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits.quotas import format_bytes
from inkwell.platform.core.models import ImportJob
from inkwell.platform.core.portability import import_jobs
from inkwell.platform.core.portability.bundles import BundleError
from inkwell.platform.core.portability.foreign_import import ForeignReport
from inkwell.platform.core.portability.markdown_io import (
    ERROR,
    NEW,
    REPLACE,
    UNCHANGED,
    ImportPlan,
    apply_import,
    plan_import,
)
from inkwell.platform.web.dashboard.blog_scope import blog_blueprint, require_role
from inkwell.platform.web.forms import ImportConfirmForm, ImportUploadForm

bp = blog_blueprint("imports", __name__, "/import")

IMPORTERS = ("owner", "editor")
KEEP_UPLOADS = 3600.0  # seconds an unconfirmed upload is kept
TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")  # secrets.token_urlsafe(16): never a path
INKWELL = "inkwell"  # the format of our own export, previewed then applied here
RECENT_JOBS = 5  # listed under the form
REFRESH_SECONDS = 2  # a running job's page reloads itself this often
UNVERIFIED = "Confirm your email address before importing: an import can publish posts."
View = str | Response | tuple[str, int]


@bp.url_value_preprocessor
def _allow_export_bodies(endpoint: str | None, _values: object) -> None:
    # Before the CSRF check reads the body: other platforms' exports run to 100 MB.
    if endpoint == "imports.upload":
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]


@bp.get("/")
def upload_form() -> View:
    _require_importer()
    return _upload_page(_upload_form())


@bp.get("/jobs/<int:job_id>")
def job(job_id: int) -> View:
    """A background import: its progress while it runs, then its report."""
    _require_importer()
    found = db.session.get(ImportJob, job_id)  # another blog's is None: tenant scope
    if found is None:
        abort(404)
    running = found.finished_at is None
    page = render_template(
        "dashboard/import_job.html",
        tenant=g.tenant,
        job=found,
        report=ForeignReport.from_json(found.report),
        percent=import_jobs.progress(found),
        label=_label(found.format),
        refresh=REFRESH_SECONDS if running else None,
    )
    return page, 200


def _start_job(form: ImportUploadForm) -> View:
    upload = form.bundle.data
    started = import_jobs.start(
        g.tenant,
        current_user.id,
        form.format.data,
        upload.filename or "",
        upload.save,
        (form.site_url.data or "").strip(),
    )
    db.session.commit()  # the relay hands it to the `imports` queue after this
    return redirect(url_for("imports.job", job_id=started.id), 303)


def _upload_form() -> ImportUploadForm:
    form = ImportUploadForm()
    form.format.choices = [(INKWELL, "Inkwell export, Markdown, Obsidian, Jekyll or Hugo (.zip)")]
    form.format.choices += [(name, f.label) for name, f in import_jobs.FORMATS.items()]
    return form


def _label(format: str) -> str:
    known = import_jobs.FORMATS.get(format)
    return known.label if known else format


def _too_large() -> str:
    most = format_bytes(current_app.config["MAX_CONTENT_LENGTH"])
    return (
        f"A .zip is previewed here up to {most}: import larger ones with “inkwell import markdown”."
    )


@bp.post("/")
def upload() -> View:
    _require_importer()
    form = _upload_form()
    if not form.validate_on_submit():
        return _upload_page(form, 400)
    if form.format.data != INKWELL:
        return _start_job(form)
    if request.content_length and request.content_length > current_app.config["MAX_CONTENT_LENGTH"]:
        form.bundle.errors = [_too_large()]
        return _upload_page(form, 413)
    _sweep()
    token = secrets.token_urlsafe(16)
    path = _upload_path(token)
    path.parent.mkdir(parents=True, exist_ok=True)
    form.bundle.data.save(path)
    plan, problem = _plan(path)
    if plan is None:
        path.unlink(missing_ok=True)
        form.bundle.errors = [problem]
        return _upload_page(form, 400)
    return _preview(plan, token)


@bp.post("/apply")
def apply() -> View:
    _require_importer()
    form = ImportConfirmForm()
    token = form.token.data or ""
    path = _upload_path(token) if TOKEN.fullmatch(token) else None
    if not form.validate_on_submit() or path is None or not path.is_file():
        flash("That upload is no longer here (imports are kept for an hour): upload it again.")
        return redirect(url_for("imports.upload_form"), 303)
    plan, problem = _plan(path)
    if plan is None:  # it was readable a moment ago: the folder changed under us
        path.unlink(missing_ok=True)
        flash(problem, "error")
        return redirect(url_for("imports.upload_form"), 303)
    if plan.digest() != form.digest.data:
        message = "The blog changed since this preview: check what the import does now."
        return _preview(plan, token, message, 409)
    report = apply_import(g.tenant, current_user.id, plan)
    path.unlink(missing_ok=True)
    images = f", {report.images} new images" if report.images else ""
    images += f", {report.subscribers} subscribers" if report.subscribers else ""
    flash(
        f"Imported: {report.created} new, {report.updated} replaced, "
        f"{report.skipped} unchanged{images}, {len(report.errors)} not imported.",
        "error" if report.errors else "message",
    )
    return redirect(url_for("editor.posts"), 303)


def _require_importer() -> None:
    require_role(*IMPORTERS, message="Only the blog's owners and editors can import into it.")
    if current_user.email_verified_at is None:
        abort(403, UNVERIFIED)


def _plan(path: Path) -> tuple[ImportPlan | None, str]:
    """The plan of the upload at `path`, or None and what is wrong with it."""
    if not zipfile.is_zipfile(path):
        return None, "That is not a .zip file: upload the zip that Export downloads."
    try:
        return plan_import(g.tenant, path, owner=g.role == "owner"), ""
    except BundleError as error:  # its message names the file: not our folders
        return None, str(error).replace(str(path), "the zip")


def _preview(plan: ImportPlan, token: str, message: str = "", status: int = 200) -> View:
    form = ImportConfirmForm(token=token, digest=plan.digest())
    page = render_template(
        "dashboard/import_preview.html",
        tenant=g.tenant,
        plan=plan,
        form=form,
        message=message,
        actions={"new": NEW, "replace": REPLACE, "unchanged": UNCHANGED, "error": ERROR},
    )
    return page, status


def _upload_page(form: ImportUploadForm, status: int = 200) -> tuple[str, int]:
    config = current_app.config
    jobs = select(ImportJob).order_by(ImportJob.created_at.desc(), ImportJob.id.desc())
    page = render_template(
        "dashboard/import.html",
        tenant=g.tenant,
        form=form,
        limit=config["MAX_CONTENT_LENGTH"],
        job_limit=config["IMPORT_MAX_BYTES"],
        verified=current_user.email_verified_at is not None,
        jobs=db.session.scalars(jobs.limit(RECENT_JOBS)).all(),
        label=_label,
        progress=import_jobs.progress,
    )
    return page, status


def _folder() -> Path:
    return Path(current_app.instance_path) / "imports" / str(g.tenant.uuid)


def _upload_path(token: str) -> Path:
    return _folder() / f"{token}.zip"


def _sweep() -> None:
    """Remove this blog's uploads nobody confirmed within KEEP_UPLOADS."""
    if not _folder().is_dir():
        return
    cutoff = time.time() - KEEP_UPLOADS
    for old in _folder().glob("*.zip"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
