"""A blog's reader theme: its pages' type, measure and colours (light and dark, by
the reader's `prefers-color-scheme`), and the Pygments pair its code shows in when
the blog's "Code colours" are the theme's own (`THEME_CODE`).

The stylesheets are the site app's (`tenants.assets`); here is what a theme is
called and which code styles belong to it, for the settings form, imports and
the site alike."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Theme:
    name: str
    label: str
    blurb: str  # one line for the settings cards
    light_code: str  # Pygments style for the light variant
    dark_code: str  # and for the dark one


THEMES: dict[str, Theme] = {
    theme.name: theme
    for theme in (
        Theme(
            "classic",
            "Classic",
            "A quiet serif on white, sized for reading at any width.",
            "default",
            "github-dark",
        ),
        Theme(
            "longread",
            "Long read",
            "Book-like: larger serif on warm paper, a narrow column, generous leading.",
            "gruvbox-light",
            "gruvbox-dark",
        ),
        Theme(
            "compact",
            "Compact",
            "A plain sans-serif with monospace headings: dense, crisp, no ornament.",
            "xcode",
            "one-dark",
        ),
    )
}
DEFAULT_THEME = "classic"
# The code style that follows the theme (its light and dark pair) rather than one style.
THEME_CODE = "theme"


def theme_problem(name: str) -> str | None:
    """Why `name` is no theme (a message for a form or an import), or None."""
    if name in THEMES:
        return None
    return f"{name!r} is not a theme; choose one of {', '.join(THEMES)}."
