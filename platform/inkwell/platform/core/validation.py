"""Input rules shared by forms and the CLI: each check returns a message or None, and
each normalize_* gives the one stored form of what a user may type in several ways."""

import contextlib
import re
import unicodedata

import idna

SUBDOMAIN_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
SUBDOMAIN_MIN, SUBDOMAIN_MAX = 3, 30

# Names a blog may not take. Each word's plural is reserved with it (`admins`,
# `apis`, `statuses`): a plural reads as the same part of the platform.

# Parts of the platform, or words that look like one.
_PLATFORM_WORDS = [
    "about",
    "abuse",
    "account",
    "admin",
    "administrator",
    "api",
    "app",
    "asset",
    "auth",
    "billing",
    "blog",
    "cdn",
    "dashboard",
    "dev",
    "doc",
    "feed",
    "help",
    "hostmaster",
    "inkwell",
    "login",
    "logout",
    "media",
    "news",
    "official",
    "postmaster",
    "root",
    "security",
    "signup",
    "staging",
    "static",
    "status",
    "support",
    "system",
    "test",
    "webmaster",
]

# Names that mail clients, resolvers and browsers look up under a domain by
# convention. A blog there could answer for the whole blog domain: publish its
# MTA-STS policy (`mta-sts`), configure mail clients (`autoconfig`,
# `autodiscover`), serve OpenPGP keys (`openpgpkey`), proxy browsers (`wpad`,
# `isatap`), or pass for its mail and name servers. DNS's own underscore labels
# (`_dmarc`, `_domainkey`, `_mta-sts`, `_acme-challenge`) need no entry: a
# subdomain has only letters, digits and hyphens (SUBDOMAIN_RE).
_INFRASTRUCTURE_WORDS = [
    "autoconfig",
    "autodiscover",
    "broadcasthost",
    "caldav",
    "carddav",
    "dns",
    "email",
    "enterpriseenrollment",
    "enterpriseregistration",
    "ftp",
    "imap",
    "ipv4",
    "ipv6",
    "isatap",
    "ldap",
    "localdomain",
    "localhost",
    "lyncdiscover",
    "mail",
    "mta-sts",
    "mx",
    "ns",
    "ntp",
    "openpgpkey",
    "pop",
    "pop3",
    "proxy",
    "sftp",
    "sip",
    "smtp",
    "ssh",
    "ssl",
    "vpn",
    "webmail",
    "wpad",
    "www",
    "xmpp",
]


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return f"{word}es"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "i", "o", "u"):
        return f"{word[:-1]}ies"
    return f"{word}s"


RESERVED_SUBDOMAINS = frozenset(
    name for word in (*_PLATFORM_WORDS, *_INFRASTRUCTURE_WORDS) for name in (word, _plural(word))
)

# Numbered servers (ns1, mx2, smtp01, www3), as DNS and mail setups name them.
_NUMBERED_HOST_RE = re.compile(r"(?:dns|ftp|imap|mail|mx|ns|pop|smtp|vpn|web|www)[0-9]+")

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
    if subdomain in RESERVED_SUBDOMAINS or _NUMBERED_HOST_RE.fullmatch(subdomain):
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
    """The one stored form of an email address, so a mailbox is one account however
    its address is typed: trimmed, NFC, lowercased, and the domain in ASCII (IDNA 2008
    A-labels after UTS #46 mapping, so full-width and upper-case letters fold too).
    `User@Bücher.Example` and `user@xn--bcher-kva.example` are both
    `user@xn--bcher-kva.example`: ASCII because every SMTP server takes it (a Unicode
    domain needs SMTPUTF8) and the database then compares plain ASCII on every backend.
    A domain that is not valid IDNA is only lowercased: signup validates addresses, so
    no account has one, and a login with it matches nothing instead of failing."""
    address = unicodedata.normalize("NFC", value.strip())
    local, at, domain = address.rpartition("@")
    if not at:
        return address.lower()
    with contextlib.suppress(idna.IDNAError):  # not IDNA: keep it, lowercased below
        domain = idna.encode(domain, uts46=True).decode("ascii")
    return f"{local.lower()}@{domain.lower()}"
