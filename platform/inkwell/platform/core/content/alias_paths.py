"""The one stored form of an old address of a post, whatever way it came in.

An old address is any path of the blog's old site, or WordPress's query form on
the home page:

    typed or imported                         stored           answered at
    /old-slug/, old-slug                      old-slug         /old-slug/
    /2019/05/slug/, https://old.example/2019/05/slug
                                              2019/05/slug     /2019/05/slug/ and without the slash
    /p/slug, /p/slug/                         p/slug           /p/slug and /p/slug/
    /?p=123, /index.php?p=123&preview=true    ?p=123           /?p=123
    /?page_id=7                               ?page_id=7       /?page_id=7

Without the slashes at either end, so `/p/slug` and `/p/slug/` are one alias (an
old site answered one and redirected the other) and a slug alias of before is
its own stored form. Percent-escapes are decoded, as the request path the site
sees is. Refused, with a message for the writer: `..` or `.` parts, empty parts,
control characters or spaces, more than MAX_LENGTH characters, and paths the
blog answers itself (`/tags/...`, `/media/...`, `/feed.xml`, ...).
"""

import unicodedata
from collections.abc import Mapping
from urllib.parse import parse_qsl, unquote, urlsplit

# The column's size (post_aliases.slug).
MAX_LENGTH = 200
# WordPress's addresses of a post and of a page by id.
QUERY_KEYS = ("p", "page_id")
# Paths of the public blog that a post at /<slug>/ would hide behind.
# (`about` is not one: the About page is an ordinary page at /about/.) "feed",
# "rss", "atom": feed aliases (`tenants.feeds`); a post that had one before keeps
# it (the alias yields to it), but no post takes one any more.
RESERVED_SLUGS = frozenset({"assets", "atom", "feed", "page", "rss", "search", "snippets", "tags"})
# First parts of paths the blog answers itself: those, and its images' folder.
RESERVED_FOLDERS = RESERVED_SLUGS | {"media"}
# Files at the blog's root (feeds, sitemap, robots, icon, the feed aliases' files).
RESERVED_FILES = frozenset(
    {
        "atom.xml",
        "favicon.ico",
        "feed.json",
        "feed.xml",
        "index.xml",
        "latest.atom",
        "robots.txt",
        "rss.xml",
        "sitemap.xml",
    }
)
_HOME_FILES = ("", "index.php")  # where WordPress answers ?p=


class AliasError(ValueError):
    """The text is no old address a post can keep; the message is for the writer."""


def stored_alias(text: str) -> str:
    """The stored form of the old address `text` (a path, a path and query, or a
    whole URL of the old site); AliasError says what is wrong with it."""
    text = text.strip()
    if not text:
        raise AliasError("Type the old address, such as /2019/05/my-post/ or /?p=123.")
    if _has_control(text):
        raise AliasError("An old address cannot hold control characters.")
    parts = urlsplit(text)
    if parts.scheme and parts.scheme not in ("http", "https"):
        raise AliasError("Give the old address as a path (/2019/05/my-post/) or an http(s) URL.")
    path = unquote(parts.path)
    if parts.query:
        return _query_alias(path, parts.query)
    return _path_alias(path)


def query_alias(args: Mapping[str, str]) -> str | None:
    """The stored form the home page's query `args` ask for (`?p=123`), None when
    they hold neither key; AliasError when one is there but is no number."""
    for key in QUERY_KEYS:
        if key in args:
            value = args[key].strip()
            if not (value.isascii() and value.isdigit()) or len(value) > 18:
                raise AliasError(f"?{key}= takes a number")
            return f"?{key}={int(value)}"
    return None


def shown(stored: str) -> str:
    """How an old address reads to a person: `/2019/05/slug/`, `/?p=123`."""
    if stored.startswith("?"):
        return f"/{stored}"
    return f"/{stored}" if "." in stored.rsplit("/", 1)[-1] else f"/{stored}/"


def is_path(stored: str) -> bool:
    """Whether a static mirror can hold the old address (a path, not a query)."""
    return not stored.startswith("?")


def _query_alias(path: str, query: str) -> str:
    if path.strip("/") not in _HOME_FILES:
        raise AliasError(
            "Only the home page's ?p= and ?page_id= addresses can be kept with their query "
            "(/?p=123); for another address, give its path."
        )
    found = query_alias(dict(parse_qsl(query, keep_blank_values=True)[::-1]))
    if found is None:
        raise AliasError("Of a query, only WordPress's ?p=123 and ?page_id=7 can be kept.")
    return found


def _path_alias(path: str) -> str:
    stored = path.strip("/")
    if not stored:
        raise AliasError("/ is the blog's home page, not an old address of a post.")
    if len(stored) > MAX_LENGTH:
        raise AliasError(f"An old address can be at most {MAX_LENGTH} characters long.")
    if _has_control(stored) or any(c.isspace() for c in stored) or "\\" in stored:
        raise AliasError("An old address cannot hold spaces, backslashes or control characters.")
    segments = stored.split("/")
    if any(not s or s.startswith(".") for s in segments):
        raise AliasError("An old address cannot hold empty parts, . or .. (nor start one with .).")
    if segments[0] in RESERVED_FOLDERS or stored in RESERVED_FILES:
        raise AliasError(f"{shown(stored)} is a page of the blog. Choose another address.")
    return stored


def _has_control(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" for c in text)
