"""The audit log in the console, newest first, filtered by the query string:
?actor= &action= &target_type= &target= &from=YYYY-MM-DD &to=YYYY-MM-DD.

Read only: there is no route that changes an entry, and the ORM refuses to.
"""

from datetime import datetime

from flask import render_template, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from inkwell.platform.core.administration.audit_search import (
    TARGET_TYPES,
    AuditFilter,
    FilterError,
    entries,
    parse_day,
)
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import AuditEntry
from inkwell.platform.core.numbers import query_int
from inkwell.platform.web.admin import admin_blueprint

bp = admin_blueprint("admin_audit", __name__, "/audit")
PER_PAGE = 50


FILTERS = ("actor", "action", "target_type", "target", "from", "to")


@bp.get("/")
def index() -> tuple[str, int] | str:
    args = {name: request.args.get(name, "").strip() for name in FILTERS}
    try:
        wanted = AuditFilter(
            actor=args["actor"],
            action=args["action"],
            target_type=args["target_type"],
            target=args["target"],
            since=parse_day(args["from"], "from"),
            until=parse_day(args["to"], "to"),
        )
    except FilterError as error:
        # The form stays filled in, so the reader can correct it.
        return _page(args, None, f"Cannot filter the audit log: {error}."), 400
    number = query_int("page", 1)
    return _page(
        args, db.paginate(entries(wanted), page=number, per_page=PER_PAGE, error_out=False)
    )


def _page(args: dict[str, str], page: Pagination | None, error: str = "") -> str:
    actions = db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    return render_template(
        "admin/audit.html",
        args=args,
        page=page,
        error=error,
        actions=list(actions),
        target_types=TARGET_TYPES,
    )


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
