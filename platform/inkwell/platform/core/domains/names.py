"""A domain as an owner types it, made the one stored form, or refused with a
message that says what to type instead."""

import ipaddress
from urllib.parse import urlsplit, urlunsplit

import idna
from flask import current_app

from inkwell.platform.core.hosts import host_name

# A DNS name is at most 253 characters written out, each label at most 63.
MAX_NAME = 253
MAX_LABEL = 63


class DomainError(ValueError):
    """A domain that cannot be added or changed; the message is for the owner."""


def normalize(typed: str) -> str:
    """`typed` as a stored host: trimmed, lowercase, one final dot dropped, an IDN
    in punycode (IDNA 2008 with UTS 46 mapping); DomainError says why it cannot be."""
    text = typed.strip()
    if not text:
        raise DomainError("Enter a domain, like blog.example.com.")
    _refuse_shapes(text)
    name = text.removesuffix(".")  # "example.com." is the same name, written fully
    if "." not in name:
        raise DomainError("Enter a full domain with a dot, like blog.example.com.")
    _refuse_lengths(name)  # before IDNA, whose messages are less clear
    try:
        host = idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise DomainError(f"“{text}” is not a valid domain name ({error}).") from None
    if host.rpartition(".")[2].isdigit():
        raise DomainError("An IP address cannot be a blog's domain: use a name.")
    _refuse_platform(host)
    return host


def shown(host: str) -> str:
    """A stored host as people read it: an IDN in Unicode."""
    try:
        return idna.decode(host)
    except idna.IDNAError:  # stored before this check, or not IDNA 2008: show it as stored
        return host


def shown_url(url: str) -> str:
    """An absolute URL as people read it: its host in Unicode, the rest as is. Only
    for text; links (`href`) keep the punycode, which every client understands."""
    parts = urlsplit(url)
    if not parts.hostname:
        return url
    netloc = parts.netloc.replace(parts.hostname, shown(parts.hostname), 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _refuse_shapes(text: str) -> None:
    if "://" in text or "/" in text:
        raise DomainError("Enter the domain only, without http:// or a path: blog.example.com.")
    if "*" in text:
        raise DomainError(
            "Wildcards cannot be added: add each name readers use (blog.example.com, "
            "www.example.com) on its own."
        )
    if _is_ip(text):
        raise DomainError("An IP address cannot be a blog's domain: use a name.")
    if ":" in text:
        raise DomainError("Leave out the port: readers reach a blog on ports 80 and 443.")
    if any(c.isspace() for c in text) or "@" in text:
        raise DomainError("A domain has no spaces or @: enter it like blog.example.com.")


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    return True


def _refuse_lengths(name: str) -> None:
    sizes = []
    for label in name.split("."):
        if not label:
            raise DomainError("A domain has no empty parts: two dots in a row, or a leading dot.")
        # Its length in DNS: an IDN label as "xn--" and its punycode.
        size = len(label) if label.isascii() else 4 + len(label.lower().encode("punycode"))
        if size > MAX_LABEL:
            raise DomainError(
                f"Each part between dots has at most {MAX_LABEL} characters; "
                f"“{label[:20]}…” has {size}."
            )
        sizes.append(size)
    total = sum(sizes) + len(sizes) - 1
    if total > MAX_NAME:
        raise DomainError(f"A domain has at most {MAX_NAME} characters; this one has {total}.")


def platform_names() -> set[str]:
    """The platform's own hosts: APP_HOST, BLOG_DOMAIN and their parent domains."""
    config = current_app.config
    names = {host_name(config["APP_HOST"]), host_name(config["BLOG_DOMAIN"])}
    parents = {name.partition(".")[2] for name in names}
    return names | {parent for parent in parents if "." in parent}


def _refuse_platform(host: str) -> None:
    for own in platform_names():
        if host == own or host.endswith(f".{own}"):
            raise DomainError(
                f"{shown(host)} belongs to the platform itself; your blog already answers "
                "on its own subdomain. Add a domain you registered."
            )
