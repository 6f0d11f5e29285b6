"""The console's front page: what needs an admin's attention, and the sections."""

from flask import render_template
from sqlalchemy import func, select

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import AuditEntry, Tenant, User
from inkwell.platform.web.admin import admin_blueprint

bp = admin_blueprint("admin", __name__)


@bp.get("/")
def home() -> str:
    by_status = dict(
        db.session.execute(select(Tenant.status, func.count()).group_by(Tenant.status)).all()
    )
    users = db.session.scalar(select(func.count()).select_from(User))
    recent = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(10))
    return render_template("admin/home.html", by_status=by_status, users=users, recent=list(recent))
