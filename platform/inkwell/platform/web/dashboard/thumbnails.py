"""Library images as the dashboard shows them (the media library, the editor's
cover choices): a small WebP variant, from this host (`media.preview_url`)."""

from sqlalchemy import or_, select

from inkwell.platform.core.extensions import db
from inkwell.platform.core.media.library import variant_url
from inkwell.platform.core.models import Media
from inkwell.platform.web.dashboard.media import preview_url

# What the pickers offer (the upload refuses anything else, saying why).
ACCEPTED_TYPES = "image/jpeg,image/png,image/gif,image/webp"
# A library card shows its image up to about 15rem wide: sharp at twice that.
CARD_WIDTH = 480
# A cover choice is about 7rem wide.
CHOICE_WIDTH = 240
# The editor offers the newest images as covers, and the current one.
COVER_CHOICES = 24


def thumb_url(media: Media, at_least: int = CARD_WIDTH) -> str:
    """`media`'s narrowest WebP variant at least `at_least` px wide (else its widest)."""
    wide_enough = [w for w in media.widths if w >= at_least]
    width = min(wide_enough) if wide_enough else max(media.widths, default=media.width)
    return preview_url(variant_url(media, width, "webp"))


def choice_url(media: Media) -> str:
    return thumb_url(media, CHOICE_WIDTH)


def cover_choices(current: int | None) -> list[Media]:
    """The images the editor offers as the cover: the newest ready ones, and `current`."""
    newest = select(Media.id).where(Media.state == "ready").order_by(Media.id.desc())
    shown = newest.limit(COVER_CHOICES).scalar_subquery()
    query = select(Media).where(or_(Media.id.in_(shown), Media.id == (current or 0)))
    return list(db.session.scalars(query.order_by(Media.id.desc())))
