"""An error page that fails degrades to a minimal page with the same status, on
both apps: never a 500 from the error handler, never the server's bare 500."""

import pytest
from flask import Flask
from sqlalchemy import update

from inkwell.platform.core.error_pages import MARK


def both_apps(app: Flask) -> list[Flask]:
    return [app, app.extensions["inkwell.site_app"]]


def test_every_error_handler_degrades(app: Flask) -> None:
    # A handler added later without `degrading` would fail this, not a reader.
    for each in both_apps(app):
        handlers = [
            handler
            for by_code in each.error_handler_spec.values()
            for by_class in by_code.values()
            for handler in by_class.values()
        ]
        assert handlers, each.name
        for handler in handlers:
            assert getattr(handler, MARK, False), f"{each.name}: {handler.__qualname__}"


@pytest.fixture
def broken_templates(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every template of both apps fails to load, as a page's template might fail."""

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the template could not be loaded")

    for each in both_apps(app):
        monkeypatch.setattr(each.jinja_env, "get_or_select_template", broken)


@pytest.mark.usefixtures("broken_templates")
def test_platform_error_pages_degrade(app: Flask) -> None:
    browser = app.test_client()
    platform = {"Host": app.config["APP_HOST"]}
    missing = browser.get("/no-such-page", headers=platform)
    assert missing.status_code == 404
    assert "<h1>404 Not Found</h1>" in missing.text
    assert missing.headers["Cache-Control"] == "no-store"
    refused = browser.post("/logout", headers=platform)  # no CSRF token
    assert refused.status_code == 400 and "CSRF" in refused.text
    wrong = browser.delete("/login", headers=platform)
    assert wrong.status_code == 405 and "<h1>405 Method Not Allowed</h1>" in wrong.text


@pytest.mark.usefixtures("broken_templates")
def test_blog_error_pages_degrade(app: Flask, make_tenant) -> None:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant

    make_tenant("alice")
    browser = app.test_client()
    blog = {"Host": f"alice.{app.config['BLOG_DOMAIN']}"}
    no_such_blog = browser.get("/", headers={"Host": f"nobody.{app.config['BLOG_DOMAIN']}"})
    assert no_such_blog.status_code == 404 and "404 Not Found" in no_such_blog.text
    assert browser.get("/no-such-post/", headers=blog).status_code == 404
    with app.app_context():
        db.session.execute(update(Tenant).values(status="suspended"))
        db.session.commit()
    gone = browser.get("/", headers=blog)
    assert gone.status_code == 410 and "410 Gone" in gone.text
    assert gone.headers["Cache-Control"] == "no-store"
