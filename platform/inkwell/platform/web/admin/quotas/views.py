"""Quotas in the console, /admin/quotas/: the blogs with limits of their own,
and a form to set or clear a blog's limits (empty: the platform default)."""

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits import quotas
from inkwell.platform.core.models import Quota, Tenant
from inkwell.platform.web.admin import acting_admin, admin_blueprint

bp = admin_blueprint("admin_quotas", __name__, "/quotas")


@bp.get("/")
def index() -> tuple[str, int] | str:
    subdomain = request.args.get("blog", "").strip()
    if not subdomain:
        return _page()
    tenant = _tenant(subdomain)
    if tenant is None:
        return _page(subdomain, error=f"No blog {subdomain!r}."), 404
    own = {name: value for name, value in quotas.overrides(tenant.id).items() if value is not None}
    return _page(subdomain, {name: quotas.typed(name, v) for name, v in own.items()}, tenant)


@bp.post("/")
def save() -> Response | tuple[str, int]:
    subdomain = request.form.get("blog", "").strip()
    typed = {name: request.form.get(name, "").strip() for name in quotas.FIELDS}
    tenant = _tenant(subdomain)
    if tenant is None:
        return _page(subdomain, typed, error=f"No blog {subdomain!r}."), 404
    try:
        changes = {
            name: quotas.parse_limit(name, text) if text else None for name, text in typed.items()
        }
    except ValueError as error:
        return _page(subdomain, typed, tenant=tenant, error=f"{error}."), 400
    if quotas.set_overrides(tenant, changes, acting_admin()):
        db.session.commit()
        flash(f"Limits of {tenant.subdomain} saved.")
    else:
        flash(f"Limits of {tenant.subdomain} unchanged.")
    return redirect(url_for("admin_quotas.index", blog=tenant.subdomain), 303)


def _tenant(subdomain: str) -> Tenant | None:
    return db.session.scalar(select(Tenant).where(Tenant.subdomain == subdomain))


def _page(
    subdomain: str = "",
    values: dict[str, str] | None = None,
    tenant: Tenant | None = None,
    error: str = "",
) -> str:
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
        subdomain=subdomain,
        values=values or {},
        shown=quotas.shown,
        typed=quotas.typed,
        usage=quotas.report(tenant.id) if tenant else [],
        error=error,
    )
