"""The platform app's security headers, and its refusal of cross-site requests.

Every answer (pages, JSON, static files, errors) carries:
- `Content-Security-Policy`: scripts, styles, fetches and form targets from this
  origin only, no inline script or style (the templates have none: behaviour is in
  static/*.js, reading data attributes), no plugins, no <base>; images also from
  anywhere over http(s) and data: URLs, since the editor's preview shows a post's
  images. `frame-ancestors 'none'`: no site may frame the dashboard, settings,
  admin console or login, so none can trick a click on them.
- `X-Frame-Options: DENY`: the same for browsers without CSP level 2.
- `X-Content-Type-Options: nosniff`: files are taken only as the type we said.
- `Referrer-Policy: same-origin`: the platform's URLs (blog names, admin searches)
  never leave it, while its own forms still send a real Origin and Referer (under
  `no-referrer`, browsers send `Origin: null`, and Flask-WTF wants the Referer
  over https).

A state-changing request (anything but GET, HEAD, OPTIONS, TRACE) from another
site is refused with 403 before its CSRF token is even looked at. Browsers say where
a request comes from in `Sec-Fetch-Site`: only `same-origin`, and `none` (the user
did it, not a page), are accepted. `same-site` is refused too: nothing outside the
platform's own pages posts to it, and in development blogs (`*.localhost`) are
same-site with it. Without that header, an `Origin` must be this app's own (`null`,
from sandboxed frames and privacy redirects, is not). With neither (older
browsers, scripts, the test client) the request goes on, and the CSRF token alone
decides. Two views take cross-site POSTs by design (`subscriptions`): a blog's
subscribe form, which changes nothing until a mailed link is opened, and the
one-click unsubscribe a mail client sends.
"""

import logging
from typing import NoReturn

from flask import Flask, abort, request
from werkzeug.wrappers import Response

from inkwell.platform.web.subscriptions import CROSS_SITE_ENDPOINTS

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

HEADERS = {
    "Content-Security-Policy": "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' https: http: data:",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ]
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

CROSS_SITE = (
    "This form was sent from another site, so it was not accepted. "
    "Open Inkwell yourself, reload the page and try again."
)


log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Install the check and the headers; call before CSRFProtect is bound, so a
    cross-site request is refused for what it is, not for its missing token."""
    app.before_request(_refuse_cross_site)
    app.after_request(_add_headers)


def _refuse_cross_site() -> None:
    if request.method in SAFE_METHODS or request.endpoint in CROSS_SITE_ENDPOINTS:
        return
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        if fetch_site not in ("same-origin", "none"):
            _refused(f"Sec-Fetch-Site is {fetch_site}")
        return
    origin = request.headers.get("Origin")
    if origin is not None and origin.lower() != request.host_url.rstrip("/").lower():
        # Also what a proxy that drops the port from Host causes: say both.
        _refused(f"Origin {origin} is not {request.host_url.rstrip('/')}")


def _refused(reason: str) -> NoReturn:
    log.warning("cross-site %s %s refused: %s", request.method, request.path, reason)
    abort(403, CROSS_SITE)


def _add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response
