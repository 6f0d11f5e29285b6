"""Email subscriptions as a reader and an owner meet them: the footer form, the
confirmation mail and page, the post's mail (headers, HTML, text), one-click
unsubscribe, bad input, and the owner's Subscribers page. Tasks run inline and
mail lands as .eml files (the embedded default); delivery on a real worker and
SMTP server is test_newsletter_delivery."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from fixtures.app import APP_HOST, csrf_token, post_form
from fixtures.mirrors import edit_post
from inkwell.platform.core import tenancy
from inkwell.platform.core.content.posts import publish_due
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Delivery, Subscriber, Tenant
from inkwell.platform.core.types import utcnow

PAGE = "/blogs/alice/subscribers/"


def blog_uuid(app, blog) -> str:
    with app.app_context():
        return str(db.session.get(Tenant, blog.id).uuid)


def subscribe(client, app, blog, email: str, **headers: str):
    url = f"/newsletter/{blog_uuid(app, blog)}/subscribe"
    return client.post(url, data={"email": email}, headers=headers)


def subscribers_of(app, blog) -> list[Subscriber]:
    with app.app_context(), tenancy.tenant_scope(blog.id):
        return list(db.session.scalars(select(Subscriber).order_by(Subscriber.id)))


def link_path(message, kind: str) -> str:
    text = message.get_body(("plain",)).get_content()
    match = re.search(rf"http://{re.escape(APP_HOST)}(/newsletter/\S+/{kind}/\S+)", text)
    assert match, f"no {kind} link in {message['Subject']!r}"
    return match.group(1)


@pytest.fixture
def confirmed(app, client, mailbox):
    """confirmed(blog, email): an address subscribed and confirmed through the pages."""

    def make(blog, email: str) -> None:
        before = len(mailbox.messages())
        assert (
            subscribe(client, app, blog, email, **{"Sec-Fetch-Site": "cross-site"}).status_code
            == 200
        )
        mail = mailbox.wait_for(before + 1)[-1]
        path = link_path(mail, "confirm")
        assert (
            "Confirm your subscription" in client.get(path).text
        )  # a scanner's GET confirms nothing
        assert post_form(client, path, {}).status_code == 200

    return make


def test_a_reader_subscribes_confirms_and_gets_each_new_post(
    app, client, make_tenant, make_post, site_client, mailbox, confirmed
) -> None:
    alice = make_tenant("alice")
    page = site_client(alice).get("/")
    action = f"http://{APP_HOST}/newsletter/{blog_uuid(app, alice)}/subscribe"
    assert f'action="{action}" method="post"' in page.text
    assert f"form-action 'self' http://{APP_HOST}" in page.headers["Content-Security-Policy"]
    confirmed(alice, "reader@example.com")
    [confirmation] = mailbox.to("reader@example.com")
    assert confirmation["Subject"] == "Confirm your subscription to Alice"
    assert [s.status for s in subscribers_of(app, alice)] == ["confirmed"]

    make_post(
        alice,
        "Kettle",
        "Boiling **water**.\n\n![A kettle](/media/kettle.png)\n\n[more](/tea/) and [cups][c]"
        "\n\n[c]: ../cups/",
    )
    [_, mail] = mailbox.wait_for(2)
    assert mail["Subject"] == "Kettle" and mail["To"] == "reader@example.com"
    assert mail["From"].startswith("Alice <")
    unsubscribe = mail["List-Unsubscribe"]
    assert unsubscribe.startswith(
        f"<http://{APP_HOST}/newsletter/{blog_uuid(app, alice)}/unsubscribe/"
    )
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # As sent: the URL itself, never encoded words, which no mail client reads as one.
    assert dict(mail.raw_items())["List-Unsubscribe"] == unsubscribe
    html = mail.get_body(("html",)).get_content()
    assert 'src="http://alice.blogs.test/media/kettle.png"' in html  # absolute, for mail clients
    assert 'href="http://alice.blogs.test/tea/"' in html
    assert '<img style="max-width: 100%' in html and "<link" not in html  # inline styles
    text = mail.get_body(("plain",)).get_content()
    assert "Boiling **water**." in text and "http://alice.blogs.test/kettle/" in text
    assert "![A kettle](http://alice.blogs.test/media/kettle.png)" in text  # a mail has no base
    assert (
        "[more](http://alice.blogs.test/tea/)" in text
        and "[c]: http://alice.blogs.test/cups/" in text
    )

    edit_post(app, alice.id, db_post_id(app, alice, "Kettle"), body_md="Boiling water, edited.")
    make_post(alice, "Draft", status="draft")
    assert len(mailbox.messages()) == 2  # an edit or a draft mails nobody; each post once


def db_post_id(app, blog, title: str) -> int:
    from inkwell.platform.core.models import Post

    with app.app_context(), tenancy.tenant_scope(blog.id):
        return db.session.scalar(select(Post.id).where(Post.title == title))


def test_unticked_posts_are_not_mailed_and_scheduled_ones_are_when_live(
    app, make_tenant, make_post, mailbox, confirmed
) -> None:
    alice = make_tenant("alice")
    confirmed(alice, "reader@example.com")
    make_post(alice, "Quiet", email_subscribers=False)
    soon = utcnow() + timedelta(minutes=5)
    make_post(alice, "Soon", status="scheduled", published_at=soon)
    assert len(mailbox.messages()) == 1  # the confirmation only
    with app.app_context():
        assert publish_due(now=soon + timedelta(seconds=1)) == 1
    assert [m["Subject"] for m in mailbox.wait_for(2)][1:] == ["Soon"]


def test_one_click_unsubscribe_from_the_mail_client(
    app, client, make_tenant, make_post, mailbox, confirmed
) -> None:
    alice = make_tenant("alice")
    confirmed(alice, "reader@example.com")
    make_post(alice, "First")
    mail = mailbox.wait_for(2)[-1]
    url = mail["List-Unsubscribe"].strip("<>").removeprefix(f"http://{APP_HOST}")
    # RFC 8058: the mail client POSTs this body, with no session, token or same-site headers.
    cross_site = {"Sec-Fetch-Site": "cross-site", "Origin": "https://mail.example"}
    answer = client.post(url, data={"List-Unsubscribe": "One-Click"}, headers=cross_site)
    assert answer.status_code == 200 and "You are unsubscribed" in answer.text
    assert [s.status for s in subscribers_of(app, alice)] == ["unsubscribed"]
    make_post(alice, "Second")
    assert len(mailbox.messages()) == 2


def test_a_flood_of_requests_for_one_address_sends_one_mail(
    app, client, make_tenant, mailbox
) -> None:
    alice = make_tenant("alice")
    answers = [subscribe(client, app, alice, "Victim@Example.com ") for _ in range(20)]
    assert {a.status_code for a in answers} == {200}
    assert len(set(a.text for a in answers)) == 1  # the same answer whatever the state
    assert len(mailbox.wait_for(1)) == 1
    [row] = subscribers_of(app, alice)
    assert (row.email, row.status) == ("victim@example.com", "pending")


@pytest.mark.parametrize(
    "address",
    [
        "",
        "not an address",
        "a@b.example\r\nBcc: everyone@example.com",
        "reader@example.com, other@example.com",
        "Reader <reader@example.com>",
        "nul\x00@example.com",
        "x" * 300 + "@example.com",
        "reader@localhost",
    ],
)
def test_bad_addresses_get_a_clear_answer(app, client, make_tenant, mailbox, address) -> None:
    alice = make_tenant("alice")
    answer = subscribe(client, app, alice, address)
    assert answer.status_code == 400 and "That address cannot be used" in answer.text
    assert subscribers_of(app, alice) == [] and mailbox.messages() == []


def test_links_of_another_blog_or_unknown_ones_are_refused(
    app, client, make_tenant, mailbox, confirmed
) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    confirmed(alice, "reader@example.com")
    path = link_path(mailbox.messages()[0], "confirm")
    token = path.rsplit("/", 1)[1]
    for wrong in (
        f"/newsletter/{blog_uuid(app, bob)}/unsubscribe/{token}",
        f"/newsletter/{blog_uuid(app, alice)}/unsubscribe/nope",
        f"/newsletter/{blog_uuid(app, alice)}/unsubscribe/{'x' * 5000}",
        "/newsletter/not-a-uuid/unsubscribe/x",
    ):
        assert client.post(wrong).status_code == 404, wrong
    assert client.get(f"/newsletter/{blog_uuid(app, bob)}/confirm/{token}").status_code == 404
    assert (
        "another blog" in client.get(f"/newsletter/{blog_uuid(app, bob)}/unsubscribe/{token}").text
    )
    assert [s.status for s in subscribers_of(app, alice)] == ["confirmed"]
    missing = "/newsletter/00000000-0000-4000-8000-000000000000/subscribe"
    assert client.post(missing, data={"email": "a@example.com"}).status_code == 404


def test_a_hostile_blog_title_cannot_add_headers(
    app, make_tenant, make_post, mailbox, confirmed
) -> None:
    alice = make_tenant("alice")
    with app.app_context():
        db.session.get(Tenant, alice.id).title = "Alice\r\nBcc: all@example.com"
        db.session.commit()
    confirmed(alice, "reader@example.com")
    make_post(alice, "Hi\nBcc: x@example.com")
    for mail in mailbox.wait_for(2):
        assert mail["Bcc"] is None and "\n" not in mail["From"]


def test_owners_see_export_import_and_remove_their_subscribers_only(
    app, client, auth, make_tenant, mailbox, confirmed
) -> None:
    alice, bob = make_tenant("alice"), make_tenant("bob")
    confirmed(alice, "reader@example.com")
    auth.login(alice.owner_email)
    page = client.get("/blogs/alice/subscribers/")
    assert page.status_code == 200 and "reader@example.com" in page.text
    csv = client.get("/blogs/alice/subscribers/subscribers.csv")
    assert csv.text.splitlines()[1].startswith("reader@example.com,confirmed,")

    upload = "email\nfriend@example.com\nreader@example.com\nbroken\n"
    data = {"addresses": (io.BytesIO(upload.encode()), "list.csv")}
    answer = post_form(client, "/blogs/alice/subscribers/import", data, form_url=PAGE)
    assert answer.status_code == 302
    shown = client.get("/blogs/alice/subscribers/").text
    assert "1 added as pending: each is sent a confirmation mail" in shown
    assert "1 already on the list" in shown and "line 4" in shown
    assert len(mailbox.wait_for(2)) == 2  # friend@ is asked to confirm
    consented = "colleague@example.com\n"
    upload = {"addresses": (io.BytesIO(consented.encode()), "c.csv"), "consented": "y"}
    post_form(client, "/blogs/alice/subscribers/import", upload, form_url=PAGE)
    assert (
        "1 added as confirmed, since you said they consented"
        in client.get("/blogs/alice/subscribers/").text
    )
    statuses = {s.email: (s.status, s.source) for s in subscribers_of(app, alice)}
    assert statuses["colleague@example.com"] == ("confirmed", "import")
    assert statuses["friend@example.com"] == ("pending", "import")

    reader = next(s for s in subscribers_of(app, alice) if s.email == "reader@example.com")
    auth.login(bob.owner_email)
    assert "reader@example.com" not in client.get("/blogs/bob/subscribers/").text
    form = csrf_token(client, "/blogs/bob/subscribers/")
    assert (
        client.post(
            f"/blogs/bob/subscribers/{reader.id}/remove", data={"csrf_token": form}
        ).status_code
        == 404
    )
    assert client.get("/blogs/alice/subscribers/").status_code in (403, 404)
    auth.login(alice.owner_email)
    post_form(
        client,
        f"/blogs/alice/subscribers/{reader.id}/remove",
        {},
        form_url="/blogs/alice/subscribers/",
    )
    assert "reader@example.com" not in {s.email for s in subscribers_of(app, alice)}


def test_the_mail_quota_holds_subscriptions_and_sends(
    app, client, make_tenant, make_post, mailbox, confirmed
) -> None:
    from inkwell.platform.core.models import Quota

    alice = make_tenant("alice")
    confirmed(alice, "one@example.com")
    confirmed(alice, "two@example.com")
    with app.app_context():
        db.session.add(Quota(tenant_id=alice.id, mails_per_day=3))
        db.session.commit()
    make_post(alice, "Hello")
    assert len(mailbox.wait_for(3)) == 3  # two confirmations, then room for one mail
    with app.app_context(), tenancy.tenant_scope(alice.id):
        states = sorted(d.status for d in db.session.scalars(select(Delivery)))
    assert states == ["queued", "sent"]  # the other waits for tomorrow's room
    answer = subscribe(client, app, alice, "three@example.com")
    assert answer.status_code == 429 and "cannot send more mail today" in answer.text
