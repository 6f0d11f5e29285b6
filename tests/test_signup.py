"""Signup creates user, blog, primary host and owner membership in one
transaction; every bad input is a form error with a 4xx and creates nothing."""

import threading

import pytest
from flask import Flask
from sqlalchemy import func, select

from fixtures.accounts import PASSWORD, AuthActions
from fixtures.app import csrf_token, platform_browser
from fixtures.mail import mail_link
from inkwell.platform.core.accounts import registration as accounts
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Domain, Membership, Tenant, User


def counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (User, Tenant, Domain, Membership)
        }


NOTHING = {"users": 0, "tenants": 0, "domains": 0, "memberships": 0}
ONE_EACH = {"users": 1, "tenants": 1, "domains": 1, "memberships": 1}


def test_signup_creates_a_live_blog_and_mails_a_link_that_logs_in(
    app, auth, client, site_client, mailbox
) -> None:
    answer = auth.signup(email="Carol@Example.com", subdomain="Carol-Writes", title="Carol's")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/login"
    assert counts(app) == ONE_EACH
    [mail] = mailbox.to("carol@example.com")
    assert client.get(mail_link(mail, "/verify-email/")).status_code == 302
    home = client.get("/dashboard/")
    assert "Carol&#39;s" in home.text
    assert "http://carol-writes.blogs.test/" in home.text
    blog = site_client("carol-writes").get("/")
    assert blog.status_code == 200 and "Carol&#39;s" in blog.text
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "carol@example.com"
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"subdomain": "admin"}, "reserved"),
        ({"subdomain": "ADMIN"}, "reserved"),
        ({"subdomain": "www"}, "reserved"),
        ({"subdomain": "ab"}, "3 to 30"),
        ({"subdomain": "-abc"}, "letters a-z"),
        ({"subdomain": "ab--cd"}, "Two hyphens"),
        ({"subdomain": "\uff41\uff44\uff4d\uff49\uff4e"}, "reserved"),  # full-width "admin"
        ({"subdomain": "xn--dmin-43d"}, "Two hyphens"),
        ({"subdomain": "ädmin"}, "letters a-z"),
        ({"subdomain": "a" * 64}, "3 to 30"),
        ({"subdomain": "my blog"}, "letters a-z"),
        ({"title": "Nul\x00title"}, "control characters"),
        ({"title": ""}, "This field is required"),
        ({"password": "x" * 1_000_000}, "8 to 1024"),
        ({"password": "short"}, "8 to 1024"),
        ({"email": "not-an-email"}, "Invalid email"),
    ],
)
def test_bad_signup_is_a_form_error_and_creates_nothing(app, auth, fields, message) -> None:
    answer = auth.signup(**fields)
    assert 400 <= answer.status_code < 500
    assert message in answer.text
    assert counts(app) == NOTHING
    if "title" not in fields:
        assert 'value="New Blog"' in answer.text  # the user's text is kept


def test_taken_address_in_another_case(app, auth, make_tenant) -> None:
    make_tenant("alice")
    before = counts(app)
    answer = auth.signup(subdomain="ALICE")
    assert answer.status_code == 409
    assert "taken" in answer.text
    assert counts(app) == before


def test_taken_email_answers_like_a_new_one_and_tells_the_owner(app, make_tenant, mailbox) -> None:
    make_tenant("alice")
    before = counts(app)
    answers = []
    for address in ("ALICE@example.com", "fresh@example.com"):
        browser = AuthActions(platform_browser(app))
        answer = browser.signup(email=address, subdomain=f"blog-{len(answers)}")
        answers.append((answer.status_code, answer.headers["Location"]))
        page = browser.client.get("/login").text
        assert f"we sent a mail to {address.lower()}" in page
    assert answers == [(302, "/login"), (302, "/login")]
    assert counts(app) == {name: n + 1 for name, n in before.items()}  # the fresh one only
    [note] = mailbox.to("alice@example.com")
    assert "Someone tried to sign up" in note.get_body(("plain",)).get_content()
    assert mail_link(note, "/forgot-password")


def test_concurrent_signups_for_one_address(app, monkeypatch) -> None:
    # Both pass the "taken?" check, as two requests racing in production would.
    monkeypatch.setattr(accounts, "subdomain_taken", lambda _sub: False)
    start = threading.Barrier(2)
    answers: list[int] = []
    browsers = [platform_browser(app) for _ in range(2)]
    tokens = [csrf_token(browser, "/signup") for browser in browsers]

    def sign_up(i: int) -> None:
        data = {
            "csrf_token": tokens[i],
            "email": f"racer{i}@example.com",
            "password": PASSWORD,
            "subdomain": "contested",
            "title": f"Racer {i}",
        }
        start.wait()
        answers.append(browsers[i].post("/signup", data=data).status_code)

    threads = [threading.Thread(target=sign_up, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [302, 409]  # the address is taken; no email was
    assert counts(app) == ONE_EACH
