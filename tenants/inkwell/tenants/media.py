"""The blog's images on its own host: `/media/<hash>-<width>.<ext>`, the names
`content.images` puts in post pages (`core.media.serving` reads them).

A name never changes what it holds, so answers are cached a year as immutable;
the type comes from the extension (the security middleware adds `nosniff`, so no
browser takes an image for a page). Another blog's file, an upload still being
processed or any other name is a 404. Images are not kept in the page cache
(`direct_passthrough`): browsers and CDNs keep them, and they would crowd out pages.
When MEDIA_PUBLIC_URL is set, pages link to the store itself and this route is
only a fallback.
"""

from flask import Blueprint, abort, g
from werkzeug.wrappers import Response

from inkwell.platform.core.media.serving import read_file
from inkwell.platform.core.storage import StorageError

bp = Blueprint("site_media", __name__, url_prefix="/media")

IMMUTABLE = "public, max-age=31536000, immutable"


@bp.get("/<name>")
def media_file(name: str) -> Response:
    try:
        found = read_file(g.tenant, name)
    except StorageError:
        abort(503)
    if found is None:
        abort(404)
    return Response(
        [found.data],
        mimetype=found.content_type,
        direct_passthrough=True,
        headers={
            "Cache-Control": IMMUTABLE,
            "Content-Length": str(len(found.data)),
            "ETag": f'"{name}"',
        },
    )
