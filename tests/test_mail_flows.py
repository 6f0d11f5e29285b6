"""Account mail flows on the embedded default (tasks inline, mail as .eml files):
verification gates publishing, and password reset ends every other session."""

import threading

import pytest
from flask import Flask
from sqlalchemy import select

from fixtures.accounts import PASSWORD, AuthActions, stored_only_as_hash
from fixtures.app import platform_browser, post_form
from fixtures.mail import mail_link
from inkwell.platform.core.accounts import tokens
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import AccountToken, Outbox, User

NEW_PASSWORD = "a brand new password"


def test_unverified_blogger_writes_drafts_but_cannot_publish(app, auth, client, mailbox) -> None:
    auth.signup(email="dana@example.com", subdomain="dana")
    auth.login("dana@example.com")
    assert "Please confirm your address" in client.get("/dashboard/").text
    post = {"title": "Hello", "body_md": "My *words*", "status": "published"}
    kept = post_form(client, "/blogs/dana/posts/new", post)  # kept as a draft (test_flows)
    assert kept.status_code == 302
    assert "Confirm your email address before publishing" in client.get(kept.location).text
    draft = post_form(client, "/blogs/dana/posts/new", {**post, "status": "draft"})
    assert draft.status_code == 302

    resent = post_form(client, "/verify-email/resend", {}, form_url="/dashboard/")
    assert resent.status_code == 302
    first, second = mailbox.to("dana@example.com")
    assert mail_link(first, "/verify-email/") != mail_link(second, "/verify-email/")
    assert client.get(mail_link(second, "/verify-email/")).status_code == 302
    assert "Please confirm your address" not in client.get("/dashboard/").text
    assert post_form(client, "/blogs/dana/posts/new", post).status_code == 302
    # Single use: the same link again is refused.
    assert client.get(mail_link(second, "/verify-email/")).status_code == 400


def _request_reset(app: Flask, email: str):
    return post_form(platform_browser(app), "/forgot-password", {"email": email})


@pytest.mark.parametrize("email", ["alice@example.com", "nobody@example.com"])
def test_reset_request_answers_alike(app, make_tenant, mailbox, email: str) -> None:
    make_tenant("alice")
    answer = _request_reset(app, email)
    assert answer.status_code == 200
    assert f"If {email} has an account, we sent it a link" in answer.text
    assert len(mailbox.to(email)) == (1 if email.startswith("alice") else 0)


def test_reset_moves_the_token_out_of_the_url_and_ends_old_sessions(
    app, make_tenant, mailbox
) -> None:
    make_tenant("alice")
    old = AuthActions(platform_browser(app))
    post_form(
        old.client, "/login", {"email": "alice@example.com", "password": PASSWORD, "remember": "y"}
    )
    assert old.client.get("/dashboard/").status_code == 200
    _request_reset(app, "alice@example.com")
    [mail] = mailbox.to("alice@example.com")
    link = mail_link(mail, "/reset-password/")

    browser = platform_browser(app)
    landing = browser.get(link)
    assert landing.status_code == 302 and landing.headers["Location"] == "/reset-password"
    form = browser.get("/reset-password")
    assert form.status_code == 200 and link.rsplit("/", 1)[1] not in form.text
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert post_form(browser, "/reset-password", data).status_code == 302

    assert old.client.get("/dashboard/").status_code == 302  # session and remember-me ended
    assert AuthActions(platform_browser(app)).login("alice@example.com").status_code == 401
    fresh = AuthActions(platform_browser(app))
    assert fresh.login("alice@example.com", NEW_PASSWORD).status_code == 302
    changed = mailbox.to("alice@example.com")[-1]
    assert changed["Subject"] == "Your Inkwell password was changed"
    assert browser.get(link).status_code == 302
    assert browser.get("/reset-password").status_code == 400  # used up


def test_racing_redemptions_of_one_token_have_one_winner(app, make_tenant) -> None:
    make_tenant("alice")
    with app.app_context():
        user = db.session.scalar(select(User))
        text = tokens.token_text(tokens.issue(user, "reset_password", 1))
        db.session.commit()
    start, winners = threading.Barrier(4), []

    def redeem() -> None:
        with app.app_context():
            start.wait()
            winners.append(tokens.redeem(text, "reset_password") is not None)
            db.session.commit()

    threads = [threading.Thread(target=redeem) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(winners) == [False, False, False, True]


def test_tokens_are_stored_only_as_hashes_and_the_outbox_holds_ids(app, auth, mailbox) -> None:
    auth.signup(email="erin@example.com", subdomain="erin")
    link = mail_link(mailbox.to("erin@example.com")[0], "/verify-email/")
    token = stored_only_as_hash(app, AccountToken, link)
    with app.app_context():
        row = db.session.scalar(select(Outbox))
        assert token not in str(row.args) and row.done_at is not None


def test_expired_reset_link_is_refused(app, make_tenant, mailbox) -> None:
    make_tenant("alice")
    _request_reset(app, "alice@example.com")
    link = mail_link(mailbox.to("alice@example.com")[0], "/reset-password/")
    with app.app_context():
        token = db.session.scalar(select(AccountToken))
        token.expires_at = token.created_at
        db.session.commit()
    browser = platform_browser(app)
    browser.get(link)
    answer = browser.get("/reset-password")
    assert answer.status_code == 400 and "expired" in answer.text


def test_header_injection_is_refused_before_sending(app) -> None:
    from flask_mail import BadHeaderError

    from inkwell.platform.core.mail import message

    with app.app_context(), pytest.raises(BadHeaderError):
        message("a@example.com", "Hi\r\nBcc: victim@example.com", "t", "<p>t</p>", "<x@y>")
