"""The code colours of a blog's pages: one Pygments style, or its theme's pair
(light and dark, by `prefers-color-scheme`).

Every stylesheet gives `.highlight` its own background and text colour (the
`--code-bg` and `--code-fg` the page's code boxes, line numbers included, are
drawn with), so code never inherits the page's text colour: many styles name no
colour for plain text, and a dark page's light text on a light style's box, or
the reverse, was unreadable. A style's own text colour is kept when it reads on
its background (WCAG contrast ≥ 4.5), else black or white, whichever reads better.
So are its token colours: one that reads worse (many styles' comments, Solarized's
cyan) is moved toward that black or white just until it reads, keeping its hue."""

import re
from functools import cache

from pygments.formatters import HtmlFormatter
from pygments.styles import get_style_by_name
from pygments.token import Text, Token

from inkwell.platform.core.content.themes import THEMES

READABLE = 4.5  # WCAG AA for body text
# A token's rule as Pygments writes it, with its colour; not one with a background
# of its own (errors, highlighted lines), which is read against that.
_LINE_NUMBERS_RE = re.compile(r"^(?:td|span)\.linenos.*\n", re.M)
_TOKEN_RULE_RE = re.compile(
    r"^(\.highlight \.[\w-]+ \{ color: )(#[0-9A-Fa-f]{6})(?![^}]*background)", re.M
)


def base_colours(style: str) -> tuple[str, str]:
    """(background, text colour) of code blocks in `style`, as #rrggbb."""
    found = get_style_by_name(style)
    background = _hex(found.background_color) or "#ffffff"
    for token in (Text, Token):
        colour = _hex(found.style_for_token(token)["color"])
        if colour and contrast(colour, background) >= READABLE:
            return background, colour
    black, white = "#000000", "#ffffff"
    return background, max(black, white, key=lambda c: contrast(c, background))


@cache
def style_css(style: str) -> bytes:
    """The stylesheet of one Pygments style, light and dark pages alike."""
    return _rules(style).encode()


@cache
def theme_pair_css(theme: str) -> bytes:
    """The stylesheet of a theme's own pair: each half only in its colour scheme
    (one matches: no preference counts as light), so no token colour of one leaks
    into the other."""
    pair = THEMES[theme]
    light = f"@media (prefers-color-scheme: light) {{\n{_rules(pair.light_code)}}}\n"
    return (
        light + f"@media (prefers-color-scheme: dark) {{\n{_rules(pair.dark_code)}}}\n"
    ).encode()


def _rules(style: str) -> str:
    """Pygments' rules for `style`, its token colours made readable, its line-number
    colours left out (the box's own, below), then the box itself, last so it wins
    over Pygments' own `.highlight` rule."""
    background, colour = base_colours(style)
    numbers = readable(_mix(colour, background, 0.4), background)
    defs = HtmlFormatter(style=style).get_style_defs(".highlight")
    defs = _LINE_NUMBERS_RE.sub("", defs)
    defs = _TOKEN_RULE_RE.sub(lambda m: m[1] + readable(m[2], background), defs)
    box = (
        f".highlight {{ --code-bg: {background}; --code-fg: {colour}; --code-muted: {numbers};"
        f" background: {background}; color: {colour}; }}\n"
    )
    return defs + "\n" + box


def readable(colour: str, background: str) -> str:
    """`colour` (#rrggbb), or the nearest mix of it with black or white (whichever
    reads better on `background`) that reads on `background`."""
    colour = _hex(colour) or colour
    if contrast(colour, background) >= READABLE:
        return colour
    target = max("#000000", "#ffffff", key=lambda c: contrast(c, background))
    for step in range(1, 21):
        mixed = _mix(colour, target, step / 20)
        if contrast(mixed, background) >= READABLE:
            return mixed
    return target


def _mix(colour: str, target: str, share: float) -> str:
    channels = (
        round(int(colour[i : i + 2], 16) * (1 - share) + int(target[i : i + 2], 16) * share)
        for i in (1, 3, 5)
    )
    return "#" + "".join(f"{c:02x}" for c in channels)


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _hex(colour: str | None) -> str | None:
    """`colour` as #rrggbb (Pygments writes `#fff`, `fff`, `#FFFFFF`), or None."""
    if not colour:
        return None
    digits = colour.lstrip("#").lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    if len(digits) != 6 or any(c not in "0123456789abcdef" for c in digits):
        return None
    return "#" + digits
