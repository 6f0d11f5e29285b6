"""Input rules shared by forms and the CLI: each check returns a message or None."""

import re
import unicodedata

SUBDOMAIN_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
SUBDOMAIN_MIN, SUBDOMAIN_MAX = 3, 30

# Names a blog may not take: they are, or look like, parts of the platform.
RESERVED_SUBDOMAINS = frozenset(
    [
        "about",
        "abuse",
        "account",
        "accounts",
        "admin",
        "administrator",
        "api",
        "app",
        "apps",
        "assets",
        "auth",
        "billing",
        "blog",
        "blogs",
        "cdn",
        "dashboard",
        "dev",
        "docs",
        "email",
        "feed",
        "feeds",
        "ftp",
        "help",
        "hostmaster",
        "imap",
        "inkwell",
        "login",
        "logout",
        "mail",
        "media",
        "mx",
        "news",
        "ns",
        "ns1",
        "ns2",
        "official",
        "pop",
        "postmaster",
        "root",
        "security",
        "signup",
        "smtp",
        "ssl",
        "staging",
        "static",
        "status",
        "support",
        "system",
        "test",
        "webmaster",
        "www",
    ]
)

# C0 controls, DEL and C1 controls: invisible, and forbidden in XML (feeds).
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def normalize_subdomain(value: str) -> str:
    """Fold what a user may type (case, full-width forms, spaces) to the stored form."""
    return unicodedata.normalize("NFKC", value).strip().lower()


def subdomain_problem(subdomain: str) -> str | None:
    """Why `subdomain` (already normalized) cannot name a blog, or None."""
    if not SUBDOMAIN_MIN <= len(subdomain) <= SUBDOMAIN_MAX:
        return f"Use {SUBDOMAIN_MIN} to {SUBDOMAIN_MAX} characters."
    if not SUBDOMAIN_RE.fullmatch(subdomain):
        return (
            "Use only letters a-z, digits and hyphens, starting and ending with a letter or digit."
        )
    if "--" in subdomain:
        return "Two hyphens in a row are not allowed."
    if subdomain in RESERVED_SUBDOMAINS:
        return f"“{subdomain}” is reserved. Please choose another address."
    return None


def single_line_problem(value: str) -> str | None:
    """Why `value` cannot be a one-line text such as a title or name, or None."""
    if _CONTROL_RE.search(value):
        return "Remove control characters (such as NUL or line breaks)."
    return None


# What XML 1.0 forbids (feeds must parse): C0 controls but tab, newline and
# carriage return; U+FFFE/U+FFFF; lone surrogates. ESC (\x1b) is among them.
_XML_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def strip_forbidden(text: str) -> str:
    """`text` without the characters XML forbids, so it can go into a feed as is."""
    return _XML_FORBIDDEN_RE.sub("", text)


def slug_problem(slug: str) -> str | None:
    if not 1 <= len(slug) <= 200 or not SLUG_RE.fullmatch(slug):
        return "Use 1 to 200 letters a-z, digits and single hyphens."
    return None


def normalize_email(value: str) -> str:
    return value.strip().lower()
