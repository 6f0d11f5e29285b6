"""The settings' theme cards and their live preview, and the icon's choices.

The preview is a sandboxed iframe whose document (`dashboard/theme_preview.html`)
is the blog's index as readers see it: its name, description and newest posts,
then a code block, linking the blog's stylesheets (served on this host too, so the
platform's CSP needs no other origin). It shows the saved theme without JS; with
it (settings.js) picking a card or a code style swaps the frame's stylesheets, so
the owner sees a theme before saving it, light or dark as their system is."""

from typing import Any

from flask import render_template
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer
from pygments.styles import get_all_styles

from inkwell.platform.core.content import descriptions
from inkwell.platform.core.content.languages import direction
from inkwell.platform.core.content.posts import NEWEST_FIRST, listed_posts
from inkwell.platform.core.content.themes import THEME_CODE, THEMES
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Tenant
from inkwell.tenants import assets

PREVIEW_POSTS = 3
_SAMPLE = '''def greet(name: str) -> str:
    """Say hello; an f-string keeps it short."""
    return f"Hello, {name}!"  # 42
'''


def preview_document(tenant: Tenant, theme: str, code_style: str) -> str:
    """The preview frame's HTML: the blog's index with this theme and code style."""
    query = listed_posts().order_by(*NEWEST_FIRST).limit(PREVIEW_POSTS)
    posts = list(db.session.scalars(query))
    code = highlight(_SAMPLE, PythonLexer(), HtmlFormatter(cssclass="highlight"))
    return render_template(
        "dashboard/theme_preview.html",
        tenant=tenant,
        styles=assets.stylesheets(theme, code_style),
        description=Markup(descriptions.inline_html(tenant.description)),  # noqa: S704
        posts=posts,
        code=Markup(code),  # noqa: S704 - Pygments escapes the sample
        rtl=direction(tenant.language) == "rtl",
    )


def stylesheet_map() -> dict[str, Any]:
    """Each stylesheet a choice can link, by theme and by code style (settings.js)."""
    return {
        "themes": {name: assets.stylesheets(name, THEME_CODE) for name in THEMES},
        "codes": {name: assets.stylesheets("classic", name)[2] for name in get_all_styles()},
    }
