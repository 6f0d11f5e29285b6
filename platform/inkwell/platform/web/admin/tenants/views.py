"""Blogs in the console: /admin/tenants/ (search, pages, an action on the ticked
blogs) and one blog's page with its actions and its domains (a custom one can be
removed, through `core.domains.registry`). Each action goes through
`core.administration.lifecycle` (or the purge job), which writes the audit entry in the same
transaction; then a flash and a redirect. A refused action shows the page
again with the reason (4xx)."""

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from inkwell.platform.core import tenancy
from inkwell.platform.core.administration import lifecycle
from inkwell.platform.core.administration import purge as purge_job
from inkwell.platform.core.administration.lifecycle import LifecycleError
from inkwell.platform.core.domains import expiry, registry
from inkwell.platform.core.domains.names import DomainError, shown
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import PublishRun, Tenant
from inkwell.platform.core.numbers import query_int
from inkwell.platform.web.admin import acting_admin, admin_blueprint, check_token
from inkwell.platform.web.admin.tenants import bulk
from inkwell.platform.web.admin.tenants.forms import (
    MOST_SELECTED,
    BulkForm,
    ReasonForm,
    TenantFilterForm,
)
from inkwell.platform.web.admin.tenants.listing import audit_trail, members, rows, search, when

bp = admin_blueprint("admin_tenants", __name__, "/tenants")

PER_PAGE = MOST_SELECTED
HISTORY = 20


@bp.get("/")
def index() -> tuple[str, int]:
    filters = TenantFilterForm(request.args)
    filters.page.data = query_int("page", 1)  # out of range: 404, as on every list
    return _list(filters, BulkForm())


@bp.post("/bulk")
def bulk_action() -> Response | tuple[str, int]:
    """The action chosen under the list, on the blogs ticked in it."""
    form = BulkForm()
    filters = TenantFilterForm(request.form)  # the list the form was sent from
    if not form.validate_on_submit():
        return _list(filters, form, 400)
    ids = form.tenant.data
    tenants = list(db.session.scalars(select(Tenant).where(Tenant.id.in_(ids))))
    outcome = bulk.apply(form.action.data, tenants, form.reason.data, acting_admin())
    if outcome.done:
        flash(outcome.summary(form.action.data))
    for refusal in outcome.refused:
        flash(refusal, "error")
    if gone := len(ids) - len(tenants):
        flash(f"{gone} of the selected blogs no longer exist.", "error")
    back = filters.args()
    if filters.page.data > 1:  # back to the page the blogs were ticked on
        back["page"] = str(filters.page.data)
    return redirect(url_for(".index", **back), 303)


def _list(filters: TenantFilterForm, form: BulkForm, code: int = 200) -> tuple[str, int]:
    """The list as `filters` has it, and under it the bulk form (a refused one as sent)."""
    if not filters.validate():  # a status typed into the URL: the list without it
        filters.status.data, code = "", 400
    query = search(filters.q.data, filters.status.data, filters.quarantined.data)
    page = db.paginate(
        query, page=filters.page.data, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False
    )
    page_html = render_template(
        "admin/tenants.html",
        page=page,
        rows=rows(list(page.items)),
        filters=filters,
        form=form,
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
    action = bulk.ACTIONS[name]
    if not action.needs_reason:
        check_token()
        tenant = _tenant(tenant_id)
        return _act(tenant, lambda: action.run(tenant, "", acting_admin()), action.done)
    form = ReasonForm()
    valid = form.validate_on_submit()  # before the blog: a bad token is 400 whatever the id
    tenant = _tenant(tenant_id)
    if not valid:
        return _page(tenant, code=400, form=form)
    reason = form.reason.data
    return _act(tenant, lambda: action.run(tenant, reason, acting_admin()), action.done, form)


@bp.post("/<int:tenant_id>/republish")
def republish(tenant_id: int) -> Response | tuple[str, int]:
    check_token()
    tenant = _tenant(tenant_id)
    done = "Full publish of the mirror requested for"
    return _act(tenant, lambda: lifecycle.republish(tenant, acting_admin()), done)


@bp.post("/<int:tenant_id>/rerender")
def rerender(tenant_id: int) -> Response | tuple[str, int]:
    check_token()
    tenant = _tenant(tenant_id)
    return _act(tenant, lambda: lifecycle.rerender(tenant, acting_admin()), "Re-rendered posts of")


@bp.post("/<int:tenant_id>/purge")
def purge(tenant_id: int) -> Response | tuple[str, int]:
    check_token()
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


@bp.post("/<int:tenant_id>/domains/<int:domain_id>/remove")
def remove_domain(tenant_id: int, domain_id: int) -> Response | tuple[str, int]:
    """Take a custom domain off the blog (a name it should not hold), audited."""
    check_token()
    tenant = _tenant(tenant_id)
    domain = registry.find(tenant, domain_id) or abort(404)
    name = shown(domain.host)
    try:
        registry.remove(tenant, domain, acting_admin())
    except DomainError as error:
        db.session.rollback()
        return _page(tenant, str(error), 409)
    db.session.commit()
    flash(f"Removed {name} from {tenant.subdomain}.")
    return redirect(url_for(".show", tenant_id=tenant.id), 303)


def _act(
    tenant: Tenant, action: Callable[[], object], done: str, form: ReasonForm | None = None
) -> Response | tuple[str, int]:
    """Run `action` and commit it; an action the blog's state forbids is a
    conflict, shown on its page with `form` (the reason) as it was sent."""
    try:
        action()
    except LifecycleError as error:
        db.session.rollback()
        return _page(db.session.get_one(Tenant, tenant.id), str(error), 409, form)
    db.session.commit()
    flash(f"{done} {tenant.subdomain}.")
    return redirect(url_for(".show", tenant_id=tenant.id), 303)


def _tenant(tenant_id: int) -> Tenant:
    return db.session.get(Tenant, tenant_id) or abort(404)


def _page(
    tenant: Tenant, error: str = "", code: int = 200, form: ReasonForm | None = None
) -> tuple[str, int]:
    """The blog's page; `form` is the reason form that was sent, if one was."""
    with tenancy.tenant_scope(tenant.id):
        runs = db.session.scalars(select(PublishRun).order_by(PublishRun.id.desc()).limit(HISTORY))
        runs = list(runs)
    entries = db.session.scalars(audit_trail(tenant.id).limit(HISTORY * 5))
    page = render_template(
        "admin/tenant.html",
        tenant=tenant,
        members=members(tenant.id),
        domains=registry.every_domain(tenant),
        own_host=registry.own_host(tenant),
        shown=shown,
        expires_at=expiry.expires_at,
        runs=runs,
        entries=list(entries),
        row=rows([tenant])[0],
        error=error,
        sent=form,
        blank=ReasonForm(formdata=None),
        when=when,
    )
    return page, code
