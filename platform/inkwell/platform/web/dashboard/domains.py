"""Settings → Domains: the blog's owners add a domain, read how to point it at
the platform and prove it theirs (and by when: `core.domains.expiry`), verify it,
choose the primary and remove one (`core.domains`). A refusal shows the page again
with its reason (400 for what was typed, 409 for a state another blog or an
earlier click made)."""

from collections.abc import Callable

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from inkwell.platform.core.audit import Actor
from inkwell.platform.core.domains import expiry, registry, verification
from inkwell.platform.core.domains.names import DomainError, shown
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import host_name
from inkwell.platform.core.models import Domain, Tenant
from inkwell.platform.web.dashboard.blog_scope import blog_blueprint, require_role
from inkwell.platform.web.forms import ConfirmForm, DomainForm

bp = blog_blueprint("domains", __name__, "/domains")


@bp.before_request
def _owners_only() -> None:
    require_role("owner", message="Only the blog's owners can change its domains.")


@bp.get("/")
def index() -> str:
    return _page(DomainForm())


@bp.post("/")
def add() -> Response | tuple[str, int]:
    form = DomainForm()
    if not form.validate_on_submit():
        return _page(form), 400
    try:
        domain = registry.add(g.tenant, form.domain.data or "", _actor())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        form.domain.errors = [str(error)]
        return _page(form), 400
    flash(f"Added {shown(domain.host)}. Add the DNS records below, then press Verify.")
    return redirect(url_for("domains.index"))


@bp.post("/<int:domain_id>/verify")
def verify(domain_id: int) -> Response | tuple[str, int]:
    return _act(domain_id, registry.verify, "{name} is verified: it serves the blog now.")


@bp.post("/<int:domain_id>/primary")
def make_primary(domain_id: int) -> Response | tuple[str, int]:
    done = "{name} is the main address now: the blog's other addresses redirect to it."
    return _act(domain_id, registry.make_primary, done)


@bp.post("/<int:domain_id>/remove")
def remove(domain_id: int) -> Response | tuple[str, int]:
    return _act(domain_id, registry.remove, "Removed {name}.")


def _act(
    domain_id: int, action: Callable[[Tenant, Domain, Actor], None], done: str
) -> Response | tuple[str, int]:
    domain = registry.find(g.tenant, domain_id)  # its CSRF token: CSRFProtect checks every POST
    if domain is None:
        abort(404)
    name = shown(domain.host)
    try:
        action(g.tenant, domain, _actor())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _page(DomainForm(formdata=None), str(error)), 409
    flash(done.format(name=name))
    return redirect(url_for("domains.index"))


def _actor() -> Actor:
    return Actor(current_user.id, current_user.email, request.remote_addr or "")


def _page(form: DomainForm, problem: str = "") -> str:
    config = current_app.config
    return render_template(
        "dashboard/domains.html", tenant=g.tenant, form=form, confirm=ConfirmForm(),
        domains=registry.domains_of(g.tenant), own_host=registry.own_host(g.tenant),
        problem=problem, shown=shown, expires_at=expiry.expires_at,
        record_name=verification.record_name, record_value=verification.record_value,
        cname=config["CUSTOM_DOMAIN_CNAME"] or host_name(config["APP_HOST"]),
        addresses=config["CUSTOM_DOMAIN_ADDRESSES"],
    )  # fmt: skip
