"""What a blog's pages take from its settings besides content: the language and
direction of `<html>`, the description under the title (inline Markdown,
`content.descriptions`) and the favicon from its library (`content.blog_icons`),
whose file a mirror copies like a post's images (`mirror.images`)."""

from dataclasses import dataclass

from flask import Flask
from markupsafe import Markup

from inkwell.platform.core.content import descriptions
from inkwell.platform.core.content.blog_icons import icon_file
from inkwell.platform.core.content.languages import direction
from inkwell.platform.core.media.images import CONTENT_TYPES
from inkwell.tenants import content


@dataclass(frozen=True)
class Icon:
    file: str  # linked as url_for("site_media.media_file", name=file) by the templates
    type: str


def init_app(app: Flask) -> None:
    app.add_template_global(blog_icon)
    app.add_template_global(direction, "text_direction")
    app.add_template_filter(description_html)
    app.add_template_filter(descriptions.plain_text, "description_text")


def blog_icon() -> Icon | None:
    """The current blog's favicon, or None for the inline SVG. Pages link it through
    the blog's own /media/ route (also under MEDIA_PUBLIC_URL) with the templates'
    url_for, which a freeze makes relative: a mirror read from disk finds it."""
    media = content.current().icon()
    if media is None:
        return None
    return Icon(file=icon_file(media), type=CONTENT_TYPES[media.extension])


def description_html(text: str) -> Markup:
    """The description's first paragraph as safe inline HTML (cleaned by nh3)."""
    return Markup(descriptions.inline_html(text))  # noqa: S704
