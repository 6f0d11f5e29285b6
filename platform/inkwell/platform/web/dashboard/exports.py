"""Download a blog's posts and snippets as a zip of Markdown files, which an import
reads back as the same blog (see `core.portability.markdown_io`).
"""

from tempfile import SpooledTemporaryFile

from flask import g, send_file
from werkzeug.wrappers import Response

from inkwell.platform.core.portability.markdown_io import export_markdown
from inkwell.platform.core.types import utcnow
from inkwell.platform.web.dashboard.blog_scope import blog_blueprint, require_role

bp = blog_blueprint("exports", __name__, "/export")

# Small blogs stay in memory; a large export spills to a temporary file, not RAM.
IN_MEMORY_BYTES = 8 * 1024 * 1024


@bp.get("/")
def download() -> Response:
    require_role("owner", "editor", message="Only the blog's owners and editors can export it.")
    archive = SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115 - send_file closes it
    export_markdown(g.tenant, archive)
    archive.seek(0)
    return send_file(
        archive,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{g.tenant.subdomain}-export-{utcnow():%Y-%m-%d}.zip",
    )
