"""The deployable entry: the platform app and the site app behind one host dispatcher.

gunicorn: `gunicorn 'inkwell.platform.wsgi:create_app()'`; command line: `inkwell`.

    request ─► ProxyFix (only if PROXY_FIX names hops) ─► HostDispatcher
                 malformed Host   ──► 400, from the dispatcher itself
                 host == APP_HOST ──► platform app (inkwell.platform.web)
                 /.well-known/inkwell/tls-allowed, any host ──► platform app (web.tls_ask)
                 any other host   ──► site app (inkwell.tenants)
                                        unknown or unverified host ─► 404 "No such blog"
                                        suspended or deleted blog  ─► 410

`create_app` builds both apps from one base factory (`core.app.create_base_app`) and
installs the dispatcher as the platform app's `wsgi_app`, so `inkwell run`,
gunicorn and the test client all serve both kinds of host. Hosts match without
port or case (`core.hosts.host_name`). A Host header that is not a host and port
(`core.hosts.parse_host`: "blog.example:80.evil", "a@b", spaces) is a 400, as
HTTP requires of an invalid Host (RFC 9112, 3.2) and as nginx answers: it names
no blog, well-formed or not, so neither app sees it and no lookup is spent on it.
The platform app has sessions, CSRF checks on every unsafe request, the accounts,
the dashboard, the admin console and the probes (/healthz, /readyz); the site app
has no session and only GET routes.
Absolute URLs come from configuration and a blog's primary domain
(`core.hosts.blog_url`), never from a request's Host header.
"""

import sys
from typing import Any, NoReturn

import click
from flask import Flask
from flask.cli import FlaskGroup
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

from inkwell.platform.core.config import ConfigError
from inkwell.platform.core.hosts import host_name, parse_host
from inkwell.platform.core.request_ids import RequestIds
from inkwell.platform.web import create_platform_app, tls_ask
from inkwell.platform.web.cli.doctor import doctor_command
from inkwell.platform.web.metrics import Measured
from inkwell.tenants import create_site_app

BAD_HOST = "The Host header must be a host name, optionally with a port, and nothing else."


class HostDispatcher:
    """Send APP_HOST to the platform app and every other host to the site app,
    which answers a blog's hosts and 404s the rest; refuse a malformed Host (400)."""

    def __init__(self, platform_wsgi: Any, site_wsgi: Any, app_host: str) -> None:
        self.platform_wsgi, self.site_wsgi = platform_wsgi, site_wsgi
        self.app_host = host_name(app_host)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        sent = environ.get("HTTP_HOST")
        if sent:
            name = parse_host(sent)
            if name is None:
                return BadRequest(BAD_HOST)(environ, start_response)
        else:  # no Host (HTTP/1.0): the server's own name, from its configuration
            name = host_name(environ.get("SERVER_NAME", ""))
        # The TLS ask comes from the local TLS server, by address, not by APP_HOST.
        to_platform = name == self.app_host or environ.get("PATH_INFO") == tls_ask.PATH
        target = self.platform_wsgi if to_platform else self.site_wsgi
        return target(environ, start_response)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """The platform app, whose WSGI callable also dispatches blog hosts to the site app."""
    app = create_platform_app(overrides)
    site = create_site_app(overrides)
    app.extensions["inkwell.site_app"] = site
    dispatcher = HostDispatcher(app.wsgi_app, site.wsgi_app, app.config["APP_HOST"])
    # ProxyFix around the dispatcher, so both apps see the client's real host and scheme;
    # around it the request ids and counts: every answer, a malformed Host's 400 too.
    fix = app.config["PROXY_FIX"]
    proxied = ProxyFix(dispatcher, **fix) if fix else dispatcher
    measured = Measured(proxied, app.config["APP_HOST"])  # every request counted (/metrics)
    app.wsgi_app = RequestIds(measured)  # type: ignore[method-assign]
    return app


class InkwellGroup(FlaskGroup):
    """`flask` with Inkwell's app; configuration and database failures are one line
    and exit 1 instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            _fail(error.report())
        except SQLAlchemyError as error:
            reason = str(getattr(error, "orig", None) or error).splitlines()[0]
            _fail(f"Error: database: {reason} (is it reachable? run `inkwell db upgrade`)")


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


cli = InkwellGroup(create_app=create_app, help="Manage and run the Inkwell platform.")
# On the group, not the app: found without loading the app, so a configuration that
# cannot load is the doctor's first finding rather than a refusal to run it.
cli.add_command(doctor_command)
