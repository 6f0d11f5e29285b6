"""The base factory both apps (platform and site) are built from, and their
Flask class: a database that cannot answer for now is a 503 (`outages`); the
request class bounds bodies (`bodies`) and the `int` converter bounds numbers in
paths (`numbers`)."""

import logging
from typing import Any

from flask import Flask, Response

from inkwell.platform.core import (
    config,
    outages,
    request_ids,
    row_security,
    template_filters,
    tenancy,
)
from inkwell.platform.core.bodies import BoundedRequest
from inkwell.platform.core.content import recent_posts
from inkwell.platform.core.extensions import cache, db, mail
from inkwell.platform.core.newsletter import sends
from inkwell.platform.core.numbers import BoundedInt
from inkwell.platform.core.publishing import mirrors, websub


class InkwellApp(Flask):
    """Flask, answering 503 instead of 500 while the database is unavailable."""

    def handle_exception(self, e: Exception) -> Response:
        # Every error a request does not handle comes here: from a view, and from
        # error handlers and after_request hooks, which no errorhandler() sees.
        if outages.is_unavailable(e):
            outages.noted(e)
            return self.finalize_request(outages.response(), from_error_handler=True)
        return super().handle_exception(e)


def create_base_app(
    import_name: str,
    overrides: dict[str, Any] | None = None,
    static_folder: str | None = "static",
    engine_options: dict[str, Any] | None = None,
) -> Flask:
    """A configured Flask app with the database and cache bound; no routes.
    `engine_options` go over the configured SQLALCHEMY_ENGINE_OPTIONS."""
    app = InkwellApp(import_name, instance_path=config.instance_path(), static_folder=static_folder)
    app.request_class = BoundedRequest
    # Before any blueprint adds its rules: every `<int:...>` of either app is bounded.
    app.url_map.converters["int"] = BoundedInt
    config.configure(app, overrides)
    if engine_options:
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            **engine_options,
        }
    db.init_app(app)
    outages.init_app(app)  # after db: its teardown must close the session first
    cache.init_app(app)
    mail.init_app(app)
    tenancy.init_app(app)
    mirrors.init_app(app)
    recent_posts.init_app(app)  # the post page's block, kept with every change of posts
    websub.init_app(app)
    sends.init_app(app)  # mail subscribers the posts that go live
    template_filters.init_app(app)
    # Error pages show it, for a reader to quote (the answer's X-Request-ID too).
    app.jinja_env.globals["request_id"] = request_ids.current_request_id
    row_security.install()
    _configure_logging(app)
    return app


def _configure_logging(app: Flask) -> None:
    root = logging.getLogger()
    if root.handlers:  # the host process (gunicorn, pytest) configured logging already
        return
    handler = logging.StreamHandler()
    request_ids.install(handler)  # request id, host and tenant on every line
    root.addHandler(handler)
    root.setLevel(logging.INFO)
