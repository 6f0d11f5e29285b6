"""The site app: what readers see on a blog's host. No sessions, no login, no
CSRF state: public pages are the same for everyone, so they cache and freeze."""

from typing import Any

from flask import Flask

from inkwell.platform.core.app import create_base_app
from inkwell.platform.core.hosts import blog_url
from inkwell.tenants import blog, fast_path, feeds, hosts, page_cache, snippets


def create_site_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = create_base_app(__name__, overrides)
    # Without a secret key Flask uses a null session: nothing can set a cookie here.
    app.config["SECRET_KEY"] = None
    hosts.init_app(app)
    page_cache.init_app(app)
    app.wsgi_app = fast_path.FastPath(app, app.wsgi_app)  # type: ignore[method-assign]
    app.add_template_global(blog_url)
    app.register_blueprint(blog.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(snippets.bp)
    return app
