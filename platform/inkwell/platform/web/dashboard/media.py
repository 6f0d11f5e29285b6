"""Uploading images to the blog's media library, for the editor's scripts.

    POST /blogs/<sub>/media         multipart: `file`, optional `alt`; the CSRF token
                                    in the `X-CSRFToken` header or a `csrf_token` field
      201 {"id", "markdown", "url", "thumb_url", "width", "height", "name", "alt", "state"}
      4xx {"error": "<a sentence for the blogger>"}
    GET  /blogs/<sub>/media/<file>  one of the blog's image files, for members (the
                                    editor's preview and the library, on this host)

Any member may upload (authors write posts with images too). Every error is JSON
(`answers_json`): 400 no file or a bad token, 401 logged out, 403 a suspended blog
or its storage quota, 404 not a member, 413 too large (bytes or pixels), 415 not
an image we take (SVG included), 422 damaged. The body may be MEDIA_MAX_BYTES and
a little more: the limit is raised in a URL value preprocessor, which runs before
the CSRF check reads the body. The upload's processing is relayed right after its
commit, so in the embedded mode (no broker) the answer already says "ready".
"""

from flask import current_app, g, jsonify, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from inkwell.platform.core import outbox
from inkwell.platform.core.content.images import fallback_width
from inkwell.platform.core.content.revisions import Actor
from inkwell.platform.core.error_pages import degrading
from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits.quotas import QuotaExceeded
from inkwell.platform.core.media.library import (
    MediaRefused,
    accept_upload,
    markdown_reference,
    variant_url,
)
from inkwell.platform.core.media.serving import read_file
from inkwell.platform.core.models import Media
from inkwell.platform.web.dashboard.blog_scope import blog_blueprint, json_error
from inkwell.tenants.links import rewrite_links
from inkwell.workers import relay

bp = blog_blueprint("media", __name__, "/media", answers_json=True)

# Room for the multipart framing and the alt text around the file itself.
MULTIPART_ALLOWANCE = 64 * 1024
THUMB_WIDTH = 320


@bp.url_value_preprocessor
def _allow_image_bodies(endpoint: str | None, _values: object) -> None:
    if endpoint == "media.upload":
        request.max_content_length = current_app.config["MEDIA_MAX_BYTES"] + MULTIPART_ALLOWANCE


@bp.errorhandler(RequestEntityTooLarge)
@degrading
def _too_large(_error: RequestEntityTooLarge) -> Response:
    most = current_app.config["MEDIA_MAX_BYTES"] / 1e6
    return json_error(f"This file is too large: images may be at most {most:g} MB.", 413)


@bp.post("")
def upload() -> Response:
    sent = request.files.get("file")
    if sent is None:
        return json_error("Choose an image file to upload.", 400)
    try:
        media_id = _accepted(sent.filename or "", sent.read(), request.form.get("alt", ""))
    except (MediaRefused, QuotaExceeded) as refused:
        db.session.rollback()
        return json_error(str(refused), refused.status)
    # Processing now, not at teardown: inline (no broker) the answer can say "ready".
    relay.publish(outbox.pending(outbox.committed_ids()))
    answer = jsonify(described(db.session.get_one(Media, media_id)))
    answer.status_code = 201
    return answer


def _accepted(filename: str, data: bytes, alt: str) -> int:
    """The id of the image the upload is, committed."""
    actor = Actor(current_user.email, current_user.id)
    try:
        media = accept_upload(g.tenant, filename, data, actor, alt=alt)
        db.session.commit()
    except IntegrityError:  # the same file, uploaded at the same moment: that one
        db.session.rollback()
        media = accept_upload(g.tenant, filename, data, actor, alt=alt)
        db.session.commit()
    return media.id


def described(media: Media) -> dict[str, object]:
    """The JSON of an image, as the editor and the library read it."""
    url = variant_url(media, fallback_width(media), media.extension)
    thumb = min(media.widths, key=lambda width: abs(width - THUMB_WIDTH))
    return {
        "id": media.id,
        "markdown": markdown_reference(media),
        "url": preview_url(url),
        "thumb_url": preview_url(variant_url(media, thumb, "webp")),
        "width": media.width,
        "height": media.height,
        "name": media.name,
        "alt": media.alt,
        "state": media.state,
        "message": media.message,
    }


def preview_url(url: str) -> str:
    """A blog-host image path as this host serves it to members (`/media/x` ->
    `/blogs/<sub>/media/x`); a URL of the store (MEDIA_PUBLIC_URL) as it is."""
    if url.startswith("/media/"):
        return url_for("media.media_file", name=url.removeprefix("/media/"))
    return url


def preview_links(html: str) -> str:
    """Rendered HTML with the blog's images linked on this host (`preview_url`), for
    the editor's preview, which is shown on the platform's host, not the blog's."""
    return rewrite_links(html, preview_url)


@bp.get("/<name>")
def media_file(name: str) -> Response:
    found = read_file(g.tenant, name)
    if found is None:
        return json_error("There is no such image in this blog.", 404)
    response = Response(found.data, mimetype=found.content_type)
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    return response
