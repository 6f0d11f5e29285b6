"""Names that matter outside the platform: blog addresses that DNS, mail clients
and browsers look up by convention are reserved, and so are plurals of reserved
words; an email address is one account however its domain is spelled."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from fixtures.migrations import back_before
from inkwell.platform.core import database
from inkwell.platform.core.accounts import tokens
from inkwell.platform.core.accounts.registration import new_blog
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Invitation, User
from inkwell.platform.core.validation import normalize_email, subdomain_problem

INFRASTRUCTURE = [
    "mta-sts",
    "autodiscover",
    "autoconfig",
    "openpgpkey",
    "wpad",
    "isatap",
    "localhost",
    "smtp",
    "imap",
    "pop",
    "pop3",
    "webmail",
    "ns1",
    "ns42",
    "mx2",
    "smtp01",
    "www3",
]
PLURALS = ["admins", "apis", "blogs", "logins", "statuses", "securities", "proxies", "imaps"]


@pytest.mark.parametrize("name", INFRASTRUCTURE + PLURALS)
def test_conventional_and_plural_names_are_reserved(name: str) -> None:
    assert subdomain_problem(name) == f"“{name}” is reserved. Please choose another address."


@pytest.mark.parametrize("name", ["_dmarc", "_domainkey", "_mta-sts", "_acme-challenge"])
def test_dns_underscore_labels_cannot_name_a_blog(name: str) -> None:
    assert "letters a-z" in (subdomain_problem(name) or "")


@pytest.mark.parametrize("name", ["nsfw-cats", "mxyzptlk", "popcorn", "wwwriter", "adminton"])
def test_names_that_merely_start_alike_stay_free(name: str) -> None:
    assert subdomain_problem(name) is None


@pytest.mark.parametrize("name", ["mta-sts", "autodiscover", "admins", "ns1"])
def test_signup_refuses_a_reserved_name_and_keeps_the_form(auth, name: str) -> None:
    answer = auth.signup(subdomain=name.upper())
    assert answer.status_code == 400
    assert f"“{name}” is reserved" in answer.text
    assert 'value="New Blog"' in answer.text


def test_the_command_line_refuses_a_reserved_name(app, make_tenant) -> None:
    make_tenant("alice")
    result = app.test_cli_runner().invoke(
        args=["blogs", "create", "wpad", "--owner", "alice@example.com"]
    )
    assert result.exit_code != 0
    assert "“wpad” is reserved" in result.output


UNICODE, ASCII = "bücher.example", "xn--bcher-kva.example"
TOKEN_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def submit(browser: FlaskClient, url: str, data: dict[str, str], form_url: str = "") -> object:
    """POST `data` as the form on `form_url` (default: `url`) would, with its CSRF token."""
    page = browser.get(form_url or url)
    return browser.post(url, data={"csrf_token": TOKEN_RE.search(page.text)[1], **data})


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (f" Ann@{UNICODE.upper()} ", f"ann@{ASCII}"),
        (f"ann@{ASCII.upper()}", f"ann@{ASCII}"),
        (
            "ann@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45\uff0e\uff43\uff4f\uff4d",
            "ann@example.com",
        ),  # full-width "example.com"
        ("Zoe\u0308@Example.com", "zo\u00eb@example.com"),  # one ë, however composed
        ("ann@not_a_domain.example", "ann@not_a_domain.example"),  # invalid: lowercased only
        ("no-at-sign", "no-at-sign"),
    ],
)
def test_one_stored_form_per_address(typed: str, stored: str) -> None:
    assert normalize_email(typed) == stored
    assert normalize_email(stored) == stored


def user_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def test_unicode_and_punycode_spellings_are_one_account(app, auth, client, mailbox) -> None:
    assert auth.signup(email=f"Ann@{UNICODE.upper()}").status_code == 302
    [verify] = mailbox.to(f"ann@{ASCII}")
    for spelling in (f"ann@{ASCII}", f"ANN@{UNICODE}"):
        assert auth.login(spelling).status_code == 302, spelling
    # Signing up again with the other spelling makes no second account.
    assert auth.signup(email=f"ann@{ASCII}", subdomain="another").status_code == 302
    assert user_count(app) == 1
    note = mailbox.to(f"ann@{ASCII}")[-1]
    assert (
        note is not verify and "Someone tried to sign up" in note.get_body(("plain",)).get_content()
    )
    sent = submit(client, "/forgot-password", {"email": f"ann@{UNICODE}"})
    assert sent.status_code == 200
    assert "reset" in mailbox.to(f"ann@{ASCII}")[-1]["Subject"].lower()


def test_an_invitation_reaches_the_account_in_either_spelling(
    app, auth, client, make_tenant, make_invitation
) -> None:
    blog = make_tenant("alice")
    make_tenant("edsblog", owner_email=f"Ed@{ASCII}")
    invited = make_invitation(blog, f"ed@{UNICODE}")
    assert auth.login(f"ED@{UNICODE}").status_code == 302
    client.get(f"/invitations/{invited.token}")
    accepted = submit(client, "/invitations", {})
    assert accepted.status_code == 302, accepted.text
    assert accepted.headers["Location"] == "/blogs/alice/"


def test_the_command_line_finds_an_account_in_either_spelling(app) -> None:
    cli = app.test_cli_runner()
    created = cli.invoke(args=["users", "create", f"Zoe@{UNICODE}", "--password", "long enough"])
    assert created.output.strip() == f"Created user zoe@{ASCII}."
    disabled = cli.invoke(args=["users", "disable", f"ZOE@{ASCII.upper()}"])
    assert disabled.exit_code == 0, disabled.output
    assert user_count(app) == 1


def add_old_rows(app: Flask, emails: list[str], invited: list[str] = ()) -> None:
    """Users and open invitations (oldest first) as an older release stored them:
    before addresses were normalized (0013)."""
    with app.app_context():
        owner = User(email="owner@example.com", password_hash="-")
        db.session.add_all([owner, *(User(email=email, password_hash="-") for email in emails)])
        blog = new_blog(owner, "oldblog", "Old", "blogs.test")
        for email in invited:
            db.session.add(
                Invitation(tenant=blog, email=email, role="author", **tokens.new_secret(1))
            )
            db.session.flush()
        db.session.commit()
    back_before(app, "0013")


def test_the_migration_stores_existing_addresses_in_the_one_form(old_app) -> None:
    old = old_app
    add_old_rows(
        old,
        [f"Ann@{UNICODE}", "bob@example.com"],
        invited=[f"ed@{UNICODE}", f"ed@{ASCII}", "Carol@Example.com"],
    )
    with old.app_context():
        database.upgrade("head")
        emails = set(db.session.scalars(select(User.email)))
        assert emails == {"owner@example.com", f"ann@{ASCII}", "bob@example.com"}
        rows = db.session.execute(
            select(Invitation.email, Invitation.revoked_at).order_by(Invitation.id)
        )
        # The newer of two invitations that became one address stays open, as inviting again does.
        assert [(email, revoked is not None) for email, revoked in rows] == [
            (f"ed@{ASCII}", True),
            (f"ed@{ASCII}", False),
            ("carol@example.com", False),
        ]


def test_the_migration_refuses_two_accounts_of_one_address(old_app) -> None:
    old = old_app
    add_old_rows(old, [f"ann@{UNICODE}", f"ann@{ASCII}", f"Bob@{UNICODE}"])
    result = old.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 1
    assert f"user 2 (ann@{UNICODE}) and user 3 (ann@{ASCII})" in result.output
    assert "duplicate-<id>@invalid" in result.output
    with old.app_context():  # nothing changed, and the revision stays
        assert f"Bob@{UNICODE}" in set(db.session.scalars(select(User.email)))
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) == "0012"
