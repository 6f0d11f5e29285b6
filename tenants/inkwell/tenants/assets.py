"""Stylesheets and the comments script under content-hashed names
(`/assets/site.3f9a1c2e.css`, `/assets/theme-longread.0c1d2e3f.css`,
`/assets/code-monokai.91b0d4aa.css` or a theme's own pair
`/assets/code-theme-classic.5a6b7c8d.css`, `/assets/comments.5b0e2d71.js`), and a
blog's own CSS (`/assets/custom-<hash>.css`, the cleaned text of
`core.content.custom_css`): a new release, style or CSS gets a new name, so
browsers, CDNs and static mirrors may keep any one of them for a year.

A page links site.css (the structure every theme shares), its theme's file (type,
measure and colours as custom properties, light and dark), its code colours
(`code_styles`), then the blog's own CSS last, so owners can override a theme."""

import hashlib
import mimetypes
from functools import cache
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, g
from pygments.styles import get_all_styles

from inkwell.platform.core.content.themes import THEME_CODE, THEMES
from inkwell.platform.core.models import Tenant
from inkwell.tenants.code_styles import style_css, theme_pair_css

bp = Blueprint("assets", __name__, url_prefix="/assets")

STATIC = Path(__file__).parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
CODE_PREFIX = "code-"
THEME_PREFIX = "theme-"  # theme-<name>.css, in STATIC
PAIR_PREFIX = CODE_PREFIX + THEME_PREFIX  # code-theme-<name>.css, a theme's code pair
CUSTOM_PREFIX = "custom-"


COMMENTS_SCRIPT = "comments.js"


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(asset_name)
    app.add_template_global(has_comments)
    app.add_template_global(custom_css_name)
    app.add_template_global(stylesheet_names)


def has_comments(tenant: Tenant) -> bool:
    """Whether the blog's posts embed comments, and so link COMMENTS_SCRIPT."""
    return tenant.comments_provider in ("disqus", "discourse") and bool(tenant.comments_target)


def asset_name(name: str) -> str:
    """The hashed name of the static file `name`, or of `code-<style>.css` for a
    Pygments style; templates link it with url_for("assets.asset", filename=...),
    so a frozen page gets a relative link."""
    hashed = _fingerprinted(name)
    if hashed is None:
        raise LookupError(f"no asset {name!r}")
    return hashed


def asset_names(tenant: Tenant) -> list[str]:
    """The hashed names one blog's pages link to (for freezing): the scripts (the
    comments one only if its posts embed comments), its theme's stylesheets, its own
    CSS only if it has some."""
    comments = has_comments(tenant)
    files = (p for p in sorted(STATIC.iterdir()) if p.suffix == ".js")
    scripts = [p.name for p in files if comments or p.name != COMMENTS_SCRIPT]
    hashed = [name for name in map(_fingerprinted, scripts) if name]
    return hashed + stylesheet_names(tenant) + [name for name in [custom_css_name(tenant)] if name]


def stylesheet_names(tenant: Tenant) -> list[str]:
    """The hashed names of the blog's stylesheets but its own CSS, in linking order."""
    return [asset_name(name) for name in _stylesheets(tenant.theme, tenant.code_style)]


def _stylesheets(theme: str, code_style: str) -> list[str]:
    code = f"{PAIR_PREFIX}{theme}" if code_style == THEME_CODE else f"{CODE_PREFIX}{code_style}"
    return ["site.css", f"{THEME_PREFIX}{theme}.css", f"{code}.css"]


def custom_css_name(tenant: Tenant) -> str | None:
    """The hashed name of the blog's own stylesheet, or None when it has none."""
    if not tenant.custom_css:
        return None
    return f"{CUSTOM_PREFIX}{hashlib.sha256(tenant.custom_css.encode()).hexdigest()[:16]}.css"


def stylesheets(theme: str, code_style: str) -> list[str]:
    """The paths of the stylesheets a blog's pages link to with this theme and code
    style, its own CSS left out (the editor's preview, the settings' theme preview)."""
    return [f"{bp.url_prefix}/{asset_name(name)}" for name in _stylesheets(theme, code_style)]


@bp.get("/<filename>")
def asset(filename: str) -> Response:
    found = _by_hashed_name().get(filename) or _code_stylesheet(filename) or _custom(filename)
    if found is None:
        abort(404)
    # The type by suffix: under `nosniff` a script served as text/css would not run.
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return Response(found, mimetype=mimetype, headers={"Cache-Control": IMMUTABLE})


@cache
def _fingerprinted(name: str) -> str | None:
    body = _source(name)
    if body is None:
        return None
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{hashlib.sha256(body).hexdigest()[:8]}{dot}{suffix}"


def _source(name: str) -> bytes | None:
    if name.startswith(PAIR_PREFIX) and name.endswith(".css"):
        theme = name.removeprefix(PAIR_PREFIX).removesuffix(".css")
        return theme_pair_css(theme) if theme in THEMES else None
    if name.startswith(CODE_PREFIX) and name.endswith(".css"):
        style = name.removeprefix(CODE_PREFIX).removesuffix(".css")
        return style_css(style) if style in _styles() else None
    path = STATIC / name
    return path.read_bytes() if path.is_file() and path.parent == STATIC else None


@cache
def _by_hashed_name() -> dict[str, bytes]:
    files = (p for p in STATIC.iterdir() if p.is_file())
    return {_fingerprinted(p.name) or "": p.read_bytes() for p in files}


def _code_stylesheet(filename: str) -> bytes | None:
    # code-<style>.<hash>.css: serve only the name whose hash matches today's CSS.
    name, _, _ = filename.rpartition(".")
    style_name = name.rpartition(".")[0] + ".css"
    if style_name.startswith(CODE_PREFIX) and _fingerprinted(style_name) == filename:
        return _source(style_name)
    return None


def _custom(filename: str) -> bytes | None:
    # Only today's name: an old one would be cached a year with other content.
    if filename.startswith(CUSTOM_PREFIX) and filename == custom_css_name(g.tenant):
        return g.tenant.custom_css.encode()
    return None


@cache
def _styles() -> frozenset[str]:
    return frozenset(get_all_styles())
