"""Public code snippets of one blog: the list and one page per snippet."""

from flask import Blueprint, abort, g, render_template

from inkwell.platform.core.content.snippets import language_name
from inkwell.tenants import content

bp = Blueprint("site_snippets", __name__, url_prefix="/snippets", template_folder="templates")


@bp.get("/")
def index() -> str:
    return render_template(
        "snippets/index.html",
        tenant=g.tenant,
        snippets=content.current().snippets(),
        language_name=language_name,
    )


@bp.get("/<slug>/")
def snippet(slug: str) -> str:
    found = content.current().snippet(slug) or abort(404)
    return render_template(
        "snippets/snippet.html", tenant=g.tenant, snippet=found, language_name=language_name
    )
