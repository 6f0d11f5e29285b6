"""The account page: a new password ends the other logins and keeps this one; a new
address counts only once its mailed link is opened, and the old one is told; each
login is listed and can be signed out; deleting the account deletes the blogs it
owns alone (restorable, as an admin's delete) and leaves the others to their owners."""

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from fixtures.accounts import PASSWORD, AuthActions
from fixtures.app import platform_browser, post_form
from fixtures.mail import mail_link
from fixtures.two_factor import code, enrol
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import AuditEntry, LoginSession, Membership, Tenant, User

NEW_PASSWORD = "a brand new password"


def browser_of(app: Flask, email: str, password: str = PASSWORD, **headers: str) -> FlaskClient:
    browser = platform_browser(app)
    browser.environ_base.update(headers)
    assert AuthActions(browser).login(email, password).status_code == 302
    return browser


def with_only_remember_me(app: Flask, cookie: str) -> FlaskClient:
    """A browser restarted: its session cookie gone, its remember-me cookie kept."""
    browser = platform_browser(app)
    browser.set_cookie("remember_token", cookie, domain="app.test")
    return browser


def logged_in(client: FlaskClient) -> bool:
    return client.get("/account/").status_code == 200


def test_every_page_links_the_account_page(client, auth, make_tenant) -> None:
    make_tenant("alice")
    assert client.get("/account/").status_code == 302  # logged out: to the login page
    auth.login("alice@example.com")
    assert 'href="/account/"' in client.get("/dashboard/").text
    page = client.get("/account/")
    for part in ("Email address", "Password", "Two-factor sign-in", "Sessions", "Delete account"):
        assert part in page.text


def test_a_short_wrong_password_is_a_wrong_password(client, auth, make_tenant) -> None:
    make_tenant("alice")
    answer = auth.login("alice@example.com", "short")
    assert answer.status_code == 401
    assert "Wrong email or password" in answer.text and "8 to 1024" not in answer.text


def test_changing_the_password_ends_every_other_session(app, make_tenant, mailbox) -> None:
    make_tenant("alice")
    here = browser_of(app, "alice@example.com")
    elsewhere = browser_of(app, "alice@example.com")
    remembered = platform_browser(app)
    post_form(
        remembered, "/login", {"email": "alice@example.com", "password": PASSWORD, "remember": "y"}
    )
    cookie = remembered.get_cookie("remember_token", domain="app.test").value
    assert logged_in(with_only_remember_me(app, cookie))
    wrong = post_form(
        here,
        "/account/password",
        {"current": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        "/account/",
    )
    assert wrong.status_code == 400 and "not your password" in wrong.text
    assert logged_in(elsewhere)
    changed = post_form(
        here,
        "/account/password",
        {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        "/account/",
    )
    assert changed.status_code == 302
    assert logged_in(here)
    assert not logged_in(elsewhere)
    # The remember-me cookie of another browser does not bring its login back either.
    assert not logged_in(with_only_remember_me(app, cookie))
    assert AuthActions(platform_browser(app)).login("alice@example.com").status_code == 401
    assert browser_of(app, "alice@example.com", NEW_PASSWORD)
    assert [m["Subject"] for m in mailbox.to("alice@example.com")] == [
        "Your Inkwell password was changed"
    ]


def test_a_new_address_counts_once_its_link_is_opened(app, make_tenant, mailbox) -> None:
    make_tenant("alice")
    here = browser_of(app, "alice@example.com")
    asked = post_form(
        here, "/account/email", {"email": "Alice@New.example", "current": PASSWORD}, "/account/"
    )
    assert asked.status_code == 302
    page = here.get("/account/").text
    assert "alice@new.example" in page and "Waiting for you to open the link" in page
    with app.app_context():
        assert db.session.scalar(select(User.email)) == "alice@example.com"  # not yet
    (mail,) = mailbox.to("alice@new.example")
    assert mailbox.to("alice@example.com") == []
    link = mail_link(mail, "/account/email/")
    assert platform_browser(app).get(link).status_code == 302  # opened anywhere: the mailbox
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "alice@new.example" and user.email_verified_at is not None
    (notice,) = mailbox.to("alice@example.com")
    assert notice["Subject"] == "The email address of your Inkwell account was changed"
    assert "alice@new.example" in notice.get_body(("plain",)).get_content()
    assert platform_browser(app).get(link).status_code == 400  # once
    assert browser_of(app, "alice@new.example")
    assert AuthActions(platform_browser(app)).login("alice@example.com").status_code == 401


def test_an_address_change_needs_the_password_and_a_free_address(app, make_tenant, mailbox) -> None:
    make_tenant("alice")
    make_tenant("bob")
    here = browser_of(app, "alice@example.com")
    wrong = post_form(
        here, "/account/email", {"email": "a@new.example", "current": "nope nope"}, "/account/"
    )
    assert wrong.status_code == 400 and "not your password" in wrong.text
    same = post_form(
        here, "/account/email", {"email": "alice@example.com", "current": PASSWORD}, "/account/"
    )
    assert same.status_code == 400 and "your address already" in same.text
    bad = post_form(
        here, "/account/email", {"email": "not an address", "current": PASSWORD}, "/account/"
    )
    assert bad.status_code == 400
    taken = post_form(
        here, "/account/email", {"email": "bob@example.com", "current": PASSWORD}, "/account/"
    )
    assert taken.status_code == 302  # answered as any other, so it tells nobody who has an account
    assert mailbox.messages() == []


def test_an_address_taken_meanwhile_is_refused_at_the_link(app, make_tenant, mailbox) -> None:
    make_tenant("alice")
    here = browser_of(app, "alice@example.com")
    post_form(here, "/account/email", {"email": "c@example.com", "current": PASSWORD}, "/account/")
    link = mail_link(mailbox.to("c@example.com")[0], "/account/email/")
    make_tenant("carol", "c@example.com")
    assert here.get(link).status_code == 409
    with app.app_context():
        assert db.session.scalar(select(User.email).where(User.id == _id(app, "alice"))) == (
            "alice@example.com"
        )


def test_sessions_are_listed_and_signed_out(app, make_tenant) -> None:
    make_tenant("alice")
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Mobile Safari/604.1"
    )
    here = browser_of(app, "alice@example.com", HTTP_USER_AGENT=firefox, REMOTE_ADDR="203.0.113.77")
    phone = browser_of(app, "alice@example.com", HTTP_USER_AGENT=iphone)
    third = browser_of(app, "alice@example.com")
    page = here.get("/account/").text
    assert "Firefox on Linux" in page and "Safari on iPhone" in page
    assert "203.0.113.0/24" in page and "203.0.113.77" not in page
    assert page.count("this browser") == 1
    with app.app_context():
        phone_id = db.session.scalar(
            select(LoginSession.id).where(LoginSession.user_agent == iphone)
        )
    ended = post_form(here, "/account/sessions/end", {"session": str(phone_id)}, "/account/")
    assert ended.status_code == 302
    assert not logged_in(phone) and logged_in(third) and logged_in(here)
    again = post_form(here, "/account/sessions/end", {"session": str(phone_id)}, "/account/")
    assert again.status_code == 404
    assert (
        post_form(here, "/account/sessions/end", {"session": "x"}, "/account/").status_code == 400
    )
    others = post_form(here, "/account/sessions/end-others", {}, "/account/")
    assert others.status_code == 302 and "Signed out 1 other session." in here.get("/account/").text
    assert not logged_in(third) and logged_in(here)


def test_a_session_of_someone_else_cannot_be_signed_out(app, make_tenant) -> None:
    make_tenant("alice")
    make_tenant("bob")
    alice, bob = browser_of(app, "alice@example.com"), browser_of(app, "bob@example.com")
    with app.app_context():
        bobs = db.session.scalar(
            select(LoginSession.id)
            .join(User, User.id == LoginSession.user_id)
            .where(User.email == "bob@example.com")
        )
    answer = post_form(alice, "/account/sessions/end", {"session": str(bobs)}, "/account/")
    assert answer.status_code == 404 and logged_in(bob)


def test_logging_out_ends_the_login_row(app, make_tenant) -> None:
    make_tenant("alice")
    here = browser_of(app, "alice@example.com")
    post_form(here, "/logout", {}, "/account/")
    with app.app_context():
        assert db.session.scalars(select(LoginSession)).all() == []


def test_last_seen_is_written_at_most_once_a_minute(app, make_tenant, wall_clock) -> None:
    make_tenant("alice")
    here = browser_of(app, "alice@example.com")

    def last_seen():
        with app.app_context():
            return db.session.scalar(select(LoginSession.last_seen_at))

    first = last_seen()
    wall_clock.advance(30)
    here.get("/account/")
    assert last_seen() == first
    wall_clock.advance(31)
    here.get("/account/")
    assert last_seen() == first + timedelta(seconds=61)


def test_deleting_the_account_deletes_the_blogs_it_owns_alone(app, make_tenant, add_member) -> None:
    make_tenant("alice")
    shared = make_tenant("shared", "sam@example.com")
    guest = make_tenant("guest", "gus@example.com")
    add_member(shared, "alice2@example.com", "editor")  # a bystander
    with app.app_context():
        alice = db.session.scalar(select(User).where(User.email == "alice@example.com"))
        db.session.add(Membership(tenant_id=shared.id, user_id=alice.id, role="owner"))
        db.session.add(Membership(tenant_id=guest.id, user_id=alice.id, role="author"))
        db.session.commit()
        alice_id = alice.id
    here = browser_of(app, "alice@example.com")
    page = here.get("/account/delete")
    deleted_part, kept_part = page.text.split("Stay with their other owners")
    assert "Alice" in deleted_part and "Shared" not in deleted_part
    assert "Shared" in kept_part.split("You stop working on")[0]
    assert "Guest" in kept_part.split("You stop working on")[1]
    unticked = post_form(here, "/account/delete", {"current": PASSWORD})
    wrong = post_form(here, "/account/delete", {"current": "wrong one", "understood": "y"})
    assert unticked.status_code == wrong.status_code == 400 and logged_in(here)
    done = post_form(here, "/account/delete", {"current": PASSWORD, "understood": "y"})
    assert done.status_code == 302 and not logged_in(here)
    with app.app_context():
        statuses = dict(db.session.execute(select(Tenant.subdomain, Tenant.status)).all())
        assert statuses == {"alice": "deleted", "shared": "active", "guest": "active"}
        assert db.session.scalar(select(Tenant.purge_after).where(Tenant.subdomain == "alice"))
        assert (
            db.session.scalars(select(Membership).where(Membership.user_id == alice_id)).all() == []
        )
        gone = db.session.get(User, alice_id)
        assert gone.email != "alice@example.com" and gone.disabled_at is not None
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.actor == "alice@example.com")
        ).all()
        assert sorted(actions) == ["tenant.delete", "user.delete"]
    assert AuthActions(platform_browser(app)).login("alice@example.com").status_code == 401
    # The address is free for a new account.
    assert AuthActions(platform_browser(app)).signup(email="alice@example.com").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "alice@example.com"))


def test_the_last_admin_cannot_delete_their_account(app, admin) -> None:
    answer = post_form(admin, "/account/delete", {"current": PASSWORD, "understood": "y"})
    assert answer.status_code == 409 and "last admin" in answer.text
    assert admin.get("/admin/").status_code == 200


def test_deleting_with_two_factor_takes_a_code(app, make_tenant, wall_clock) -> None:
    make_tenant("alice")
    here = browser_of(app, "alice@example.com")
    secret, _ = enrol(here, wall_clock)
    wall_clock.advance(30)
    no_code = post_form(here, "/account/delete", {"current": PASSWORD, "understood": "y"})
    assert no_code.status_code == 400 and logged_in(here)
    answer = {"current": PASSWORD, "understood": "y", "code": code(secret, wall_clock)}
    done = post_form(here, "/account/delete", answer)
    assert done.status_code == 302 and not logged_in(here)


def _id(app: Flask, subdomain: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == f"{subdomain}@example.com"))
