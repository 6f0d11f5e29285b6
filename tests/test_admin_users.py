"""Users and the audit log in the admin console and the CLI: every action takes
effect, shows in the audit log with who, what, which account and from where, and
refuses a state that does not allow it with a clear message."""

import getpass
import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from fixtures.accounts import PASSWORD, AuthActions
from fixtures.app import platform_browser, post_form
from fixtures.mail import mail_link
from fixtures.two_factor import enrol
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import AuditEntry, RecoveryCode, User

ALICE = "alice@example.com"
NEW_PASSWORD = "a brand new password"


def user_id(app: Flask, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def account(app: Flask, email: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge(user)
        return user


def audit_log(app: Flask) -> list[tuple[str, str, str, str, str]]:
    """(actor, source, action, target type, target label) of every entry, oldest first."""
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.actor, e.source, e.action, e.target_type, e.target_label) for e in entries]


def act(admin: FlaskClient, app: Flask, email: str, action: str, **data: str):
    """Press an action's button on the user's page in the console."""
    page = f"/admin/users/{user_id(app, email)}/"
    return post_form(admin, f"{page}{action}", data, form_url=page)


def logged_in(app: Flask, email: str = ALICE) -> FlaskClient:
    browser = platform_browser(app)
    data = {"email": email, "password": PASSWORD, "remember": "y"}
    assert post_form(browser, "/login", data).status_code == 302
    return browser


def cli(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


# The console


def test_users_are_listed_searched_and_shown_with_their_blogs(app, admin, make_tenant) -> None:
    make_tenant("bob")
    listing = admin.get("/admin/users/")
    assert listing.status_code == 200
    assert ALICE in listing.text and ">alice</a> (owner)" in listing.text
    found = admin.get("/admin/users/?q=ALI")
    assert ALICE in found.text and "bob@example.com" not in found.text
    assert "root@example.com" in admin.get("/admin/users/?admins=1").text
    assert ALICE not in admin.get("/admin/users/?admins=1").text
    assert "No user matches" in admin.get("/admin/users/?q=100%25").text  # % is literal
    detail = admin.get(f"/admin/users/{user_id(app, ALICE)}/")
    assert detail.status_code == 200 and ">alice</a> (owner)" in detail.text
    assert admin.get("/admin/users/999999/").status_code == 404


def test_disable_ends_sessions_and_refuses_login_until_enabled(app, admin) -> None:
    alice = logged_in(app)
    assert alice.get("/dashboard/").status_code == 200
    done = act(admin, app, ALICE, "disable", reason="spam")
    assert done.status_code == 302
    assert "is disabled and logged out everywhere" in admin.get(done.headers["Location"]).text
    assert alice.get("/dashboard/").status_code == 302  # the session (and remember-me) is gone
    refused = AuthActions(platform_browser(app)).login(ALICE)
    assert refused.status_code == 403 and "This account is disabled" in refused.text
    # Without the password nobody learns the account exists, let alone that it is disabled.
    wrong = AuthActions(platform_browser(app)).login(ALICE, "not the password")
    assert wrong.status_code == 401 and "Wrong email or password." in wrong.text

    assert act(admin, app, ALICE, "enable").status_code == 302
    assert account(app, ALICE).disabled_at is None
    assert AuthActions(platform_browser(app)).login(ALICE).status_code == 302
    assert alice.get("/dashboard/").status_code == 302  # old sessions stay ended
    assert audit_log(app) == [
        ("root@example.com", "127.0.0.1", "user.disable", "user", ALICE),
        ("root@example.com", "127.0.0.1", "user.enable", "user", ALICE),
    ]
    with app.app_context():
        assert db.session.scalar(select(AuditEntry)).detail == {"reason": "spam"}


def test_disabled_users_verification_link_does_not_log_in(app, auth, client, mailbox) -> None:
    auth.signup(email="dana@example.com", subdomain="dana")
    assert cli(app, "users", "disable", "dana@example.com").exit_code == 0
    answer = client.get(mail_link(mailbox.to("dana@example.com")[0], "/verify-email/"))
    assert answer.status_code == 403 and "This account is disabled" in answer.text
    assert client.get("/dashboard/").status_code == 302


def test_grant_and_revoke_admin(app, admin) -> None:
    alice = logged_in(app)
    assert alice.get("/admin/").status_code == 404
    assert act(admin, app, ALICE, "grant-admin").status_code == 302
    assert alice.get("/admin/").status_code == 200
    assert act(admin, app, ALICE, "revoke-admin").status_code == 302
    assert alice.get("/admin/").status_code == 404
    assert [entry[2] for entry in audit_log(app)] == ["user.grant_admin", "user.revoke_admin"]


def test_an_admin_may_step_down_but_the_last_admin_may_not(app, admin) -> None:
    last = act(admin, app, "root@example.com", "revoke-admin")
    assert last.status_code == 409 and "is the last admin" in last.text
    assert act(admin, app, ALICE, "grant-admin").status_code == 302
    stepped_down = act(admin, app, "root@example.com", "revoke-admin")
    assert stepped_down.status_code == 302 and stepped_down.headers["Location"] == "/dashboard/"
    assert admin.get("/admin/").status_code == 404
    assert not account(app, "root@example.com").is_admin


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("enable", "is not disabled"),
        ("grant-admin", "is an admin already"),
        ("disable", "You cannot disable your own account"),
    ],
)
def test_wrong_state_is_a_clear_409(app, admin, action: str, message: str) -> None:
    answer = act(admin, app, "root@example.com", action)
    assert answer.status_code == 409 and message in answer.text
    assert "Start a password reset" in answer.text  # on the user's page, not a bare error
    assert audit_log(app) == []


def test_admins_are_not_offered_to_disable_themselves(app, admin) -> None:
    own = admin.get(f"/admin/users/{account(app, 'root@example.com').id}/").text
    other = admin.get(f"/admin/users/{account(app, ALICE).id}/").text
    assert "Disable and log out everywhere" in other
    assert "Disable and log out everywhere" not in own and "you cannot" in own


def test_disabling_twice_or_a_too_long_reason_is_refused(app, admin) -> None:
    too_long = act(admin, app, ALICE, "disable", reason="x" * 501)
    assert too_long.status_code == 400  # said beside the field, which keeps what was typed
    assert re.search(r'value="x{501}">\s*<p class="error">Field cannot be longer', too_long.text)
    assert act(admin, app, ALICE, "disable").status_code == 302
    again = act(admin, app, ALICE, "disable")
    assert again.status_code == 409 and "is disabled already" in again.text
    assert act(admin, app, ALICE, "grant-admin").status_code == 409


def test_admin_starts_a_reset_and_the_user_chooses_the_password(app, admin, mailbox) -> None:
    done = act(admin, app, ALICE, "reset-password")
    assert done.status_code == 302
    [mail] = mailbox.to(ALICE)
    assert mail["Subject"] == "Reset your Inkwell password"
    link = mail_link(mail, "/reset-password/")
    # The admin sees neither the link nor any password.
    page = admin.get(done.headers["Location"]).text
    assert "a link to choose a new password" in page and link.rsplit("/", 1)[1] not in page
    browser = platform_browser(app)
    browser.get(link)
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert post_form(browser, "/reset-password", data).status_code == 302
    assert AuthActions(browser).login(ALICE, NEW_PASSWORD).status_code == 302
    assert audit_log(app) == [("root@example.com", "127.0.0.1", "user.start_reset", "user", ALICE)]


def test_a_reset_does_not_enable_a_disabled_account(app, admin, mailbox) -> None:
    act(admin, app, ALICE, "disable")
    act(admin, app, ALICE, "reset-password")
    browser = platform_browser(app)
    browser.get(mail_link(mailbox.to(ALICE)[0], "/reset-password/"))
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert post_form(browser, "/reset-password", data).status_code == 302
    assert account(app, ALICE).disabled_at is not None
    assert AuthActions(browser).login(ALICE, NEW_PASSWORD).status_code == 403


def test_admin_resets_two_factor_for_a_user_who_lost_the_device(
    app, wall_clock, admin, mailbox
) -> None:
    alice = logged_in(app)
    enrol(alice, wall_clock)
    page = f"/admin/users/{user_id(app, ALICE)}/"
    assert "Reset two-factor sign-in" in admin.get(page).text
    done = act(admin, app, ALICE, "reset-two-factor")
    assert done.status_code == 302
    assert "Two-factor sign-in is off for alice@example.com" in admin.get(page).text
    assert "Reset two-factor sign-in" not in admin.get(page).text
    # Whoever held a session (remember-me included) is out; the password alone lets in.
    assert alice.get("/dashboard/").status_code == 302
    assert AuthActions(platform_browser(app)).login(ALICE).headers["Location"] == "/dashboard/"
    [mail] = mailbox.to(ALICE)
    assert mail["Subject"] == "Two-factor sign-in was turned off for your Inkwell account"
    assert "turn two-factor sign-in on again" in mail.get_body(("plain",)).get_content()
    with app.app_context():
        assert db.session.scalars(select(RecoveryCode)).all() == []
    assert audit_log(app) == [
        ("root@example.com", "127.0.0.1", "user.reset_two_factor", "user", ALICE)
    ]
    again = act(admin, app, ALICE, "reset-two-factor")
    assert again.status_code == 409 and "does not use two-factor sign-in" in again.text


def test_an_admin_turns_off_their_own_two_factor_on_the_account_page(
    app, wall_clock, admin
) -> None:
    enrol(admin, wall_clock)
    own_page = admin.get(f"/admin/users/{user_id(app, 'root@example.com')}/").text
    assert "on since" in own_page and "Reset two-factor sign-in" not in own_page
    refused = act(admin, app, "root@example.com", "reset-two-factor")
    assert refused.status_code == 409 and "on your account page" in refused.text
    assert account(app, "root@example.com").totp_enabled_at is not None


# The CLI


def test_every_cli_action_takes_effect_and_is_audited_as_the_cli(app, admin, mailbox):
    steps = [
        (("disable", ALICE, "--reason", "abuse"), "is disabled and logged out everywhere"),
        (("enable", ALICE), "can log in again"),
        (("grant-admin", ALICE), "is an admin now"),
        (("revoke-admin", ALICE), "is no longer an admin"),
        (("reset-password", "ALICE@Example.com"), "Mailed alice@example.com a link"),
    ]
    for args, said in steps:
        result = cli(app, "users", *args)
        assert result.exit_code == 0 and said in result.output, result.output
    assert len(mailbox.to(ALICE)) == 1
    actor = f"cli:{getpass.getuser()}"
    actions = ["disable", "enable", "grant_admin", "revoke_admin", "start_reset"]
    assert audit_log(app) == [(actor, "cli", f"user.{a}", "user", ALICE) for a in actions]


def test_cli_resets_two_factor_and_mails_the_user(app, wall_clock, admin, mailbox) -> None:
    enrol(logged_in(app), wall_clock)
    result = cli(app, "users", "reset-2fa", "Alice@example.com")
    assert result.exit_code == 0 and "Two-factor sign-in is off for alice" in result.output
    assert account(app, ALICE).totp_enabled_at is None and len(mailbox.to(ALICE)) == 1
    assert audit_log(app) == [
        (f"cli:{getpass.getuser()}", "cli", "user.reset_two_factor", "user", ALICE)
    ]
    again = cli(app, "users", "reset-2fa", ALICE)
    assert again.exit_code == 1 and "does not use two-factor sign-in" in again.output


def test_cli_list_filters(app, admin, make_tenant) -> None:
    make_tenant("bob")
    cli(app, "users", "disable", "bob@example.com")
    listed = cli(app, "users", "list").output.splitlines()
    # Newest first: the admin fixture made alice, then root; bob came last.
    assert [line.split()[0] for line in listed] == ["bob@example.com", "root@example.com", ALICE]
    assert "alice (owner)" in listed[2] and "verified" in listed[2]
    assert cli(app, "users", "list", "--admins").output.split()[0] == "root@example.com"
    disabled = cli(app, "users", "list", "--disabled").output.splitlines()
    assert len(disabled) == 1 and disabled[0].startswith("bob@example.com")
    assert "disabled " in disabled[0]
    assert cli(app, "users", "list", "--search", "ALI").output.split()[0] == ALICE


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("users", "disable", "nobody@example.com"),
            "Error: no user with email nobody@example.com",
        ),
        (("users", "enable", ALICE), f"Error: {ALICE} is not disabled."),
        (
            ("users", "revoke-admin", "root@example.com"),
            "Error: root@example.com is the last admin",
        ),
        (("users", "reset-password", "nobody"), "Error: no user with email nobody"),
        (("audit", "--since", "2024-02-30"), "Error: --since: '2024-02-30' is not a date"),
        (("audit", "--since", "2026-03-03", "--until", "2026-03-01"), "Error: the 'from' date"),
        (("audit", "--target-type", "post"), "Error: target type must be one of tenant, user"),
    ],
)
def test_cli_errors_are_one_line_and_non_zero(app, admin, args, message: str) -> None:
    result = cli(app, *args)
    assert result.exit_code == 1
    assert result.output.strip().startswith(message) and len(result.output.splitlines()) == 1


# The audit log


@pytest.fixture
def history(app, admin, make_tenant):
    """Three entries on three days: root disables alice, the CLI grants bob admin,
    root notes something on the blog alice."""
    from inkwell.platform.core.models import Tenant

    make_tenant("bob")
    with app.app_context():
        users = {u.email: u for u in db.session.scalars(select(User))}
        alice_blog = db.session.scalar(select(Tenant).where(Tenant.subdomain == "alice"))
        rows = [
            (1, "root@example.com", "127.0.0.1", "user.disable", "user", users[ALICE]),
            (2, "cli:ops", "cli", "user.grant_admin", "user", users["bob@example.com"]),
            (3, "root@example.com", "127.0.0.1", "tenant.note", "tenant", alice_blog),
        ]
        for day, actor, source, action, kind, target in rows:
            label = target.email if kind == "user" else target.subdomain
            db.session.add(
                AuditEntry(at=datetime(2026, 3, day, 12, tzinfo=UTC), actor=actor, source=source,
                           action=action, target_type=kind, target_id=target.id,
                           target_label=label)
            )  # fmt: skip
        db.session.commit()
    return admin


def shown(page: str) -> list[str]:
    """The actions listed in an audit page's table (not its form), top to bottom."""
    table = page[page.index("<tbody>") :]
    found = [a for a in ("user.disable", "user.grant_admin", "tenant.note") if a in table]
    return sorted(found, key=table.index)


@pytest.mark.parametrize(
    ("query", "actions"),
    [
        ("", ["tenant.note", "user.grant_admin", "user.disable"]),
        ("actor=ROOT", ["tenant.note", "user.disable"]),
        ("action=user.grant_admin", ["user.grant_admin"]),
        ("target_type=tenant", ["tenant.note"]),
        ("target=bob", ["user.grant_admin"]),
        ("from=2026-03-02", ["tenant.note", "user.grant_admin"]),
        ("to=2026-03-02", ["user.grant_admin", "user.disable"]),
        ("from=2026-03-02&to=2026-03-02", ["user.grant_admin"]),
        # The first and last days a date can name are days like any other.
        ("to=9999-12-31", ["tenant.note", "user.grant_admin", "user.disable"]),
        ("from=0001-01-01&to=9999-12-31", ["tenant.note", "user.grant_admin", "user.disable"]),
        ("from=9999-12-31", []),
        ("to=0001-01-01", []),
    ],
)
def test_audit_filters(history, query: str, actions: list[str]) -> None:
    page = history.get(f"/admin/audit/?{query}")
    assert page.status_code == 200
    assert shown(page.text) == actions


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=yesterday", "from: &#39;yesterday&#39; is not a date (YYYY-MM-DD)"),
        ("to=2026-13-01", "to: &#39;2026-13-01&#39; is not a date"),
        ("from=2026-03-03&to=2026-03-01", "the &#39;from&#39; date is after the &#39;to&#39; date"),
        ("target_type=post", "target type must be one of tenant, user"),
    ],
)
def test_bad_audit_filters_are_a_clear_400(history, query: str, message: str) -> None:
    page = history.get(f"/admin/audit/?{query}")
    assert page.status_code == 400 and message in page.text
    assert 'name="actor"' in page.text  # the form is there to correct it


def test_user_page_shows_its_audit_trail(app, history) -> None:
    page = history.get(f"/admin/users/{user_id(app, ALICE)}/").text
    assert "user.disable" in page and "user.grant_admin" not in page


def test_cli_audit_prints_one_line_per_entry_newest_first(app, history) -> None:
    lines = cli(app, "audit").output.splitlines()
    assert len(lines) == 3 and lines[0].startswith("2026-03-03T12:00:00Z  root@example.com")
    assert "from cli  user.grant_admin  user bob@example.com" in lines[1]
    assert cli(app, "audit", "--actor", "cli:").output.count("\n") == 1
    assert "tenant alice" in cli(app, "audit", "--target", "alice", "--limit", "1").output
    assert cli(app, "audit", "--action", "user.disable").output.count("\n") == 1
    assert cli(app, "audit", "--since", "2026-03-02").output.count("\n") == 2
    assert cli(app, "audit", "--until", "2026-03-02").output.count("\n") == 2
    assert cli(app, "audit", "--until", "9999-12-31").output.count("\n") == 3
    assert cli(app, "audit", "--target-type", "tenant").output.count("\n") == 1
    assert cli(app, "audit", "--since", "0001-01-01").output.count("\n") == 3
    far = cli(app, "audit", "--since", "9999-12-31")
    assert far.exit_code == 0 and far.output == "No audit entry matches.\n"
