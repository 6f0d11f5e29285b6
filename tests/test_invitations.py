"""Co-author invitations on the embedded default (tasks inline, mail as .eml
files): an owner invites an address with a role; the invitee accepts, signing up
if needed, and becomes a member of that blog only."""

import threading

from flask import Flask
from sqlalchemy import func, select

from fixtures.accounts import PASSWORD, AuthActions, stored_only_as_hash
from fixtures.app import platform_browser, post_form
from fixtures.mail import mail_link
from inkwell.platform.core.accounts import invitations
from inkwell.platform.core.accounts.invitations import InvitationError
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Invitation, Membership, Outbox, Tenant, User
from inkwell.workers import mail as mail_tasks

NEW_PASSWORD = "a brand new password"
TEAM = "/blogs/alice/team/"


def invite(client, email: str, role: str = "author"):
    return post_form(client, f"{TEAM}invitations", {"email": email, "role": role}, TEAM)


def owner_of_alice(app: Flask, make_tenant):
    """Alice's blog, and a browser logged in as its owner."""
    blog = make_tenant("alice")
    owner = AuthActions(platform_browser(app))
    assert owner.login(blog.owner_email).status_code == 302
    return blog, owner.client


def open_link(app: Flask, link: str, browser=None):
    """Open the mailed link as the invitee does: it lands on /invitations."""
    browser = browser or platform_browser(app)
    landing = browser.get(link)
    assert landing.status_code == 302 and landing.headers["Location"] == "/invitations"
    return browser


def roles_of(app: Flask, email: str) -> dict[str, str]:
    """{blog subdomain: role} of the user with `email`."""
    with app.app_context():
        query = (
            select(Tenant.subdomain, Membership.role)
            .join(Membership)
            .join(User)
            .where(User.email == email)
        )
        return dict(db.session.execute(query).all())


def test_invitee_without_account_signs_up_and_joins_that_blog_only(
    app, make_tenant, mailbox
) -> None:
    _, owner = owner_of_alice(app, make_tenant)
    make_tenant("bob")
    sent = invite(owner, "Ed@Example.com", "editor")
    assert sent.status_code == 302
    team = owner.get(TEAM).text
    assert "Invitation sent to ed@example.com as editor." in team
    assert "Open invitations" in team and "ed@example.com" in team

    [mail] = mailbox.to("ed@example.com")
    assert mail["Subject"] == "Join Alice on Inkwell"
    assert (
        "alice@example.com invited you to write for Alice"
        in mail.get_body(("plain",)).get_content()
    )
    link = mail_link(mail, "/invitations/")
    token = stored_only_as_hash(app, Invitation, link)
    with app.app_context():
        row = db.session.scalar(select(Outbox))
        invitation_id = db.session.scalar(select(Invitation.id))
        assert row.args == {"invitation_id": invitation_id} and row.done_at is not None

    browser = open_link(app, link)
    page = browser.get("/invitations")
    assert page.status_code == 200 and token not in page.text
    assert "Choose a password for your Inkwell account, ed@example.com" in page.text
    short = post_form(browser, "/invitations", {"password": "short", "confirm": "short"})
    assert short.status_code == 400 and "8 to 1024" in short.text
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    joined = post_form(browser, "/invitations", data)
    assert joined.status_code == 302 and joined.headers["Location"] == "/blogs/alice/"

    assert browser.get("/blogs/alice/").status_code == 200
    assert browser.get("/blogs/bob/").status_code == 404
    dashboard = browser.get("/dashboard/").text
    assert "Please confirm" not in dashboard  # the link proved the address
    assert roles_of(app, "ed@example.com") == {"alice": "editor"}  # and no blog of their own
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Tenant)) == 2
    assert len(mailbox.to("ed@example.com")) == 1  # no verification mail either
    assert (
        AuthActions(platform_browser(app)).login("ed@example.com", NEW_PASSWORD).status_code == 302
    )

    team = owner.get(TEAM).text
    assert "ed@example.com" in team and "None." in team  # a member, no longer invited
    again = open_link(app, link).get("/invitations")
    assert again.status_code == 410 and "already accepted" in again.text


def test_existing_account_logs_in_then_accepts(app, make_tenant, mailbox) -> None:
    _, owner = owner_of_alice(app, make_tenant)
    make_tenant("bob")
    invite(owner, "bob@example.com", "author")
    browser = open_link(app, mail_link(mailbox.to("bob@example.com")[0], "/invitations/"))
    to_login = browser.get("/invitations")
    assert to_login.status_code == 302
    assert to_login.headers["Location"] == "/login?next=/invitations"
    login = post_form(
        browser, "/login?next=/invitations", {"email": "bob@example.com", "password": PASSWORD}
    )
    assert login.headers["Location"] == "/invitations"
    confirm = browser.get("/invitations")
    assert confirm.status_code == 200 and "Accept and join Alice" in confirm.text
    assert roles_of(app, "bob@example.com") == {"bob": "owner"}  # nothing before the POST
    accepted = post_form(browser, "/invitations", {})
    assert accepted.status_code == 302 and accepted.headers["Location"] == "/blogs/alice/"
    assert roles_of(app, "bob@example.com") == {"bob": "owner", "alice": "author"}
    assert "you are a member, as author" in browser.get("/blogs/alice/").text


def test_another_account_cannot_accept(app, make_tenant, mailbox) -> None:
    _, owner = owner_of_alice(app, make_tenant)
    make_tenant("carol")
    invite(owner, "ed@example.com")
    link = mail_link(mailbox.to("ed@example.com")[0], "/invitations/")
    carol = AuthActions(platform_browser(app))
    carol.login("carol@example.com")
    page = open_link(app, link, carol.client).get("/invitations")
    assert page.status_code == 403
    assert "This invitation is for ed@example.com" in page.text
    assert "logged in as carol@example.com" in page.text
    csrf = post_form(carol.client, "/invitations", {}, form_url="/dashboard/")
    assert csrf.status_code == 403
    assert roles_of(app, "carol@example.com") == {"carol": "owner"}
    # The invitation still works for the address it was sent to.
    ed = open_link(app, link).get("/invitations")
    assert ed.status_code == 200 and "ed@example.com" in ed.text


def test_non_owners_cannot_invite_or_revoke(
    app, client, auth, make_tenant, add_member, make_invitation, mailbox
) -> None:
    blog = make_tenant("alice")
    invited = make_invitation(blog, "ed@example.com")
    auth.login(add_member(blog, "editor@example.com", "editor"))
    team = client.get(TEAM)
    assert team.status_code == 200
    assert "Invite someone" not in team.text and "ed@example.com" not in team.text
    refused = invite(client, "friend@example.com")
    assert refused.status_code == 403 and "owners can change its team" in refused.text
    revoke = post_form(client, f"{TEAM}invitations/{invited.id}/revoke", {}, TEAM)
    assert revoke.status_code == 403
    with app.app_context():
        assert [i.email for i in invitations.pending(blog.id)] == ["ed@example.com"]
    assert mailbox.messages() == []


def test_revoked_invitation_link_says_so(app, make_tenant, mailbox) -> None:
    _, owner = owner_of_alice(app, make_tenant)
    invite(owner, "ed@example.com")
    link = mail_link(mailbox.to("ed@example.com")[0], "/invitations/")
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id))
    url = f"{TEAM}invitations/{invitation_id}/revoke"
    assert post_form(owner, url, {}, TEAM).status_code == 302
    team = owner.get(TEAM).text
    assert "Invitation revoked" in team and "ed@example.com" not in team
    page = open_link(app, link).get("/invitations")
    assert page.status_code == 410 and "withdrawn" in page.text
    assert post_form(owner, url, {}, TEAM).status_code == 404  # nothing left to revoke
    assert roles_of(app, "ed@example.com") == {}


def test_inviting_again_replaces_the_open_invitation(app, make_tenant, mailbox) -> None:
    _, owner = owner_of_alice(app, make_tenant)
    invite(owner, "ed@example.com", "author")
    invite(owner, "ed@example.com", "editor")
    first, second = mailbox.to("ed@example.com")
    assert open_link(app, mail_link(first, "/invitations/")).get("/invitations").status_code == 410
    browser = open_link(app, mail_link(second, "/invitations/"))
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert post_form(browser, "/invitations", data).status_code == 302
    assert roles_of(app, "ed@example.com") == {"alice": "editor"}


def test_inviting_a_member_says_so_and_mails_nothing(app, make_tenant, add_member, mailbox) -> None:
    blog, owner = owner_of_alice(app, make_tenant)
    writer = add_member(blog, "writer@example.com", "author")
    for email in (writer, "ALICE@example.com"):
        answer = invite(owner, email, "owner")
        assert answer.status_code == 409
        assert f"{email.lower()} is already a member of this blog." in answer.text
    assert mailbox.messages() == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    assert roles_of(app, writer) == {"alice": "author"}


def test_line_breaks_in_the_address_are_refused_at_input(app, make_tenant, mailbox) -> None:
    _, owner = owner_of_alice(app, make_tenant)
    answer = invite(owner, "ed@example.com\r\nBcc: victim@example.com")
    assert answer.status_code == 400 and "Remove control characters" in answer.text
    assert invite(owner, "ed@example.com", "emperor").status_code == 400
    assert mailbox.messages() == []


def test_open_invitations_are_capped_per_blog(app, make_tenant, mailbox, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "INVITATIONS_MAX_PENDING", 2)
    _, owner = owner_of_alice(app, make_tenant)
    assert invite(owner, "one@example.com").status_code == 302
    assert invite(owner, "two@example.com").status_code == 302
    refused = invite(owner, "three@example.com")
    assert refused.status_code == 409 and "2 open invitations, the most" in refused.text
    assert invite(owner, "two@example.com", "editor").status_code == 302  # a replacement
    with app.app_context():
        two = db.session.scalar(
            select(Invitation.id).where(
                Invitation.email == "two@example.com", Invitation.used_at.is_(None)
            )
        )
    post_form(owner, f"{TEAM}invitations/{two}/revoke", {}, TEAM)
    assert invite(owner, "three@example.com").status_code == 302
    assert len(mailbox.messages()) == 4
    assert mailbox.to("three@example.com")


def test_expired_or_unknown_links_are_refused(app, make_tenant, make_invitation) -> None:
    blog = make_tenant("alice")
    invited = make_invitation(blog, "ed@example.com")
    with app.app_context():
        invitation = db.session.get(Invitation, invited.id)
        invitation.expires_at = invitation.created_at
        db.session.commit()
    expired = open_link(app, f"/invitations/{invited.token}").get("/invitations")
    assert expired.status_code == 410 and "expired" in expired.text
    unknown = open_link(app, "/invitations/not-a-token").get("/invitations")
    assert unknown.status_code == 404 and "not valid" in unknown.text
    assert platform_browser(app).get("/invitations").status_code == 404  # no link opened
    owner = AuthActions(platform_browser(app))
    owner.login(blog.owner_email)
    assert "ed@example.com" not in owner.client.get(TEAM).text  # no longer open


def test_racing_accepts_have_one_winner(app, make_tenant, make_invitation) -> None:
    invited = make_invitation(make_tenant("alice"), "bob@example.com", "editor")
    make_tenant("bob")
    start, winners = threading.Barrier(4), []

    def accept() -> None:
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == "bob@example.com"))
            start.wait()
            try:
                invitations.accept(invited.token, user)
                db.session.commit()
                winners.append(True)
            except InvitationError:
                db.session.rollback()
                winners.append(False)

    threads = [threading.Thread(target=accept) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(winners) == [False, False, False, True]
    assert roles_of(app, "bob@example.com") == {"alice": "editor", "bob": "owner"}


def test_an_invitation_revoked_before_its_mail_is_never_mailed(
    app, make_tenant, make_invitation, mailbox
) -> None:
    blog = make_tenant("alice")
    invited = make_invitation(blog, "ed@example.com")
    with app.app_context():
        invitations.revoke(blog.id, invited.id)
        row = Outbox(task=mail_tasks.send_invitation.name, key="late", args={})
        db.session.add(row)
        db.session.commit()
        mail_tasks.send_invitation.apply(kwargs={"outbox_id": row.id, "invitation_id": invited.id})
        db.session.refresh(row)  # the task ran in a session of its own
        assert row.done_at is not None and row.last_error == "nothing to send any more"
    assert mailbox.messages() == []
