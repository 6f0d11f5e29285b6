"""Addresses made from text: `slugify` (any script, transliterated) and
`first_free` (`base`, `base-2`, ...), shared by posts, snippets and tags."""

import re
import unicodedata
from collections.abc import Container

from anyascii import anyascii

SLUG_MAX = 200


def slugify(text: str, limit: int = SLUG_MAX, fallback: str = "post") -> str:
    """ASCII `[a-z0-9-]` form of `text`, other scripts transliterated (`Русский` is
    `russkiy`, `日本語` is `ribenyu`), so different names rarely share an address;
    `fallback` when nothing is left (`++`)."""
    ascii_text = anyascii(unicodedata.normalize("NFC", text))
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or fallback


def first_free(base: str, taken: Container[str]) -> str:
    """`base`, or `base-2`, `base-3`..., whichever is not in `taken`."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
