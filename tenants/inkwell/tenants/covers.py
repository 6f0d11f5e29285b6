"""A post's cover image where readers' software looks for it: `og:image` (with its
type, size and alt) on the post's page, and in feeds an Atom `enclosure` link (an
RSS `<enclosure>`) plus Media RSS `<media:content medium="image">`, the element
Feedly, Inoreader and NetNewsWire take an entry's picture from (`feeds/atom.xml`,
`feeds/rss.xml`), and a JSON Feed item's `image` (`json_feed`).

One variant serves all of them: the narrowest at least OG_WIDTH wide (link previews
show up to about that on sharp screens), else the widest there is, in the image's
own format (JPEG, PNG or GIF, which every previewer reads; a WebP stays WebP), as
an absolute URL, since previews and readers fetch it from elsewhere.
"""

from dataclasses import dataclass
from urllib.parse import urljoin

from flask import Flask, g

from inkwell.platform.core.hosts import blog_url
from inkwell.platform.core.media.images import CONTENT_TYPES
from inkwell.platform.core.media.library import variant_url
from inkwell.platform.core.models import Media, Post

OG_WIDTH = 1080


@dataclass(frozen=True)
class Cover:
    url: str
    type: str
    width: int
    height: int
    alt: str


def init_app(app: Flask) -> None:
    app.add_template_global(cover_image)


def cover_width(media: Media) -> int:
    """The width of the variant a cover names (a mirror holds that file too)."""
    wide_enough = [w for w in media.widths if w >= OG_WIDTH]
    return min(wide_enough) if wide_enough else max(media.widths)


def cover_image(post: Post) -> Cover | None:
    """The post's cover as previews and feeds name it; None without one (or while
    its files are still being made)."""
    media = post.cover
    if media is None or media.state != "ready" or not media.widths:
        return None
    width = cover_width(media)
    url = variant_url(media, width, media.extension, g.tenant.uuid)
    return Cover(
        url=urljoin(blog_url(g.tenant, "/"), url),
        type=CONTENT_TYPES[media.extension],
        width=width,
        height=round(media.height * width / media.width),
        alt=media.alt,
    )
