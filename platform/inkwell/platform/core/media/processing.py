"""Making an accepted image's files (the `media` queue's task calls `process`):
read the upload kept in `incoming/`, make the original and the variants
(`images.make_files`), store each under its immutable name, record their bytes
and mark the image ready (a change readers see if public posts show it: the
mirror then copies its files), then drop the upload (the only copy with metadata).

A file that fails here (Pillow finds it damaged past the checked part) marks the
image failed with a message for the library, and its upload is dropped; a store
that fails (StorageError) leaves it "processing" for the sweeper's next attempt. Running
twice is harmless: only an image still "processing" is processed, and every
name it writes holds the same bytes.
"""

import logging

from flask import current_app
from sqlalchemy import select

from inkwell.platform.core import tenancy
from inkwell.platform.core.content.changes import content_changed
from inkwell.platform.core.extensions import db
from inkwell.platform.core.media import images
from inkwell.platform.core.media.library import area, incoming_key, posts_using
from inkwell.platform.core.models import Media, Post, Tenant
from inkwell.platform.core.storage import StorageError

log = logging.getLogger(__name__)

IMMUTABLE = "public, max-age=31536000, immutable"
FAILED = "This image could not be processed ({error}). Upload it again, or another copy of it."


def process(tenant_id: int, media_id: int) -> str:
    """Make the files of one image and commit; its state afterwards ("gone" if deleted)."""
    with tenancy.tenant_scope(tenant_id):
        media = db.session.get(Media, media_id)
        if media is None or media.state != "processing":
            return media.state if media else "gone"
        tenant = db.session.get(Tenant, tenant_id)
        assert tenant is not None  # a tenant's rows go with it
        store = area(tenant)
        try:
            data = store.read(incoming_key(media))
            config = current_app.config
            found = images.describe(
                data, config["MEDIA_MAX_PIXELS"], config["MEDIA_MAX_ANIMATION_PIXELS"]
            )
            files = images.make_files(data, found)
        except StorageError:
            raise  # the store is down: the task gives its row back for a later attempt
        except images.DAMAGED as error:  # ImageRefused, and an upload gone missing, among them
            log.warning("media %s of blog %s failed: %s", media_id, tenant_id, error)
            media.state, media.message = "failed", FAILED.format(error=error)
        else:
            for file in files:
                name, content_type = (
                    media.file_name(file.width, file.ext),
                    images.CONTENT_TYPES[file.ext],
                )
                store.put_bytes(name, file.data, content_type, IMMUTABLE)
            media.stored_bytes = sum(len(file.data) for file in files)
            media.state = "ready"
            _now_shown(tenant, media)
        db.session.commit()
        store.delete([incoming_key(media)])
        return media.state


def _now_shown(tenant: Tenant, media: Media) -> None:
    """Tell readers' copies (the mirror) that public posts' images now exist: a post
    published while its image (or cover) was being processed has pages naming
    files that were not there yet, or none at all."""
    covered = db.session.scalars(select(Post).where(Post.cover_media_id == media.id))
    shown = {post.id for post in [*posts_using(media), *covered] if post.status == "published"}
    if shown:
        content_changed(tenant, "posts", tuple(sorted(shown)))
