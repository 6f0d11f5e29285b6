"""Abuse basics: risk signals admins see beside signups, the quarantine new blogs
start in (served, but out of search engines, sitemaps and feed discovery) until
an admin lifts it, and actions on many blogs at once, in the console and the CLI."""

import re

import pytest
from flask import Flask
from sqlalchemy import select
from test_admin_tenants import audit_actions, cli, status_of

from fixtures.accounts import PASSWORD
from fixtures.app import BLOG_DOMAIN, csrf_token
from fixtures.blogs import Blog, blog_id
from fixtures.mirrors import publish, read_folder

NOINDEX = '<meta name="robots" content="noindex">'
FEED_LINK = 'rel="alternate" type="application/atom+xml"'


def tenant_of(app: Flask, subdomain: str):
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant

    with app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.subdomain == subdomain))
        db.session.expunge(tenant)
        return tenant


def signed_up_from(app: Flask, subdomain: str, network: str, verified: bool = True) -> Blog:
    """A blog as signup makes it from `network` (quarantined, as new ones are)."""
    from inkwell.platform.core.accounts.registration import new_blog, new_user
    from inkwell.platform.core.extensions import db

    email = f"{subdomain}@example.net"
    with app.app_context():
        user = new_user(email, PASSWORD, verified=verified)
        tenant = new_blog(user, subdomain, subdomain, BLOG_DOMAIN, signup_network=network,
                          quarantined=True)  # fmt: skip
        db.session.commit()
        return Blog(tenant.id, subdomain, email)


def assert_quarantined(reader, quarantined: bool) -> None:
    """What search engines and feed readers find on the blog's host."""
    home, post = reader.get("/"), reader.get("/hello/")
    for page in (home, post):
        assert page.status_code == 200 and "Hello" in page.text  # readers are served either way
        assert (NOINDEX in page.text) is quarantined
        assert (FEED_LINK in page.text) is not quarantined
    assert reader.get("/sitemap.xml").status_code == (404 if quarantined else 200)
    assert ("Sitemap: " in reader.get("/robots.txt").text) is not quarantined
    assert reader.get("/latest.atom").status_code == 200  # subscribers keep their feed


def test_signup_starts_quarantined_until_an_admin_lifts_it(
    app, client, auth, admin, make_post, site_client
) -> None:
    client.environ_base["REMOTE_ADDR"] = "2001:db8:7:9::25"
    assert auth.signup(email="eve@example.com", subdomain="evesblog").status_code == 302
    eve = tenant_of(app, "evesblog")
    assert eve.quarantined_at is not None and eve.signup_network == "2001:db8:7:9::/64"
    make_post(Blog(eve.id, "evesblog", "eve@example.com"), "Hello", "Hi", tags=["x"])
    reader = site_client("evesblog")
    assert_quarantined(reader, True)
    tag_page = reader.get("/tags/x/")
    assert tag_page.status_code == 200 and FEED_LINK not in tag_page.text

    url = f"/admin/tenants/{eve.id}/"
    page = admin.get(url)
    assert "2001:db8:7:9::/64" in page.text and "Lift quarantine" in page.text
    assert "evesblog" in admin.get("/admin/tenants/?quarantined=1").text
    assert "alice" not in admin.get("/admin/tenants/?quarantined=1").text  # an operator's blog
    lifted = admin.post(f"{url}lift-quarantine", data={"csrf_token": csrf_token(admin, url)})
    assert lifted.status_code == 303
    assert_quarantined(reader, False)
    again = admin.post(f"{url}lift-quarantine", data={"csrf_token": csrf_token(admin, url)})
    assert again.status_code == 409 and "not quarantined" in again.text
    assert (
        admin.post(f"{url}quarantine", data={"csrf_token": csrf_token(admin, url)}).status_code
        == 303
    )
    assert_quarantined(reader, True)
    assert [a for a, _ in audit_actions(app, eve.id)] == [
        "tenant.lift_quarantine",
        "tenant.quarantine",
    ]


def test_owners_see_their_blog_is_quarantined(app, client, auth) -> None:
    auth.signup(email="eve@example.com", subdomain="evesblog")
    auth.login("eve@example.com")
    page = client.get("/blogs/evesblog/")
    assert page.status_code == 200 and "search engines are asked not to index it" in page.text
    # Once, on the blog's own page: not a large banner over every page (issue #18).
    for elsewhere in ("/dashboard/", "/blogs/evesblog/posts/new", "/blogs/evesblog/settings"):
        assert "search engines are asked not to index it" not in client.get(elsewhere).text


def test_operators_blogs_and_a_switched_off_setting_are_not_quarantined(
    app, client, auth, make_tenant, monkeypatch
) -> None:
    make_tenant("opsuser")  # an existing user to own the operator's blog
    result = app.test_cli_runner().invoke(
        args=["blogs", "create", "opsblog", "--owner", "opsuser@example.com", "--title", "Ops"]
    )
    assert result.exit_code == 0, result.output
    assert tenant_of(app, "opsblog").quarantined_at is None
    monkeypatch.setitem(app.config, "QUARANTINE_NEW_BLOGS", False)
    auth.signup(email="eve@example.com", subdomain="evesblog")
    assert tenant_of(app, "evesblog").quarantined_at is None


def test_a_quarantined_mirror_has_no_sitemap(app, admin, make_post, tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "MIRROR_URL", str(tmp_path / "mirror"))
    eve = signed_up_from(app, "evesblog", "203.0.113.5")
    make_post(eve, "Hello", "Hi")
    folder = tmp_path / "mirror" / str(tenant_of(app, "evesblog").uuid)
    assert [run.status for run in publish(app, eve.id)] == ["succeeded"]
    files = read_folder(folder)
    assert "sitemap.xml" not in files and NOINDEX.encode() in files["hello/index.html"]
    assert b"Sitemap:" not in files["robots.txt"]
    assert cli(app, "lift-quarantine", "evesblog").exit_code == 0
    assert [run.status for run in publish(app, eve.id)] == ["succeeded"]
    files = read_folder(folder)
    assert "sitemap.xml" in files and NOINDEX.encode() not in files["hello/index.html"]


def test_risk_signals_in_console_and_cli(app, admin) -> None:
    for name in ("spam-one", "spam-two", "spam-three"):
        signed_up_from(app, name, "198.51.100.7")
    signed_up_from(app, "supp0rt-desk", "192.0.2.1", verified=False)
    signed_up_from(app, "gardening", "192.0.2.2")

    page = admin.get("/admin/tenants/").text
    rows = dict(re.findall(r">([a-z0-9-]+)</a></td>(.*?)</tr>", page, re.S))
    assert "3 blogs signed up from 198.51.100.7" in rows["spam-two"]
    assert "looks like “support”" in rows["supp0rt-desk"]
    assert "has not confirmed their email" in rows["supp0rt-desk"]
    assert "signed up from" not in rows["supp0rt-desk"]  # one blog from its address
    assert "signed up from" not in rows["gardening"] and "looks like" not in rows["gardening"]
    detail = admin.get(f"/admin/tenants/{blog_id(app, 'spam-one')}/").text
    assert "3 blogs signed up from 198.51.100.7" in detail

    listing = cli(app, "list", "--quarantined").output
    assert "spam-one\tactive,quarantined" in listing and "alice\t" not in listing
    shown = cli(app, "show", "supp0rt-desk").output
    assert "risk signal: its name looks like “support”" in shown
    assert "signed up from: 192.0.2.1" in shown and "quarantined since:" in shown


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::2", "2001:db8:1:2::/64"),  # the same subscriber
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("not an address", ""),
        (None, ""),
    ],
)
def test_signup_networks(address, network) -> None:
    from inkwell.platform.core.administration.risk import network_of

    assert network_of(address) == network


@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("adm1n-desk", "admin"),
        ("paypa1-desk", "paypal"),
        ("inkwell-help", "inkwell"),
        ("sec-ur1ty", "security"),
        ("alice", None),
        ("cooking-notes", None),
        ("bobsblog", None),
    ],
)
def test_lookalike_names(name, word) -> None:
    from inkwell.platform.core.administration.risk import lookalike

    assert lookalike(name) == word


def bulk(admin, data: dict):
    return admin.post(
        "/admin/tenants/bulk",
        data={"csrf_token": csrf_token(admin, "/admin/tenants/"), **data},
    )


def test_bulk_actions_act_on_each_selected_blog(app, admin, make_tenant) -> None:
    ids = {name: make_tenant(name).id for name in ("bob", "carol", "dave")}
    admin.post(
        f"/admin/tenants/{ids['carol']}/suspend",
        data={"csrf_token": csrf_token(admin, "/admin/tenants/"), "reason": "Earlier"},
    )
    answer = bulk(
        admin,
        {"action": "suspend", "reason": "Spam wave", "tenant": list(ids.values()), "q": "o"},
    )
    assert answer.status_code == 303 and answer.location.endswith("/admin/tenants/?q=o")
    page = admin.get(answer.location).text
    assert '<p class="flash" role="status">Suspended bob, dave.</p>' in page
    assert '<p class="flash error" role="alert">carol is suspended: only an active' in page
    assert status_of(app, ids["bob"]) == status_of(app, ids["dave"]) == ("suspended", "Spam wave")
    assert status_of(app, ids["carol"]) == ("suspended", "Earlier")  # refused, untouched
    assert [a for a, _ in audit_actions(app, ids["bob"])] == ["tenant.suspend"]

    for action, expected in [("quarantine", "tenant.quarantine"), ("restore", "tenant.restore")]:
        assert bulk(admin, {"action": action, "tenant": [ids["bob"]]}).status_code == 303
        assert audit_actions(app, ids["bob"])[-1][0] == expected
    assert tenant_of(app, "bob").quarantined_at is not None
    assert bulk(admin, {"action": "lift-quarantine", "tenant": [ids["bob"]]}).status_code == 303
    assert tenant_of(app, "bob").quarantined_at is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "suspend", "reason": " "}, "Give a reason"),
        ({"action": "explode", "reason": "x"}, "Choose an action"),
        ({"action": "", "reason": "x"}, "Choose an action"),
        ({"action": "delete", "reason": "x", "tenant": []}, "Select between 1 and 50 blogs"),
        ({"action": "delete", "reason": "x", "tenant": ["1; drop"]}, "not a list of blogs"),
    ],
)
def test_bulk_refuses_bad_input_and_changes_nothing(app, admin, data, message) -> None:
    alice = blog_id(app, "alice")
    answer = bulk(admin, {"tenant": [alice], **data})
    assert answer.status_code == 400 and message in answer.text
    assert status_of(app, alice) == ("active", "") and audit_actions(app, alice) == []
    if data["action"] == "suspend":  # the form comes back as it was sent
        assert re.search(rf'value="{alice}" aria-label="Select alice"\s+checked', answer.text)
        assert '<option selected value="suspend">' in answer.text
        # The reason's error is beside its field, marked invalid.
        beside = r'<input[^>]*name="reason"[^>]*>\s*<p class="error">Give a reason'
        reason = re.search(beside, answer.text)
        assert reason and 'aria-invalid="true"' in reason.group(0)


def test_bulk_from_the_cli(app, admin, make_tenant) -> None:
    make_tenant("bob"), make_tenant("carol")
    wrong = cli(app, "suspend", "alice", "nope", "--reason", "Spam")
    assert wrong.exit_code == 1 and wrong.output == "Error: no blog 'nope'\n"
    assert status_of(app, blog_id(app, "alice")) == ("active", "")  # nothing done
    done = cli(app, "suspend", "alice", "bob", "--reason", "Spam")
    assert done.exit_code == 0 and done.output == "Suspended alice, bob.\n"
    partly = cli(app, "restore", "alice", "carol", "bob")
    assert partly.exit_code == 1 and "Restored alice, bob." in partly.output
    assert "Error: carol is active: there is nothing to restore." in partly.output
    assert cli(app, "quarantine", "alice", "bob").output == "Quarantined alice, bob.\n"
    lift = cli(app, "lift-quarantine", "bob")
    assert lift.exit_code == 0 and tenant_of(app, "bob").quarantined_at is None
    assert cli(app, "lift-quarantine", "bob").exit_code == 1


def test_a_refused_bulk_action_keeps_its_page_and_selection(app, admin, make_tenant, monkeypatch):
    from inkwell.platform.web.admin.tenants import views as tenants

    monkeypatch.setattr(tenants, "PER_PAGE", 1)
    make_tenant("bob")  # newest first: bob on page 1, alice on page 2
    alice = blog_id(app, "alice")
    answer = bulk(admin, {"action": "suspend", "reason": "", "tenant": [alice], "page": "2"})
    assert answer.status_code == 400 and "Page 2 of 2" in answer.text
    assert re.search(rf'value="{alice}" aria-label="Select alice"\s+checked', answer.text)


def test_hand_typed_list_filters(app, admin) -> None:
    signed_up_from(app, "evesblog", "192.0.2.9")
    assert "alice" in admin.get("/admin/tenants/?quarantined=0").text  # only "1" filters
    assert "alice" not in admin.get("/admin/tenants/?quarantined=1").text
    bogus = admin.get("/admin/tenants/?status=bogus&q=eve")
    assert bogus.status_code == 400 and "status must be one of" in bogus.text
    assert 'value="eve"' in bogus.text  # the search form is kept
    beyond = admin.get("/admin/tenants/?page=99")
    assert "No blogs match" in beyond.text and ">First page</a>" in beyond.text
    assert "Newer" not in beyond.text  # page 98 is just as empty
