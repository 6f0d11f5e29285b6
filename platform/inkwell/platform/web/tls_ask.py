"""The question an on-demand TLS server asks before it gets a certificate for a
host it was asked to serve: `GET PATH?domain=<host>`, 200 yes, 404 no
(`core.domains.tls`; Caddy's `on_demand_tls { ask ... }`, see infra/caddy).

Caddy asks the app by its local address, not by APP_HOST, so the dispatcher
(`platform.wsgi`) sends this path to the platform app whatever the host. The
answer is the same for everyone and writes nothing; it is not rate limited (one
server asks, for every handshake of a name it has no certificate for) and costs
one indexed read."""

from flask import Blueprint, request

from inkwell.platform.core.domains import tls

PATH = "/.well-known/inkwell/tls-allowed"

bp = Blueprint("tls_ask", __name__)


@bp.get(PATH)
def tls_allowed() -> tuple[str, int, dict[str, str]]:
    allowed = tls.allowed(request.args.get("domain", "")[:300])
    headers = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
    return ("yes\n", 200, headers) if allowed else ("no\n", 404, headers)
