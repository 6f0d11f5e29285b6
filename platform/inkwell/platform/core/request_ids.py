"""Every request's id, host and tenant, on every log line and in the answer.

`RequestIds` wraps the whole WSGI app (outside the host dispatcher, so both
apps and the site's fast path are covered). It takes the id nginx sends in
`X-Request-ID` (its `$request_id`, also in its access log) when it looks like
one, else makes one, and sends it back in `X-Request-ID`: a reader who quotes
it from an error page leads to nginx's line and the app's. The answer also
carries the blog's id in `X-Inkwell-Tenant`, for nginx's access log only (the
shipped proxy snippet hides it from readers).

`LogContext` puts `request_id`, `host` and `tenant` on every log record; "-"
outside a request (the worker, a command) or before the blog is known.
"""

import logging
import re
import uuid
from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

from inkwell.platform.core import tenancy

HEADER = "X-Request-ID"
TENANT_HEADER = "X-Inkwell-Tenant"
# Where the site's fast path, which answers before any tenant is entered, puts
# the blog it found.
TENANT_KEY = "inkwell.tenant_id"
# nginx's $request_id is 32 hex digits; other proxies send UUIDs. Anything else
# (too long, spaces, quotes) could forge log lines, so it is replaced.
_ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{8,64}")

_request_id: ContextVar[str | None] = ContextVar("inkwell_request_id", default=None)
_host: ContextVar[str | None] = ContextVar("inkwell_request_host", default=None)


def current_request_id() -> str | None:
    """The id of the request being served, None outside one."""
    return _request_id.get()


def accepted(sent: str | None) -> str:
    """`sent` if it is a usable request id, else a new one."""
    return sent if sent and _ACCEPTED.fullmatch(sent) else uuid.uuid4().hex


class RequestIds:
    """WSGI middleware: the request's id and host in context and in the answer."""

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request_id = accepted(environ.get("HTTP_X_REQUEST_ID"))
        environ["HTTP_X_REQUEST_ID"] = request_id
        tokens = _request_id.set(request_id), _host.set(environ.get("HTTP_HOST") or None)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers.append((HEADER, request_id))
            tenant = tenancy.current_tenant_id() or environ.get(TENANT_KEY)
            if tenant is not None:
                headers.append((TENANT_HEADER, str(tenant)))
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, start)
        finally:
            _request_id.reset(tokens[0])
            _host.reset(tokens[1])


class LogContext(logging.Filter):
    """Put `request_id`, `host` and `tenant` on every record ("-" when unknown)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get() or "-"
        record.host = _host.get() or "-"
        record.tenant = tenancy.current_tenant_id() or "-"
        return True


LOG_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s request=%(request_id)s host=%(host)s "
    "tenant=%(tenant)s %(message)s"
)


def install(handler: logging.Handler) -> None:
    """Give `handler` the context filter and the format that shows it."""
    handler.addFilter(LogContext())
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
