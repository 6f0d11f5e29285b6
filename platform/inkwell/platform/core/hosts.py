"""Host names and absolute blog URLs. Absolute URLs come from configuration and
stored hosts, never from a request's Host header."""

from flask import current_app

from inkwell.platform.core.models import Tenant


def host_name(host: str) -> str:
    """A Host header or configured host as a bare, lowercase name: no port, no final dot."""
    name = host.strip().lower()
    if name.startswith("["):  # IPv6 literal, "[::1]:5000"
        return name.split("]", 1)[0] + "]"
    return name.partition(":")[0].rstrip(".")


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
