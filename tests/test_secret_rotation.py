"""Rotating the secret key (README, "Rotating the secret key"): what the previous
key made (sessions, remember-me cookies, forms, mailed links, recovery codes) keeps
working once SECRET_KEY is new and the old one is in SECRET_KEY_FALLBACKS, on the
web and in the worker, whichever restarts first."""

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import decode_cookie
from sqlalchemy import select

from fixtures.accounts import PASSWORD
from fixtures.app import APP_HOST, csrf_token, platform_browser, post_form
from inkwell.platform.core.accounts import tokens, two_factor
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import AccountToken, User
from inkwell.workers import mail

OLD = "test-secret"  # the suite's key (fixtures.app)
NEW = "a new key of sixty-four characters, as secrets.token_hex(32) makes"
COOKIE_DOMAIN = APP_HOST.split(":")[0]


@pytest.fixture
def rotated(another_app) -> Flask:
    """A process restarted with the new key and the old one as its fallback."""
    return another_app(SECRET_KEY=NEW, SECRET_KEY_FALLBACKS=[OLD])


def on(browser: FlaskClient, app: Flask) -> FlaskClient:
    """The same browser (its cookies) talking to another process."""
    browser.application = app
    return browser


def logged_in(browser: FlaskClient) -> bool:
    return browser.get("/account/").status_code == 200


def test_sessions_and_remember_me_cookies_survive(app, rotated, make_tenant) -> None:
    make_tenant("alice")
    browser = platform_browser(app)
    login = {"email": "alice@example.com", "password": PASSWORD, "remember": "y"}
    assert post_form(browser, "/login", login).status_code == 302
    remember = browser.get_cookie("remember_token", domain=COOKIE_DOMAIN).value
    assert logged_in(on(browser, rotated))  # the session cookie, signed with OLD

    restarted = platform_browser(rotated)  # its session gone, remember-me kept
    restarted.set_cookie("remember_token", remember, domain=COOKIE_DOMAIN)
    assert logged_in(restarted)
    renewed = restarted.get_cookie("remember_token", domain=COOKIE_DOMAIN).value
    assert decode_cookie(renewed, NEW) is not None  # sent again under the new key

    stranger = platform_browser(app_without_the_old_key(rotated))
    stranger.set_cookie("remember_token", remember, domain=COOKIE_DOMAIN)
    assert not logged_in(stranger)  # the fallback is what lets it in


def app_without_the_old_key(rotated: Flask) -> Flask:
    rotated.config["SECRET_KEY_FALLBACKS"] = []
    rotated.config["WTF_CSRF_SECRET_KEY"] = [NEW]
    return rotated


def test_a_form_shown_before_the_rotation_posts_after_it(app, rotated, make_tenant) -> None:
    make_tenant("alice")
    browser = platform_browser(app)
    token = csrf_token(browser, "/login")  # the page was open when the web restarted
    login = {"csrf_token": token, "email": "alice@example.com", "password": PASSWORD}
    assert on(browser, rotated).post("/login", data=login).status_code == 302
    # New forms are signed with the new key alone: a process without the old key takes them.
    fresh = csrf_token(browser, "/account/")
    assert fresh != token
    assert logged_in(on(browser, app_without_the_old_key(rotated)))


def test_links_mailed_by_a_worker_restarted_after_the_web(app, rotated, make_tenant) -> None:
    make_tenant("alice")
    with rotated.app_context():  # the web, restarted with the new key, asks for a mail
        user = db.session.scalar(select(User))
        user_id, token_id = user.id, tokens.issue(user, "reset_password", 1).id
        db.session.commit()
    with app.app_context():  # the worker, not yet restarted, knows only the old key
        with pytest.raises(tokens.KeyNotKnownYet) as unknown:
            mail._account_mail(0, "reset_password", user_id, token_id, None)
        assert mail.is_transient(unknown.value)  # retried, never mailed broken
    with rotated.app_context():  # the worker, restarted: the retry mails a working link
        message = mail._account_mail(0, "reset_password", user_id, token_id, None)
    assert_link_works(rotated, message.body)


def test_links_mailed_with_the_old_key_work_after_the_rotation(app, rotated, make_tenant) -> None:
    make_tenant("alice")
    with app.app_context():  # mailed before the rotation
        user = db.session.scalar(select(User))
        token = tokens.issue(user, "reset_password", 1)
        message = mail._account_mail(0, "reset_password", user.id, token.id, None)
        db.session.commit()
    assert_link_works(rotated, message.body)


def test_a_new_worker_mails_links_an_old_web_made(app, rotated, make_tenant) -> None:
    """The other order: the worker restarted first, the web still on the old key."""
    make_tenant("alice")
    with app.app_context():
        user = db.session.scalar(select(User))
        user_id, token_id = user.id, tokens.issue(user, "reset_password", 1).id
        db.session.commit()
    with rotated.app_context():
        message = mail._account_mail(0, "reset_password", user_id, token_id, None)
    assert_link_works(app, message.body)


def assert_link_works(web: Flask, body: str) -> None:
    path = "/reset-password/" + body.split("/reset-password/")[1].split()[0]
    browser = platform_browser(web)
    assert browser.get(path).status_code == 302
    page = browser.get("/reset-password")
    assert page.status_code == 200 and "expired" not in page.text
    with web.app_context():
        assert db.session.scalar(select(AccountToken)).used_at is None


def test_recovery_codes_made_before_the_rotation_still_work(app, rotated, make_tenant) -> None:
    make_tenant("alice")
    with app.app_context():
        user = db.session.scalar(select(User))
        codes = two_factor.new_recovery_codes(user)
        db.session.commit()
    with rotated.app_context():
        user = db.session.scalar(select(User))
        assert two_factor._use_recovery_code(user, codes[0])
        assert not two_factor._use_recovery_code(user, codes[0])  # once
