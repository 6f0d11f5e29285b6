"""Two-factor sign-in: turning it on with a scanned key and a confirming code, the
login's second step, recovery codes that work once, codes that never work twice,
wrong codes throttled like wrong passwords, turning it off, and admins sent to turn
it on when ADMIN_REQUIRE_2FA says so. Time moves by the stopped wall clock."""

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from fixtures.accounts import PASSWORD, AuthActions
from fixtures.app import csrf_token, platform_browser, post_form
from fixtures.clock import Clock
from fixtures.two_factor import RECOVERY_CODE_RE, code, enrol, shown_secret
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import RecoveryCode, User
from inkwell.platform.web import login_throttle


@pytest.fixture
def alice(app: Flask, client: FlaskClient, auth: AuthActions, make_tenant) -> str:
    make_tenant("alice")
    auth.login("alice@example.com")
    return "alice@example.com"


def logged_in(client: FlaskClient) -> bool:
    return client.get("/dashboard/").status_code == 200


def test_enrolling_shows_a_qr_code_and_the_key_and_needs_a_confirming_code(
    app, client, alice, wall_clock
) -> None:
    page = client.get("/account/two-factor")
    assert page.status_code == 200
    assert "<svg" in page.text and 'class="qr"' in page.text
    secret = shown_secret(page.text)
    wrong = post_form(client, "/account/two-factor", {"code": "000000"})
    assert wrong.status_code == 400 and "not the one your app shows" in wrong.text
    assert shown_secret(wrong.text) == secret  # the same key, still
    with app.app_context():
        assert db.session.scalar(select(User.totp_enabled_at)) is None
    done = post_form(client, "/account/two-factor", {"code": code(secret, wall_clock)})
    codes = RECOVERY_CODE_RE.findall(done.text)
    assert len(set(codes)) == 10 and "shown only now" in done.text
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.totp_secret == secret and user.totp_enabled_at is not None
        stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
        assert len(stored) == 10 and not any(c.encode() in stored for c in codes)
    assert "On" in client.get("/account/").text


def test_login_asks_for_the_code_after_the_password(client, alice, auth, wall_clock) -> None:
    secret, _ = enrol(client, wall_clock)
    client.post("/logout", data={"csrf_token": _token(client)})
    answer = auth.login(alice)
    assert answer.status_code == 302 and answer.headers["Location"] == "/login/code"
    assert not logged_in(client)  # the password alone is not enough
    wall_clock.advance(30)
    wrong = post_form(client, "/login/code", {"code": "123456"})
    assert wrong.status_code == 401 and "not right" in wrong.text
    assert not logged_in(client)
    right = post_form(client, "/login/code", {"code": code(secret, wall_clock)})
    assert right.status_code == 302 and right.headers["Location"] == "/dashboard/"
    assert logged_in(client)


def test_a_code_works_once_even_in_another_browser(app, client, alice, wall_clock) -> None:
    secret, _ = enrol(client, wall_clock)
    wall_clock.advance(30)
    seen = code(secret, wall_clock)
    first, second = platform_browser(app), platform_browser(app)
    for browser in (first, second):
        AuthActions(browser).login(alice)
    assert post_form(first, "/login/code", {"code": seen}).status_code == 302
    replay = post_form(second, "/login/code", {"code": seen})
    assert replay.status_code == 401 and not logged_in(second)
    # An older code (the step before, still within the drift allowed) is refused as well.
    assert (
        post_form(second, "/login/code", {"code": code(secret, wall_clock, -1)}).status_code == 401
    )
    wall_clock.advance(30)
    assert post_form(second, "/login/code", {"code": code(secret, wall_clock)}).status_code == 302


def test_the_code_used_to_enrol_does_not_log_in(app, client, alice, wall_clock) -> None:
    page = client.get("/account/two-factor")
    secret = shown_secret(page.text)
    used = code(secret, wall_clock)
    post_form(client, "/account/two-factor", {"code": used})
    other = platform_browser(app)
    AuthActions(other).login(alice)
    assert post_form(other, "/login/code", {"code": used}).status_code == 401


def test_a_recovery_code_logs_in_once(app, client, alice, wall_clock) -> None:
    _, codes = enrol(client, wall_clock)
    first, second = platform_browser(app), platform_browser(app)
    for browser in (first, second):
        AuthActions(browser).login(alice)
    typed = codes[0].upper().replace("-", " ")  # as someone types it off paper
    assert post_form(first, "/login/code", {"code": typed}).status_code == 302
    assert logged_in(first)
    assert post_form(second, "/login/code", {"code": codes[0]}).status_code == 401
    assert post_form(second, "/login/code", {"code": codes[1]}).status_code == 302
    assert "8 recovery codes left" in second.get("/account/").text


def test_the_code_step_expires(app, client, alice, wall_clock) -> None:
    secret, _ = enrol(client, wall_clock)
    other = platform_browser(app)
    AuthActions(other).login(alice)
    wall_clock.advance(app.config["LOGIN_CODE_SECONDS"] + 1)
    late = post_form(other, "/login/code", {"code": code(secret, wall_clock)}, "/login")
    assert late.status_code == 302 and late.headers["Location"] == "/login"
    assert not logged_in(other)


def test_wrong_codes_are_throttled_like_wrong_passwords(
    app, app_factory, make_tenant, wall_clock
) -> None:
    make_tenant("alice")
    prefix = f"test-limits-{uuid.uuid4().hex}"
    limited = app_factory(
        RATE_LIMITS_ENABLED=True,
        RATELIMIT_KEY_PREFIX=prefix,
        RATE_LIMIT_LOGIN="1000 per minute",
        LOGIN_THROTTLE_FREE_FAILURES=2,
    )
    throttle = login_throttle.of(limited)
    clock = throttle.clock = Clock(start=1_900_000_000.0)
    browser = platform_browser(limited)
    AuthActions(browser).login("alice@example.com")
    enrol(browser, wall_clock)
    browser.post("/logout", data={"csrf_token": _token(browser)})
    AuthActions(browser).login("alice@example.com")
    statuses = [post_form(browser, "/login/code", {"code": "000000"}).status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    waiting = post_form(browser, "/login/code", {"code": "000001"})
    assert waiting.status_code == 429 and waiting.headers["Retry-After"] == "1"
    assert "too many wrong codes" in waiting.text
    clock.advance(1)
    assert post_form(browser, "/login/code", {"code": "000002"}).status_code == 401
    if throttle.redis is not None:  # leave nothing behind in a shared Redis
        for key in throttle.redis.scan_iter(match=f"{prefix}*"):
            throttle.redis.delete(key)


def test_turning_it_off_takes_the_password_and_a_code(app, client, alice, wall_clock) -> None:
    secret, _ = enrol(client, wall_clock)
    wall_clock.advance(30)
    no_code = post_form(client, "/account/two-factor/disable", {"current": PASSWORD}, "/account/")
    assert no_code.status_code == 400 and "Enter a code" in no_code.text
    wrong_password = post_form(
        client,
        "/account/two-factor/disable",
        {"current": "not the password", "code": code(secret, wall_clock)},
        "/account/",
    )
    assert wrong_password.status_code == 400 and "not your password" in wrong_password.text
    off = post_form(
        client,
        "/account/two-factor/disable",
        {"current": PASSWORD, "code": code(secret, wall_clock)},
        "/account/",
    )
    assert off.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.totp_secret is None and not user.two_factor
        assert db.session.scalars(select(RecoveryCode)).all() == []
    other = platform_browser(app)
    assert AuthActions(other).login(alice).headers["Location"] == "/dashboard/"


def test_new_recovery_codes_replace_the_old_ones(app, client, alice, wall_clock) -> None:
    secret, old = enrol(client, wall_clock)
    wall_clock.advance(30)
    answer = post_form(
        client,
        "/account/two-factor/recovery-codes",
        {"current": PASSWORD, "code": code(secret, wall_clock)},
        "/account/",
    )
    new = RECOVERY_CODE_RE.findall(answer.text)
    assert answer.status_code == 200 and len(new) == 10 and not set(new) & set(old)
    other = platform_browser(app)
    AuthActions(other).login(alice)
    assert post_form(other, "/login/code", {"code": old[5]}).status_code == 401
    assert post_form(other, "/login/code", {"code": new[5]}).status_code == 302


def test_admins_must_turn_it_on_when_required(app_factory, app, make_tenant, wall_clock) -> None:
    from inkwell.platform.core.accounts.registration import new_user

    required = app_factory(ADMIN_REQUIRE_2FA=True)
    with required.app_context():
        new_user("root@example.com", PASSWORD, admin=True, verified=True)
        db.session.commit()
    admin = platform_browser(required)
    AuthActions(admin).login("root@example.com")
    sent = admin.get("/admin/")
    assert sent.status_code == 302 and sent.headers["Location"] == "/account/two-factor"
    assert "needs two-factor sign-in" in admin.get("/account/two-factor").text
    secret, _ = enrol(admin, wall_clock)
    assert admin.get("/admin/").status_code == 200
    wall_clock.advance(30)
    refused = post_form(
        admin,
        "/account/two-factor/disable",
        {"current": PASSWORD, "code": code(secret, wall_clock)},
        "/account/",
    )
    assert refused.status_code == 409 and "must keep two-factor" in refused.text
    # Not required (development and tests): the console answers without it.
    assert app.config["ADMIN_REQUIRE_2FA"] is False


def test_production_requires_it_of_admins_by_default() -> None:
    from inkwell.platform.core.app import create_base_app

    production = {"ENV": "production", "SECRET_KEY": "s3cret" * 8}
    assert create_base_app("t", production).config["ADMIN_REQUIRE_2FA"] is True
    relaxed = create_base_app("t", {**production, "ADMIN_REQUIRE_2FA": False})
    assert relaxed.config["ADMIN_REQUIRE_2FA"] is False
    assert create_base_app("t").config["ADMIN_REQUIRE_2FA"] is False  # development


def test_the_verification_link_does_not_skip_the_code(app, client, alice, wall_clock) -> None:
    from inkwell.platform.core.accounts import tokens

    enrol(client, wall_clock)
    with app.app_context():
        user = db.session.scalar(select(User))
        user.email_verified_at = None
        link = tokens.token_text(tokens.issue(user, "verify_email", 1))
        db.session.commit()
    other = platform_browser(app)
    answer = other.get(f"/verify-email/{link}")
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"
    assert not logged_in(other)


def _token(client: FlaskClient) -> str:
    return csrf_token(client, "/account/")
