"""The site app: what readers see on a blog's host. No sessions, no login, no
CSRF state: public pages are the same for everyone, so they cache and freeze."""

from typing import Any

from flask import Flask

from inkwell.platform.core import database
from inkwell.platform.core.app import create_base_app
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import blog_url
from inkwell.tenants import assets, blog, fast_path, feeds, hosts, page_cache, snippets

# The served site only reads, a page in two or three queries: in autocommit they
# need no BEGIN and ROLLBACK round trips around them (each statement sees its own
# snapshot, as in PostgreSQL's default READ COMMITTED anyway), and no ping before
# them but after a quiet spell (`database.ping_when_idle`).
SERVED_ENGINE_OPTIONS = {"isolation_level": "AUTOCOMMIT", "pool_pre_ping": False}
PING_AFTER_IDLE_SECONDS = 10.0


def create_site_app(overrides: dict[str, Any] | None = None, pinned_to: int | None = None) -> Flask:
    """The site app for every blog host; or, `pinned_to` a tenant id, an app that
    serves only that blog whatever the host, as a static mirror's freeze needs
    (no page cache there: frozen pages carry relative links, served pages do not)."""
    served = pinned_to is None
    options = SERVED_ENGINE_OPTIONS if served else None
    if not served:  # its own in-process cache: never the served pages' Redis (nor its options)
        overrides = {**(overrides or {}), "CACHE_TYPE": "SimpleCache", "CACHE_OPTIONS": {}}
    app = create_base_app(__name__, overrides, static_folder=None, engine_options=options)
    # Without a secret key Flask uses a null session: nothing can set a cookie here.
    app.config["SECRET_KEY"] = None
    hosts.init_app(app, pinned_to)
    if served:
        with app.app_context():
            database.ping_when_idle(db.engine, PING_AFTER_IDLE_SECONDS)
        page_cache.init_app(app)
        app.wsgi_app = fast_path.FastPath(app, app.wsgi_app)  # type: ignore[method-assign]
    app.add_template_global(blog_url)
    assets.init_app(app)
    app.register_blueprint(blog.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(snippets.bp)
    return app
