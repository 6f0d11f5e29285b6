"""The console's front page: what needs an admin's attention, and the sections."""

from datetime import datetime

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


@bp.app_template_filter("audit_value")
def audit_value(value: object) -> str:
    """One detail of an audit entry as an admin reads it: lists joined, mappings
    (a quota's old and new limits) as name and value, nothing as a dash."""
    if value is None:
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{key.replace('_', ' ')} {audit_value(v)}" for key, v in value.items())
    if isinstance(value, list):
        return ", ".join(audit_value(item) for item in value)
    text = str(value)
    if len(text) >= 19 and text[10:11] == "T":  # a moment (purge after, since) in ISO 8601
        try:
            return datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M UTC")
        except ValueError:
            pass
    return text
