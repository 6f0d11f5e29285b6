"""The security headers of every answer on a blog's host: pages, feeds, stylesheets,
cache hits and 304s, error pages and unknown hosts alike.

- `X-Content-Type-Options: nosniff`: a browser takes a file only as the type we
  said, so no text of a blog ever runs as a script or a stylesheet.
- `Referrer-Policy: strict-origin-when-cross-origin`: a link to another site tells
  it the blog's origin, not the page; Disqus and Discourse check that origin before
  they embed a thread.
- A Content-Security-Policy: no script, frame or connection at all, unless the blog
  has comments; then its own `comments.js` (the embed's settings are data attributes,
  never inline script), and the script, frame, style and connection origins of the
  provider it chose, for that blog only (Disqus: its shortname's host, disqus.com
  and the Disqus CDN; Discourse: the forum's origin). Stylesheets from the blog
  (and the one inline style of the bare error pages, by its hash); images from
  anywhere over http(s) and data: URLs, since posts show images from anywhere. No
  form but to the blog itself (the search form, a GET) and the platform (the
  subscribe form, `web.subscriptions`), no <base>. Blog pages may
  be framed: nothing on them acts for a reader.

READER_HEADERS is also what infra/ puts on static mirrors served without the app
(nginx's fallback, CloudFront's response headers policy); tests hold them equal.
A mirror carries no CSP: its sources differ per blog, and nginx serves every blog
from one configuration.

The site app answers cache hits before Flask runs (`fast_path`), so the headers are
added by a WSGI middleware around it, from the blog the fast path found.
"""

import base64
import hashlib
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from inkwell.platform.core.hosts import app_url
from inkwell.platform.core.models import Tenant
from inkwell.tenants.hosts import SERVED, ServedBlog

READER_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}

# The one inline style on a blog host: the bare "no such blog" and "not available"
# pages, which cannot link the blog's stylesheet (there is no blog to serve it).
# No quote in it: the template would escape it, and the hash would no longer match.
BARE_PAGE_STYLE = (
    ":root{--fg:#1f1f1d;--muted:#5e5d58;--bg:#fdfdfb;--link:#1d4fb8;"
    "--rule:#e4e2dc}"
    "@media (prefers-color-scheme:dark){:root{--fg:#e9e7e2;--muted:#a9a69e;--bg:#161614;"
    "--link:#9cbcf5;--rule:#33322e}}"
    "body{margin:0;padding:0 1rem;background:var(--bg);color:var(--fg);"
    "font:1.125rem/1.6 Charter,Georgia,serif}"
    "main{max-width:34rem;margin:4rem auto;padding:1.5rem;border:1px solid var(--rule);"
    "border-radius:8px}"
    "h1{line-height:1.2;margin:.25rem 0 .75rem}.code{color:var(--muted);font-size:.875rem;margin:0}"
    "a{color:var(--link)}.actions{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem}"
)
_BARE_PAGE_DIGEST = base64.b64encode(hashlib.sha256(BARE_PAGE_STYLE.encode()).digest()).decode()
_BARE_PAGE_HASH = f"'sha256-{_BARE_PAGE_DIGEST}'"

# What the settings form accepts; stored values are checked again, since a header
# built from a value with a space or `;` in it would say more than it should.
_DISQUS_SHORTNAME_RE = re.compile(r"[a-z0-9-]{1,100}")
_HOST_RE = re.compile(r"[a-z0-9.-]{1,253}")


@lru_cache(maxsize=1024)
def content_security_policy(provider: str = "none", target: str = "", platform: str = "") -> str:
    """The CSP of a blog whose comments come from `provider` (none, disqus,
    discourse) at `target` (the Disqus shortname, the Discourse URL); `platform`,
    the platform's origin, takes the subscribe form."""
    sources: dict[str, list[str]] = {
        "default-src": ["'none'"],
        "img-src": ["'self'", "https:", "http:", "data:"],
        "style-src": ["'self'", _BARE_PAGE_HASH],
        "base-uri": ["'none'"],
        "form-action": ["'self'", *([platform] if platform else [])],  # search, subscribe
    }
    for directive, origins in _comment_sources(provider, target).items():
        sources.setdefault(directive, []).extend(origins)
    return "; ".join(f"{directive} {' '.join(values)}" for directive, values in sources.items())


def _comment_sources(provider: str, target: str) -> dict[str, list[str]]:
    if provider == "disqus" and _DISQUS_SHORTNAME_RE.fullmatch(target):
        return {
            # embed.js from the shortname's host; the thread's frame and config from
            # disqus.com; its scripts, styles and fonts from the CDN.
            "script-src": ["'self'", f"https://{target}.disqus.com", "https://disqus.com",
                           "https://*.disquscdn.com"],
            "frame-src": ["https://disqus.com"],
            "style-src": ["https://*.disquscdn.com"],
            "font-src": ["https://*.disquscdn.com"],
            "connect-src": [f"https://{target}.disqus.com", "https://disqus.com"],
        }  # fmt: skip
    if provider == "discourse" and (forum := _https_origin(target)):
        # embed.js from the forum, which frames the thread from there too.
        return {"script-src": ["'self'", forum], "frame-src": [forum]}
    return {}


def _https_origin(url: str) -> str | None:
    """`scheme://host[:port]` of an https URL with a plain host name, else None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme != "https" or not _HOST_RE.fullmatch(host):
        return None
    return f"https://{host}" + (f":{port}" if port else "")


def headers_for(tenant: Tenant | None, platform: str = "") -> list[tuple[str, str]]:
    """Every security header for an answer about `tenant` (None: no blog found);
    `platform`: the platform's origin, where a blog's subscribe form posts."""
    csp = (
        content_security_policy(tenant.comments_provider, tenant.comments_target, platform)
        if tenant is not None
        else content_security_policy()
    )
    return [*READER_HEADERS.items(), ("Content-Security-Policy", csp)]


class SecurityHeaders:
    """WSGI middleware: adds `headers_for` the request's blog to every answer of
    the site app, cache hits included, keeping any a view set itself."""

    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], platform: str = "") -> None:
        self.wsgi_app, self.platform = wsgi_app, platform

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            served = environ.get(SERVED)  # set by the fast path for every GET and HEAD
            tenant = served.tenant if isinstance(served, ServedBlog) else None
            present = {name.lower() for name, _ in headers}
            headers.extend(
                h for h in headers_for(tenant, self.platform) if h[0].lower() not in present
            )
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


def init_app(app: Flask) -> None:
    app.add_template_global(BARE_PAGE_STYLE, "bare_page_style")
    app.add_template_global(app_url)
