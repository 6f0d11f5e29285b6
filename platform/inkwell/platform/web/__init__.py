"""The platform app on APP_HOST: landing, accounts, dashboard, the admin console.

Every answer carries its security headers, and a state-changing request from
another site is refused before anything else looks at it (`security`).

Pages share one design system (static/platform.css: tokens for type, space and
colour, a dark variant; tables that become cards on a phone, labelled by
platform.js from their head): base.html draws the top bar and, on a blog's pages,
its section bar (dashboard/_sections.html) or the console's (admin/_sections.html);
error pages say what happened, lead back and give a 429's wait (`errors`).
tests/test_markup.py holds every page type to the Nu HTML checker and axe-core."""

from typing import Any

from flask import Flask

from inkwell.platform.core.app import create_base_app
from inkwell.platform.core.domains.names import shown_url
from inkwell.platform.core.extensions import csrf, limiter, login_manager
from inkwell.platform.core.hosts import blog_url
from inkwell.platform.web import (
    cli,
    errors,
    health,
    login_throttle,
    metrics,
    security,
    subscriptions,
    tls_ask,
)
from inkwell.platform.web.accounts import (
    account,
    auth,
    invitations,
    password_reset,
    two_factor,
    verification,
)
from inkwell.platform.web.admin import home as admin_home
from inkwell.platform.web.admin.audit import views as admin_audit
from inkwell.platform.web.admin.jobs import views as admin_jobs
from inkwell.platform.web.admin.quotas import views as admin_quotas
from inkwell.platform.web.admin.tenants import views as admin_tenants
from inkwell.platform.web.admin.users import views as admin_users
from inkwell.platform.web.dashboard import (
    custom_css,
    domains,
    editor,
    exports,
    history,
    imports,
    media,
    media_library,
    mirror,
    navigation,
    snippets,
    subscribers,
    tags,
    team,
)
from inkwell.platform.web.dashboard import home as dashboard
from inkwell.tenants import assets
from inkwell.workers.celery_app import celery_init_app


def create_platform_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = create_base_app(__name__, overrides)
    security.init_app(app)  # before CSRF: a cross-site request is refused as such
    csrf.init_app(app)
    limiter.init_app(app)
    login_throttle.init_app(app)
    celery_init_app(app)
    app.add_template_global(blog_url)
    app.add_template_global(shown_url)  # a URL's host as people read it (IDNs in Unicode)
    auth.init_app(app, login_manager)
    errors.init_app(app)
    cli.init_app(app)
    for blueprint in (
        assets.bp,  # the blogs' stylesheets, for the editor's preview (same origin: CSP)
        health.bp,
        metrics.bp,
        tls_ask.bp,
        auth.bp,
        verification.bp,
        password_reset.bp,
        account.bp,
        two_factor.bp,
        dashboard.bp,
        editor.bp,
        history.bp,
        exports.bp,
        imports.bp,
        media.bp,
        media_library.bp,
        snippets.bp,
        tags.bp,
        team.bp,
        domains.bp,
        custom_css.bp,
        navigation.bp,
        subscribers.bp,
        invitations.bp,
        subscriptions.bp,
        mirror.bp,
        admin_home.bp,
        admin_users.bp,
        admin_audit.bp,
        admin_tenants.bp,
        admin_quotas.bp,
        admin_jobs.bp,
    ):
        app.register_blueprint(blueprint)
    return app
