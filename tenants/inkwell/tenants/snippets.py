"""Public code snippets of one blog: the list and one page per snippet."""

from flask import Blueprint, g, render_template
from sqlalchemy import exists, select

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Snippet
from inkwell.platform.core.snippets import language_name

bp = Blueprint("site_snippets", __name__, url_prefix="/snippets", template_folder="templates")


@bp.app_context_processor
def _snippets_link() -> dict[str, object]:
    # Called by the nav only, so pages that do not render it pay nothing.
    return {"has_snippets": lambda: db.session.scalar(select(exists().select_from(Snippet)))}


@bp.get("/")
def index() -> str:
    query = select(Snippet).order_by(Snippet.created_at.desc(), Snippet.id.desc())
    return render_template(
        "snippets/index.html",
        tenant=g.tenant,
        snippets=db.session.scalars(query),
        language_name=language_name,
    )


@bp.get("/<slug>/")
def snippet(slug: str) -> str:
    found = db.first_or_404(select(Snippet).where(Snippet.slug == slug))
    return render_template(
        "snippets/snippet.html", tenant=g.tenant, snippet=found, language_name=language_name
    )
