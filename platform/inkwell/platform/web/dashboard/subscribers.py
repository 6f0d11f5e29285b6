"""Subscribers (owners): how many follow the blog by email and who, each post's
send, removing an address, and the list as CSV out and in
(`core.newsletter.subscribers`). Only the blog's own addresses are ever read:
every query runs in its scope, and an id of another blog's subscriber is a 404."""

from flask import abort, flash, g, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from inkwell.platform.core import tenancy
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits.quotas import QuotaExceeded
from inkwell.platform.core.models import NewsletterSend, Post
from inkwell.platform.core.newsletter import sends, subscribers
from inkwell.platform.core.types import utcnow
from inkwell.platform.web.dashboard.blog_scope import blog_blueprint, require_role
from inkwell.platform.web.forms import ConfirmForm, SubscriberImportForm

bp = blog_blueprint("subscribers", __name__, "/subscribers")

SHOWN = 500  # addresses listed on the page; the CSV has them all
IMPORT_MAX_BYTES = 5 * 1024 * 1024


@bp.before_request
def _owners_only() -> None:
    require_role("owner", message="Only the blog's owners can see its subscribers.")


@bp.get("/")
def index() -> str:
    return _page(SubscriberImportForm())


@bp.post("/<int:subscriber_id>/remove")
def remove(subscriber_id: int) -> Response:
    if not ConfirmForm().validate_on_submit() or not subscribers.remove(g.tenant, subscriber_id):
        abort(404)
    db.session.commit()
    flash("Removed the address: nothing more is mailed to it.")
    return redirect(url_for("subscribers.index"))


@bp.get("/subscribers.csv")
def export() -> Response:
    name = f"{g.tenant.subdomain}-subscribers-{utcnow():%Y-%m-%d}.csv"
    return Response(
        subscribers.export_csv(g.tenant),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/import")
def import_csv() -> Response | tuple[str, int]:
    form = SubscriberImportForm()
    if not form.validate_on_submit():
        return _page(form), 400
    raw = form.addresses.data.read(IMPORT_MAX_BYTES + 1)
    try:
        if len(raw) > IMPORT_MAX_BYTES:
            raise subscribers.AddressError("The file is over 5 MB; split it.")
        text = raw.decode("utf-8-sig")
        result = subscribers.import_csv(g.tenant, text, bool(form.consented.data))
        db.session.commit()
    except UnicodeDecodeError:
        return _refused(form, "The file is not UTF-8 text; save it as CSV (UTF-8).", 400)
    except subscribers.AddressError as error:
        return _refused(form, str(error), 400)
    except QuotaExceeded as error:
        return _refused(form, str(error), error.status)
    flash(_summary(result))
    for problem in result.problems[:20]:
        flash(f"Skipped {problem}", "error")
    return redirect(url_for("subscribers.index"))


def _summary(result: subscribers.ImportResult) -> str:
    parts = []
    if result.confirmed:
        parts.append(f"{result.confirmed:,} added as confirmed, since you said they consented")
    if result.pending:
        parts.append(f"{result.pending:,} added as pending: each is sent a confirmation mail")
    if result.known:
        parts.append(f"{result.known:,} already on the list, left as they were")
    if result.problems:
        parts.append(f"{len(result.problems):,} lines skipped")
    return "Imported: " + ("; ".join(parts) if parts else "no addresses found") + "."


def _refused(form: SubscriberImportForm, problem: str, status: int) -> tuple[str, int]:
    db.session.rollback()
    form.addresses.errors = [problem]
    return _page(form), status


def _page(form: SubscriberImportForm) -> str:
    with tenancy.tenant_scope(g.tenant.id):
        query = (
            select(NewsletterSend, Post.title)
            .join(Post, Post.id == NewsletterSend.post_id)
            .order_by(NewsletterSend.id.desc())
            .limit(20)
        )
        shown = ((send, title, sends.progress(send)) for send, title in db.session.execute(query))
        recent = [row for row in shown if row[2]]  # sends that had someone to mail
    return render_template(
        "dashboard/subscribers.html",
        tenant=g.tenant,
        counts=subscribers.counts(g.tenant),
        rows=subscribers.listing(g.tenant, SHOWN),
        shown=SHOWN,
        recent=recent,
        form=form,
        confirm=ConfirmForm(),
    )
