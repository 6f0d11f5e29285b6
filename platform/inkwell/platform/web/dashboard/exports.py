"""Download a blog's posts and snippets as a zip of Markdown files, which an import
reads back as the same blog (see `core.portability.markdown_io`). Owners choose on
the Export page whether it holds the subscribers too (`?subscribers=1`): their
addresses are personal data, so never by default and never an editor's to take.
"""

from tempfile import SpooledTemporaryFile

from flask import g, render_template, request, send_file
from werkzeug.wrappers import Response

from inkwell.platform.core.newsletter.subscribers import counts
from inkwell.platform.core.portability.markdown_io import export_markdown
from inkwell.platform.core.types import utcnow
from inkwell.platform.web.dashboard.blog_scope import blog_blueprint, require_role

bp = blog_blueprint("exports", __name__, "/export")

# Small blogs stay in memory; a large export spills to a temporary file, not RAM.
IN_MEMORY_BYTES = 8 * 1024 * 1024
OWNERS_AND_EDITORS = "Only the blog's owners and editors can export it."


@bp.get("/")
def download() -> Response:
    require_role("owner", "editor", message=OWNERS_AND_EDITORS)
    subscribers = request.args.get("subscribers") == "1"
    if subscribers:
        require_role("owner", message="Only the blog's owners can export its subscribers.")
    archive = SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115 - send_file closes it
    export_markdown(g.tenant, archive, subscribers=subscribers)
    archive.seek(0)
    return send_file(
        archive,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{g.tenant.subdomain}-export-{utcnow():%Y-%m-%d}.zip",
    )


@bp.get("/options")
def options() -> str:
    """What an export holds, and the owners' choice of taking the subscribers along."""
    require_role("owner", message="Editors export from the Posts page; owners choose here.")
    return render_template(
        "dashboard/export.html", tenant=g.tenant, subscribers=sum(counts(g.tenant).values())
    )
