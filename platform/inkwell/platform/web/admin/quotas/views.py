"""Quotas in the console, /admin/quotas/: the blogs with limits of their own,
and a form to set or clear a blog's limits (empty: the platform default)."""

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits import quotas
from inkwell.platform.core.models import Quota, Tenant
from inkwell.platform.web.admin import acting_admin, admin_blueprint
from inkwell.platform.web.admin.quotas.forms import BlogLookupForm, QuotaForm

bp = admin_blueprint("admin_quotas", __name__, "/quotas")


@bp.get("/")
def index() -> tuple[str, int] | str:
    lookup = BlogLookupForm(request.args)
    if not lookup.blog.data:
        return _page(lookup)
    if not lookup.validate():
        return _page(lookup), 404
    tenant = lookup.tenant
    own = {name: value for name, value in quotas.overrides(tenant.id).items() if value is not None}
    typed = {name: quotas.typed(name, value) for name, value in own.items()}
    return _page(lookup, QuotaForm(formdata=None, data={"blog": tenant.subdomain, **typed}), tenant)


@bp.post("/")
def save() -> Response | tuple[str, int]:
    form = QuotaForm()
    if not form.validate_on_submit():
        # The lookup above the limits names the blog, or says there is none.
        lookup = BlogLookupForm(formdata=None, data={"blog": form.blog.data})
        if form.tenant is None:
            lookup.validate()
            return _page(lookup), 404
        return _page(lookup, form, form.tenant), 400
    tenant = form.tenant
    if quotas.set_overrides(tenant, form.limits(), acting_admin()):
        db.session.commit()
        flash(f"Limits of {tenant.subdomain} saved.")
    else:
        flash(f"Limits of {tenant.subdomain} unchanged.")
    return redirect(url_for("admin_quotas.index", blog=tenant.subdomain), 303)


def _page(
    lookup: BlogLookupForm, form: QuotaForm | None = None, tenant: Tenant | None = None
) -> str:
    """The page; under the lookup, the found blog's limits (`form`) and usage."""
    overridden = db.session.execute(
        select(Tenant.subdomain, Quota)
        .join(Quota, Quota.tenant_id == Tenant.id)
        .order_by(Tenant.subdomain)
    ).all()
    return render_template(
        "admin/quotas.html",
        defaults=quotas.defaults(),
        labels=quotas.LABELS,
        fields=quotas.FIELDS,
        overridden=overridden,
        lookup=lookup,
        form=form,
        shown=quotas.shown,
        typed=quotas.typed,
        usage=quotas.report(tenant.id) if tenant else [],
    )
