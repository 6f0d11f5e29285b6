"""A blog's language: a BCP 47 tag (`en`, `pt-BR`, `zh-Hant`) on its pages'
`<html lang>` and in its feeds, and the direction its pages are laid out in.

The settings offer common languages; any well-formed tag is accepted (an import
may carry one), checked by shape (language, optional script, region), not
against the registry."""

import re

DEFAULT_LANGUAGE = "en"

# (tag, name in the language itself): what the settings list.
COMMON_LANGUAGES: tuple[tuple[str, str], ...] = (
    ("ar", "العربية (Arabic)"),
    ("ca", "Català (Catalan)"),
    ("cs", "Čeština (Czech)"),
    ("da", "Dansk (Danish)"),
    ("de", "Deutsch (German)"),
    ("el", "Ελληνικά (Greek)"),
    ("en", "English"),
    ("es", "Español (Spanish)"),
    ("fa", "فارسی (Persian)"),
    ("fi", "Suomi (Finnish)"),
    ("fr", "Français (French)"),
    ("he", "עברית (Hebrew)"),
    ("hi", "हिन्दी (Hindi)"),
    ("hu", "Magyar (Hungarian)"),
    ("id", "Bahasa Indonesia (Indonesian)"),
    ("it", "Italiano (Italian)"),
    ("ja", "日本語 (Japanese)"),
    ("ko", "한국어 (Korean)"),
    ("nl", "Nederlands (Dutch)"),
    ("no", "Norsk (Norwegian)"),
    ("pl", "Polski (Polish)"),
    ("pt", "Português (Portuguese)"),
    ("pt-BR", "Português do Brasil (Brazilian Portuguese)"),
    ("ro", "Română (Romanian)"),
    ("ru", "Русский (Russian)"),
    ("sv", "Svenska (Swedish)"),
    ("th", "ไทย (Thai)"),
    ("tr", "Türkçe (Turkish)"),
    ("uk", "Українська (Ukrainian)"),
    ("ur", "اردو (Urdu)"),
    ("vi", "Tiếng Việt (Vietnamese)"),
    ("zh-Hans", "简体中文 (Chinese, simplified)"),
    ("zh-Hant", "繁體中文 (Chinese, traditional)"),
)

# language[-script][-region], each part as BCP 47 shapes it.
_TAG_RE = re.compile(r"([a-z]{2,3})(?:-([A-Z][a-z]{3}))?(?:-([A-Z]{2}|[0-9]{3}))?")
_RTL_LANGUAGES = frozenset(
    ["ar", "arc", "ckb", "dv", "fa", "he", "ks", "ps", "sd", "ug", "ur", "yi"]
)
_RTL_SCRIPTS = frozenset(["Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg"])


def normalize_language(tag: str) -> str:
    """The tag in BCP 47's conventional case: `pt-br` -> `pt-BR`, `ZH-hant` -> `zh-Hant`."""
    parts = tag.strip().replace("_", "-").split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        out.append(part.title() if len(part) == 4 else part.upper())
    return "-".join(out)


def language_problem(tag: str) -> str | None:
    """Why `tag` (normalized) is no language tag this platform takes, or None."""
    if _TAG_RE.fullmatch(tag):
        return None
    return f"“{tag}” is not a language tag: use a BCP 47 tag such as en, fr, pt-BR or zh-Hant."


def direction(tag: str) -> str:
    """ "rtl" for a language written right to left (by its script if the tag names
    one, else by the language), else "ltr"."""
    match = _TAG_RE.fullmatch(tag)
    if match is None:
        return "ltr"
    language, script = match[1], match[2]
    if script:
        return "rtl" if script in _RTL_SCRIPTS else "ltr"
    return "rtl" if language in _RTL_LANGUAGES else "ltr"
