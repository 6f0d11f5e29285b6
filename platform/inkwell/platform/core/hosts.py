"""Host names and absolute blog URLs. Absolute URLs come from configuration and
stored hosts, never from a request's Host header.

A Host header is a host and an optional port, nothing more (`parse_host`): a name
of DNS labels, an IPv4 address or a bracketed IPv6 one, then ":" and a port from 1
to 65535. Anything else ("blog.example:80.evil", "a@b", spaces, colons that are not
IPv6) is malformed, and the dispatcher answers it 400 before any app or lookup.
"""

import ipaddress
import re

from flask import current_app

from inkwell.platform.core.models import Tenant

_HOST = re.compile(r"(?P<name>[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(?P<port>[0-9]{1,5}))?", re.ASCII)
# A DNS label: letters, digits and inner hyphens, at most 63 of them.
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)


def host_name(host: str) -> str:
    """A Host header or configured host as a bare, lowercase name: no port, no final dot."""
    name = host.strip().lower()
    if name.startswith("["):  # IPv6 literal, "[::1]:5000"
        return name.split("]", 1)[0] + "]"
    return name.partition(":")[0].rstrip(".")


def parse_host(raw: str) -> str | None:
    """The bare name of Host header `raw` (as `host_name` gives it) when it is a valid
    host and optional port, else None."""
    text = raw.strip().lower()  # surrounding whitespace is the header's, not the host's
    found = _HOST.fullmatch(text)
    if found is None or (found["port"] is not None and not 0 < int(found["port"]) < 65536):
        return None
    name = found["name"]
    if name.startswith("["):
        try:
            ipaddress.IPv6Address(name[1:-1])
        except ValueError:
            return None
    else:
        bare = name.removesuffix(".")  # "example.com." is the same host
        if len(bare) > 253 or not all(_LABEL.fullmatch(label) for label in bare.split(".")):
            return None
    return host_name(text)


def blog_host(subdomain: str, blog_domain: str) -> str:
    """The bare host of a blog's platform subdomain."""
    return f"{subdomain}.{host_name(blog_domain)}"


def app_url(path: str) -> str:
    """The absolute URL of `path` on the platform host (links in mail)."""
    config = current_app.config
    return f"{config['PREFERRED_URL_SCHEME']}://{config['APP_HOST']}{path}"


def blog_url(tenant: Tenant, path: str = "/") -> str:
    """The public URL of `path` on `tenant`'s primary host."""
    config = current_app.config
    host = next(d.host for d in tenant.domains if d.is_primary)
    # In development the blog domain carries a port ("localhost:5000"); custom domains never do.
    bare, _, port = config["BLOG_DOMAIN"].partition(":")
    if port and host.endswith(f".{bare}"):
        host = f"{host}:{port}"
    return f"{config['PREFERRED_URL_SCHEME']}://{host}{path}"
