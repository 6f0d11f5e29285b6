"""Blogs in the console: /admin/tenants/ (search, pages, an action on the ticked
blogs) and one blog's page with its actions. Each action goes through
`core.administration.lifecycle` (or the purge job), which writes the audit entry in the same
transaction; then a flash and a redirect. A refused action shows the page
again with the reason (4xx)."""

from collections.abc import Callable, Mapping

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from inkwell.platform.core import tenancy
from inkwell.platform.core.administration import lifecycle
from inkwell.platform.core.administration import purge as purge_job
from inkwell.platform.core.administration.lifecycle import BadReason, LifecycleError
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import PublishRun, Tenant
from inkwell.platform.core.numbers import parse_int, query_int
from inkwell.platform.web.admin import acting_admin, admin_blueprint
from inkwell.platform.web.admin.tenants import bulk
from inkwell.platform.web.admin.tenants.listing import (
    ListError,
    audit_trail,
    members,
    rows,
    search,
    when,
)

bp = admin_blueprint("admin_tenants", __name__, "/tenants")

PER_PAGE = 50
HISTORY = 20


@bp.get("/")
def index() -> tuple[str, int]:
    return _list(request.args, query_int("page", 1))


@bp.post("/bulk")
def bulk_action() -> Response | tuple[str, int]:
    """The action chosen under the list, on the blogs ticked in it."""
    form, action = request.form, request.form.get("action", "")
    # The list's own hidden field: a refusal shows the same page (an edited one, the first).
    number = parse_int(form.get("page", ""), low=1) or 1
    if action not in bulk.ACTIONS:
        return _list(form, number, "Choose an action for the selected blogs.", 400)
    selected = {parse_int(value, low=1) for value in form.getlist("tenant")}
    if None in selected:
        return _list(form, number, "The selection is not a list of blogs.", 400)
    ids = sorted(n for n in selected if n is not None)
    if not ids or len(ids) > PER_PAGE:
        return _list(form, number, f"Select between 1 and {PER_PAGE} blogs.", 400)
    tenants = list(db.session.scalars(select(Tenant).where(Tenant.id.in_(ids))))
    try:
        outcome = bulk.apply(action, tenants, form.get("reason", ""), acting_admin())
    except BadReason as error:
        return _list(form, number, str(error), 400)
    if outcome.done:
        flash(outcome.summary(action))
    for refusal in outcome.refused:
        flash(refusal, "error")
    if gone := len(ids) - len(tenants):
        flash(f"{gone} of the selected blogs no longer exist.", "error")
    back = {key: form[key] for key in ("q", "status", "quarantined") if form.get(key)}
    return redirect(url_for(".index", page=number if number > 1 else None, **back), 303)


def _list(
    args: Mapping[str, str], number: int, error: str = "", code: int = 200
) -> tuple[str, int]:
    """Page `number` of the list as `args` filter it; a bulk action's refusal keeps its form."""
    text, status = args.get("q", "")[:200], args.get("status", "")
    quarantined = args.get("quarantined") == "1"
    try:
        query = search(text, status, quarantined)
    except ListError as problem:
        query, error, code = search(text, "", quarantined), str(problem), 400
    page = db.paginate(
        query, page=number, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False
    )
    page_html = render_template(
        "admin/tenants.html",
        page=page,
        rows=rows(list(page.items)),
        q=text,
        status=status,
        quarantined=quarantined,
        actions=bulk.ACTIONS,
        error=error,
        form=request.form,
        when=when,
    )
    return page_html, code


@bp.get("/<int:tenant_id>/")
def show(tenant_id: int) -> str:
    return _page(_tenant(tenant_id))


@bp.post("/<int:tenant_id>/suspend")
def suspend(tenant_id: int) -> Response | tuple[str, int]:
    return _lifecycle("suspend", tenant_id)


@bp.post("/<int:tenant_id>/restore")
def restore(tenant_id: int) -> Response | tuple[str, int]:
    return _lifecycle("restore", tenant_id)


@bp.post("/<int:tenant_id>/delete")
def delete(tenant_id: int) -> Response | tuple[str, int]:
    return _lifecycle("delete", tenant_id)


@bp.post("/<int:tenant_id>/quarantine")
def quarantine(tenant_id: int) -> Response | tuple[str, int]:
    return _lifecycle("quarantine", tenant_id)


@bp.post("/<int:tenant_id>/lift-quarantine")
def lift_quarantine(tenant_id: int) -> Response | tuple[str, int]:
    return _lifecycle("lift-quarantine", tenant_id)


def _lifecycle(name: str, tenant_id: int) -> Response | tuple[str, int]:
    """An action of the bulk list (`bulk.ACTIONS`), on one blog from its page."""
    tenant, action = _tenant(tenant_id), bulk.ACTIONS[name]
    reason = request.form.get("reason", "")
    return _act(tenant, lambda: action.run(tenant, reason, acting_admin()), action.done)


@bp.post("/<int:tenant_id>/republish")
def republish(tenant_id: int) -> Response | tuple[str, int]:
    tenant = _tenant(tenant_id)
    done = "Full publish of the mirror requested for"
    return _act(tenant, lambda: lifecycle.republish(tenant, acting_admin()), done)


@bp.post("/<int:tenant_id>/rerender")
def rerender(tenant_id: int) -> Response | tuple[str, int]:
    tenant = _tenant(tenant_id)
    return _act(tenant, lambda: lifecycle.rerender(tenant, acting_admin()), "Re-rendered posts of")


@bp.post("/<int:tenant_id>/purge")
def purge(tenant_id: int) -> Response | tuple[str, int]:
    tenant = _tenant(tenant_id)
    name = tenant.subdomain
    try:
        held = purge_job.purge(tenant, acting_admin())
    except LifecycleError as error:
        return _page(tenant, str(error), 409)
    except purge_job.PurgeError as error:
        db.session.rollback()
        return _page(db.session.get_one(Tenant, tenant_id), str(error), 502)
    flash(f"Purged {name}: its rows, cached pages and mirror are gone; "
          f"{', '.join(held)} reserved from new owners.")  # fmt: skip
    return redirect(url_for(".index"), 303)


def _act(tenant: Tenant, action: Callable[[], object], done: str) -> Response | tuple[str, int]:
    try:
        action()
    except LifecycleError as error:
        db.session.rollback()
        # A missing reason is bad input; an action the blog's state forbids, a conflict.
        code = 400 if isinstance(error, BadReason) else 409
        return _page(db.session.get_one(Tenant, tenant.id), str(error), code)
    db.session.commit()
    flash(f"{done} {tenant.subdomain}.")
    return redirect(url_for(".show", tenant_id=tenant.id), 303)


def _tenant(tenant_id: int) -> Tenant:
    return db.session.get(Tenant, tenant_id) or abort(404)


def _page(tenant: Tenant, error: str = "", code: int = 200) -> tuple[str, int]:
    with tenancy.tenant_scope(tenant.id):
        runs = db.session.scalars(select(PublishRun).order_by(PublishRun.id.desc()).limit(HISTORY))
        runs = list(runs)
    entries = db.session.scalars(audit_trail(tenant.id).limit(HISTORY * 5))
    page = render_template(
        "admin/tenant.html",
        tenant=tenant,
        members=members(tenant.id),
        runs=runs,
        entries=list(entries),
        row=rows([tenant])[0],
        error=error,
        reason=request.form.get("reason", ""),
        when=when,
    )
    return page, code
