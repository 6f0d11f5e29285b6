"""The site app: what readers see on a blog's host. No sessions, no login, no
CSRF state: public pages are the same for everyone, so they cache and freeze."""

from typing import Any

from flask import Flask

from inkwell.platform.core.app import create_base_app
from inkwell.platform.core.hosts import blog_url
from inkwell.tenants import assets, blog, fast_path, feeds, hosts, page_cache, snippets


def create_site_app(overrides: dict[str, Any] | None = None, pinned_to: int | None = None) -> Flask:
    """The site app for every blog host; or, `pinned_to` a tenant id, an app that
    serves only that blog whatever the host, as a static mirror's freeze needs
    (no page cache there: frozen pages carry relative links, served pages do not)."""
    app = create_base_app(__name__, overrides, static_folder=None)
    # Without a secret key Flask uses a null session: nothing can set a cookie here.
    app.config["SECRET_KEY"] = None
    hosts.init_app(app, pinned_to)
    if pinned_to is None:
        page_cache.init_app(app)
        app.wsgi_app = fast_path.FastPath(app, app.wsgi_app)  # type: ignore[method-assign]
    app.add_template_global(blog_url)
    assets.init_app(app)
    app.register_blueprint(blog.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(snippets.bp)
    return app
