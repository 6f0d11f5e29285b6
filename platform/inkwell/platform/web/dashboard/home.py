"""The landing page and the dashboard home listing the user's blogs."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import blog_url
from inkwell.platform.core.models import Membership, Tenant
from inkwell.platform.web.forms import ConfirmForm

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def landing() -> str:
    return render_template("landing.html")


@bp.get("/dashboard/")
@login_required
def home() -> str:
    query = (
        select(Tenant, Membership.role)
        .join(Membership)
        .where(Membership.user_id == current_user.id)
        .order_by(Tenant.subdomain)
    )
    blogs = [(tenant, role, blog_url(tenant)) for tenant, role in db.session.execute(query)]
    return render_template("dashboard/home.html", blogs=blogs, resend_form=ConfirmForm())
