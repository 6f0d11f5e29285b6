"""A blog's favicon and avatar: one image of its own library (`Tenant.icon_media_id`),
linked from every page as `<link rel="icon">` at its smallest variant; without one
(or while its files are being made) pages keep the inline SVG.

Chosen in the settings (checked there to be an image of the blog); here is what
reads it and drops it with its image, as `covers` does for post covers."""

from sqlalchemy import select

from inkwell.platform.core.content.changes import content_changed
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Media, Tenant


def icon_of(tenant: Tenant) -> Media | None:
    """The blog's icon image when its files are ready, else None (current blog's scope)."""
    if tenant.icon_media_id is None:
        return None
    query = select(Media).where(Media.id == tenant.icon_media_id, Media.state == "ready")
    media = db.session.scalar(query)
    return media if media is not None and media.widths else None


def icon_file(media: Media) -> str:
    """The file the pages link: the smallest variant, in the image's own format
    (browsers take PNG, JPEG, GIF and WebP icons alike)."""
    return media.file_name(min(media.widths), media.extension)


def drop_icon(tenant: Tenant, media_id: int) -> bool:
    """The blog's icon is no longer `media_id` (the image is being deleted): whether
    it was. Readers see the change at once."""
    if tenant.icon_media_id != media_id:
        return False
    # Not a settings save: an owner's open settings form keeps its revision.
    tenant.icon_media_id = None
    content_changed(tenant, "settings")
    return True
