"""Domains over time and for operators (issue 19, point 1): an unverified claim
says on Settings → Domains when it expires and the periodic job removes it after
DOMAIN_CLAIM_DAYS, audited; a verified domain never expires. The console's blog
page and `inkwell domains list` show every blog's domains (an IDN in Unicode), and
an admin can take a custom one off a blog, audited."""

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from fixtures.app import post_form
from fixtures.blogs import Blog, blog_id

IDN = "xn--bcher-kva.example"  # bücher.example


def backdate(app: Flask, domain_id: int, days: float) -> None:
    """Make the domain as old as `days` days."""
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Domain
    from inkwell.platform.core.types import utcnow

    with app.app_context():
        db.session.get_one(Domain, domain_id).created_at = utcnow() - timedelta(days=days)
        db.session.commit()


def hosts(app: Flask, blog: Blog) -> set[str]:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Domain

    with app.app_context():
        return set(db.session.scalars(select(Domain.host).where(Domain.tenant_id == blog.id)))


def audited(app: Flask, action: str) -> list[tuple[str, str, str]]:
    """(actor, blog, host) of the audit entries of `action`, oldest first."""
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import AuditEntry

    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return [(e.actor, e.target_label, e.detail["host"]) for e in db.session.scalars(query)]


@pytest.fixture
def alice(app, admin, make_post) -> Blog:
    """The admin fixture's blog alice."""
    return Blog(blog_id(app, "alice"), "alice", "alice@example.com")


def test_the_domains_page_says_when_an_unverified_claim_expires(
    app, client, auth, alice, add_domain, change_blog
) -> None:
    change_blog(alice, time_zone="Asia/Tokyo")
    claim = add_domain(alice, "claim.example.org")
    add_domain(alice, "proven.example.org", verified=True)
    backdate(app, claim, 2.5)
    auth.login(alice.owner_email)
    page = client.get("/blogs/alice/domains/").text
    claim_card = page.split(f'id="domain-{claim}"')[1].split("</li>")[0]
    assert "Expires on <time" in claim_card and "a claim stays 7 days" in claim_card
    from inkwell.platform.core.types import utcnow

    due = (utcnow() + timedelta(days=4.5, hours=9)).strftime("%Y-%m-%d")  # Tokyo's date
    assert f">{due}</time>" in claim_card
    assert page.count("Expires on") == 1  # not the verified ones


def test_the_scheduler_removes_expired_claims_audited_and_beat_runs_it(
    app, alice, add_domain, make_tenant, monkeypatch
) -> None:
    bob = make_tenant("bob")
    old = add_domain(alice, "old.example.org")
    young = add_domain(alice, "young.example.org")
    proven = add_domain(alice, "proven.example.org", verified=True)
    others = add_domain(bob, IDN)
    for domain, days in ((old, 7.1), (young, 6.9), (proven, 400), (others, 30)):
        backdate(app, domain, days)
    result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "2 expired domain claims removed" in result.output
    assert hosts(app, alice) == {"alice.blogs.test", "young.example.org", "proven.example.org"}
    assert hosts(app, bob) == {"bob.blogs.test"}
    assert audited(app, "domain.expire") == [
        ("system:domain-claims", "alice", "old.example.org"),
        ("system:domain-claims", "bob", IDN),
    ]
    # A shorter lifetime is a setting.
    monkeypatch.setitem(app.config, "DOMAIN_CLAIM_DAYS", 1)
    app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert hosts(app, alice) == {"alice.blogs.test", "proven.example.org"}
    beat = app.extensions["celery"].conf.beat_schedule
    assert beat["expire-domain-claims"]["task"] == "inkwell.workers.schedule.expire_domain_claims"


def domain_id(app: Flask, host: str) -> int:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Domain

    with app.app_context():
        return db.session.scalars(select(Domain.id).where(Domain.host == host)).one()


def test_the_console_lists_a_blogs_domains_and_removes_one_audited(
    app, admin, alice, add_domain, make_tenant
) -> None:
    idn = add_domain(alice, IDN, verified=True, primary=True)
    claim = add_domain(alice, "claim.example.org")
    page_url = f"/admin/tenants/{alice.id}/"
    section = admin.get(page_url).text.split("<h2>Domains</h2>")[1].split("</table>")[0]
    assert "bücher.example" in section and IDN in section
    assert "Main address, verified 20" in section and "Unverified: expires 20" in section
    assert "alice.blogs.test" in section and "Platform subdomain" in section

    answer = post_form(admin, f"{page_url}domains/{idn}/remove", {}, form_url=page_url)
    assert answer.status_code == 303
    assert "Removed bücher.example from alice" in admin.get(answer.location).text
    assert hosts(app, alice) == {"alice.blogs.test", "claim.example.org"}
    assert audited(app, "domain.remove") == [("root@example.com", "alice", IDN)]
    # The platform subdomain stays; another blog's domain or none at all: 404.
    own = post_form(admin, f"{page_url}domains/{domain_id(app, 'alice.blogs.test')}/remove", {},
                    form_url=page_url)  # fmt: skip
    assert own.status_code == 409 and "own subdomain stays" in own.text
    bob = make_tenant("bob")
    for stray in (domain_id(app, "bob.blogs.test"), 999999):
        answer = post_form(admin, f"{page_url}domains/{stray}/remove", {}, form_url=page_url)
        assert answer.status_code == 404
    assert hosts(app, bob) == {"bob.blogs.test"}
    # Without the form's token: 400, nothing removed.
    assert admin.post(f"{page_url}domains/{claim}/remove", data={}).status_code == 400
    assert "claim.example.org" in hosts(app, alice)


def test_the_cli_lists_domains_and_removes_one(app, alice, add_domain, make_tenant) -> None:
    bob = make_tenant("bob")
    add_domain(alice, IDN, verified=True, primary=True)
    add_domain(bob, "claim.example.org")
    run = app.test_cli_runner().invoke
    listed = run(args=["domains", "list"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].startswith(f"alice\tbücher.example ({IDN})\tmain address, verified 20")
    assert lines[1].startswith("alice\talice.blogs.test\tverified 20")
    assert lines[3].startswith("bob\tclaim.example.org\tunverified, expires 20")
    assert lines[-1] == "4 domains"
    only_bob = run(args=["domains", "list", "--blog", "BOB"]).output
    assert "alice" not in only_bob and only_bob.endswith("2 domains\n")

    removed = run(args=["domains", "remove", "Bücher.example", "--blog", "alice"])
    assert removed.exit_code == 0 and "Removed bücher.example from alice." in removed.output
    assert audited(app, "domain.remove")[-1][0].startswith("cli:")
    for args, message in (
        (["remove", "bob.blogs.test", "--blog", "bob"], "own subdomain stays"),
        (["remove", "claim.example.org", "--blog", "alice"], "alice has no domain"),
        (["list", "--blog", "carol"], "no blog 'carol'"),
    ):
        refused = run(args=["domains", *args])
        assert refused.exit_code == 1 and message in refused.output, refused.output


def test_people_read_an_idn_in_unicode_and_links_keep_punycode(
    app, admin, client, auth, alice, add_domain
) -> None:
    add_domain(alice, IDN, verified=True, primary=True)
    auth.login(alice.owner_email)
    pages = {
        "/dashboard/": "http://bücher.example/",
        "/blogs/alice/": "http://bücher.example/",
        "/blogs/alice/snippets/": "http://bücher.example/snippets/",
    }
    for url, shown in pages.items():
        page = client.get(url).text
        punycode = shown.replace("bücher.example", IDN)
        assert f'href="{punycode}" dir="ltr">{shown}</a>' in page, url
        assert f">{punycode}<" not in page, url
    console = admin.get(f"/admin/tenants/{alice.id}/").text
    assert f'href="http://{IDN}/" dir="ltr">http://bücher.example/</a>' in console
    # A reader at an IDN no blog serves reads the name they typed.
    unknown = app.test_client().get("/", headers={"Host": "xn--nchts-gra.example"})
    assert unknown.status_code == 404 and "<strong>nächts.example</strong>" in unknown.text


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (f"http://{IDN}/x/?q=1", "http://bücher.example/x/?q=1"),
        (f"https://{IDN}:8443/", "https://bücher.example:8443/"),
        ("http://alice.blogs.test:5000/", "http://alice.blogs.test:5000/"),
        ("http://xn--broken--.example/", "http://xn--broken--.example/"),  # not IDNA: as stored
        ("/relative/", "/relative/"),
    ],
)
def test_shown_url(url: str, shown: str) -> None:
    from inkwell.platform.core.domains.names import shown_url

    assert shown_url(url) == shown
