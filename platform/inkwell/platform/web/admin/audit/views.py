"""The audit log in the console, newest first, filtered by the query string:
?actor= &action= &target_type= &target= &from=YYYY-MM-DD &to=YYYY-MM-DD.

Read only: there is no route that changes an entry, and the ORM refuses to.
"""

from datetime import datetime

from flask import render_template, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from inkwell.platform.core.administration.audit_search import entries
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import AuditEntry
from inkwell.platform.core.numbers import query_int
from inkwell.platform.web.admin import admin_blueprint
from inkwell.platform.web.admin.audit.forms import AuditFilterForm

bp = admin_blueprint("admin_audit", __name__, "/audit")
PER_PAGE = 50


@bp.get("/")
def index() -> tuple[str, int] | str:
    form = AuditFilterForm(request.args)
    actions = db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    form.offer_actions(list(actions))
    if not form.validate():
        # The form stays filled in, with the errors beside it, to correct it.
        return _page(form, None), 400
    number = query_int("page", 1)
    wanted = entries(form.wanted)
    return _page(form, db.paginate(wanted, page=number, per_page=PER_PAGE, error_out=False))


def _page(form: AuditFilterForm, page: Pagination | None) -> str:
    return render_template("admin/audit.html", form=form, page=page)


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
