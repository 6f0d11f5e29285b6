"""Custom domains, as an owner and their readers meet them: Settings → Domains
adds one and shows the DNS records, Verify asks a real DNS server (a small one
on a loopback port) for the TXT record, the domain then serves, one host is the
main address and every other answers 301 to it; canonical URLs, feeds, the
sitemap, comment threads and the mirror use it. Every refusal says why."""

import re

import feedparser
import pytest
from flask import Flask
from sqlalchemy import select

from fixtures.app import post_form
from fixtures.blogs import Blog
from fixtures.mirrors import download, publish, read_folder

DOMAINS = "/blogs/{sub}/domains/"


def stored_domains(app: Flask, blog: Blog) -> list[tuple[str, bool, bool]]:
    """(host, verified, primary) of the blog's domains, by host."""
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Domain

    with app.app_context():
        query = select(Domain).where(Domain.tenant_id == blog.id).order_by(Domain.host)
        return [
            (d.host, d.verified_at is not None, d.is_primary) for d in db.session.scalars(query)
        ]


def domain_id(app: Flask, blog: Blog, host: str) -> int:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Domain

    with app.app_context():
        query = select(Domain.id).where(Domain.tenant_id == blog.id, Domain.host == host)
        return db.session.scalar(query)


def add(client, blog: Blog, typed: str):
    url = DOMAINS.format(sub=blog.subdomain)
    return post_form(client, url, {"domain": typed})


def act(client, blog: Blog, host: str, action: str, app: Flask):
    url = DOMAINS.format(sub=blog.subdomain)
    return post_form(client, f"{url}{domain_id(app, blog, host)}/{action}", {}, form_url=url)


def publish_record(app: Flask, dns_server, blog: Blog, host: str) -> None:
    """Put the TXT record the domains page asks for into the DNS server."""
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Domain

    with app.app_context():
        token = db.session.scalar(
            select(Domain.verify_token).where(Domain.tenant_id == blog.id, Domain.host == host)
        )
    dns_server.txt[f"_inkwell-verify.{host}"] = [f"inkwell-verify={token}"]


@pytest.fixture
def alice(make_tenant, auth) -> Blog:
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    return blog


def verified(app, client, dns_server, blog: Blog, host: str) -> None:
    assert add(client, blog, host).status_code == 302
    publish_record(app, dns_server, blog, host)
    assert act(client, blog, host, "verify", app).status_code == 302


def test_a_domain_serves_once_verified_then_becomes_the_main_address(
    app, client, alice, dns_server, site_client
) -> None:
    answer = add(client, alice, "Blog.Example.ORG.")
    assert answer.status_code == 302
    page = client.get(DOMAINS.format(sub="alice"))
    assert "Added blog.example.org" in page.text
    token = re.search(r"inkwell-verify=([0-9a-f]{32})", page.text)[1]
    assert "_inkwell-verify.blog.example.org" in page.text and "app.test" in page.text
    reader = site_client("alice")
    assert reader.get("/", headers={"Host": "blog.example.org"}).status_code == 404

    # No record yet, then a wrong one: it stays unverified and the page says what DNS said.
    answer = act(client, alice, "blog.example.org", "verify", app)
    assert (
        answer.status_code == 409
        and "No TXT record at _inkwell-verify.blog.example.org" in answer.text
    )
    dns_server.txt["_inkwell-verify.blog.example.org"] = ["inkwell-verify=someone-elses"]
    answer = act(client, alice, "blog.example.org", "verify", app)
    assert answer.status_code == 409 and "holds inkwell-verify=someone-elses" in answer.text
    assert reader.get("/", headers={"Host": "blog.example.org"}).status_code == 404

    dns_server.txt["_inkwell-verify.blog.example.org"] = [f"inkwell-verify={token}"]
    assert act(client, alice, "blog.example.org", "verify", app).status_code == 302
    assert "blog.example.org is verified" in client.get(DOMAINS.format(sub="alice")).text
    # Verified but not the main address: it redirects to the subdomain.
    answer = reader.get("/about/?ref=x", headers={"Host": "blog.example.org"})
    assert (answer.status_code, answer.location) == (301, "http://alice.blogs.test/about/?ref=x")

    assert act(client, alice, "blog.example.org", "primary", app).status_code == 302
    assert stored_domains(app, alice) == [
        ("alice.blogs.test", True, False), ("blog.example.org", True, True)
    ]  # fmt: skip
    answer = reader.get("/tags/x/?page=2&q=%C3%A9", headers={"Host": "alice.blogs.test"})
    assert answer.status_code == 301
    assert answer.location == "http://blog.example.org/tags/x/?page=2&q=%C3%A9"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"  # the blog's headers, too
    page = reader.get("/", headers={"Host": "blog.example.org"})
    assert page.status_code == 200
    assert '<link rel="canonical" href="http://blog.example.org/">' in page.text

    # Removing the main address: the subdomain is the main address again.
    assert act(client, alice, "blog.example.org", "remove", app).status_code == 302
    assert stored_domains(app, alice) == [("alice.blogs.test", True, True)]
    assert reader.get("/", headers={"Host": "blog.example.org"}).status_code == 404
    assert reader.get("/", headers={"Host": "alice.blogs.test"}).status_code == 200


def test_feeds_sitemap_comments_and_the_mirror_use_the_main_address(
    app, client, alice, dns_server, site_client, make_post, change_blog, mirror_root
) -> None:
    make_post(alice, "Hello", "A post with [a link](/about/).")
    change_blog(alice, comments_provider="disqus", comments_target="alice-blog")
    verified(app, client, dns_server, alice, "blog.example.org")
    act(client, alice, "blog.example.org", "primary", app)
    reader = site_client("alice")
    host = {"Host": "blog.example.org"}
    feed = feedparser.parse(reader.get("/latest.atom", headers=host).data)
    assert feed.entries[0].link == "http://blog.example.org/hello/"
    assert 'href="http://blog.example.org/about/"' in feed.entries[0].content[0].value
    assert (
        "<loc>http://blog.example.org/hello/</loc>" in reader.get("/sitemap.xml", headers=host).text
    )
    robots = reader.get("/robots.txt", headers=host).text
    assert "Sitemap: http://blog.example.org/sitemap.xml" in robots
    post = reader.get("/hello/", headers=host).text
    assert 'data-url="http://blog.example.org/hello/"' in post

    [run] = publish(app, alice.id)
    assert run.status == "succeeded"
    [files] = [read_folder(folder) for folder in mirror_root.iterdir()]
    assert (
        b'<link rel="canonical" href="http://blog.example.org/hello/">' in files["hello/index.html"]
    )
    assert b'data-url="http://blog.example.org/hello/"' in files["hello/index.html"]
    mirrored = feedparser.parse(files["latest.atom"])
    assert mirrored.entries[0].link == "http://blog.example.org/hello/"
    assert b"alice.blogs.test" not in b"".join(files.values())


def test_an_idn_is_stored_as_punycode_and_shown_in_unicode(
    app, client, alice, dns_server, site_client
) -> None:
    assert add(client, alice, "BÜCHER.example").status_code == 302
    assert ("xn--bcher-kva.example", False, False) in stored_domains(app, alice)
    page = client.get(DOMAINS.format(sub="alice")).text
    assert "bücher.example" in page and "_inkwell-verify.xn--bcher-kva.example" in page
    publish_record(app, dns_server, alice, "xn--bcher-kva.example")
    assert act(client, alice, "xn--bcher-kva.example", "verify", app).status_code == 302
    assert dns_server.asked[-1] == "_inkwell-verify.xn--bcher-kva.example"
    act(client, alice, "xn--bcher-kva.example", "primary", app)
    answer = site_client("alice").get("/snippets/")
    assert answer.location == "http://xn--bcher-kva.example/snippets/"
    # The same name typed in punycode is the same domain.
    answer = add(client, alice, "xn--bcher-kva.example")
    assert answer.status_code == 400 and "bücher.example is already one of this blog" in answer.text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a domain, like blog.example.com."),
        ("https://blog.example.com/", "without http:// or a path"),
        ("*.example.com", "Wildcards cannot be added"),
        ("192.0.2.10", "An IP address cannot be a blog's domain"),
        ("[2001:db8::1]", "An IP address cannot be a blog's domain"),
        ("2001:db8::1", "An IP address cannot be a blog's domain"),
        ("10.0.0.300", "An IP address cannot be a blog's domain"),
        ("blog.example.com:8443", "Leave out the port"),
        ("app.test", "belongs to the platform itself"),
        ("bob.blogs.test", "belongs to the platform itself"),
        ("WWW.APP.TEST.", "belongs to the platform itself"),
        ("a" * 64 + ".example.com", "at most 63 characters; “aaaaaaaaaaaaaaaaaaaa…” has 64"),
        (("abcdefghi." * 26) + "com", "A domain has at most 253 characters; this one has 263"),
        ("localhost", "Enter a full domain with a dot"),
        ("blog..example.com", "no empty parts"),
        ("under_score.example.com", "is not a valid domain name"),
        ("blog example.com", "no spaces or @"),
    ],
)
def test_what_cannot_be_a_domain_is_refused_with_a_reason(
    app, client, alice, typed: str, message: str
) -> None:
    answer = add(client, alice, typed)
    assert answer.status_code == 400
    assert message in answer.text.replace("&#39;", "'")
    assert stored_domains(app, alice) == [("alice.blogs.test", True, True)]


def test_a_domain_verified_by_another_blog_is_never_taken(
    app, client, auth, alice, make_tenant, dns_server, site_client
) -> None:
    bob = make_tenant("bob")
    # Bob only claims the name: that does not stop Alice, who proves it is hers.
    auth.login(bob.owner_email)
    assert add(client, bob, "blog.example.org").status_code == 302
    auth.login(alice.owner_email)
    verified(app, client, dns_server, alice, "blog.example.org")
    reader = site_client("alice")
    answer = reader.get("/", headers={"Host": "blog.example.org"})
    assert answer.location == "http://alice.blogs.test/"
    # Now Bob can neither verify his claim (even with a record of his) nor add it again.
    auth.login(bob.owner_email)
    publish_record(app, dns_server, bob, "blog.example.org")
    answer = act(client, bob, "blog.example.org", "verify", app)
    assert answer.status_code == 409
    assert "blog.example.org is already the address of another blog" in answer.text
    carol = make_tenant("carol")
    auth.login(carol.owner_email)
    answer = add(client, carol, "blog.example.org")
    assert answer.status_code == 400 and "already the address of another blog" in answer.text
    assert reader.get("/", headers={"Host": "blog.example.org"}).location.startswith(
        "http://alice.blogs.test/"
    )


def test_the_own_subdomain_stays_and_unverified_cannot_be_main(
    app, client, alice, dns_server
) -> None:
    answer = act(client, alice, "alice.blogs.test", "remove", app)
    assert answer.status_code == 409 and "own subdomain stays" in answer.text
    add(client, alice, "blog.example.org")
    answer = act(client, alice, "blog.example.org", "primary", app)
    assert answer.status_code == 409 and "Verify blog.example.org before" in answer.text
    dns_server.silent = True  # a resolver that never answers
    answer = act(client, alice, "blog.example.org", "verify", app)
    assert (
        answer.status_code == 409
        and "The DNS lookup of _inkwell-verify.blog.example.org failed" in answer.text
    )
    assert stored_domains(app, alice)[1] == ("blog.example.org", False, False)


def test_only_owners_reach_domains_and_only_their_blogs(
    app, client, auth, alice, add_member, make_tenant
) -> None:
    bob = make_tenant("bob")
    url = DOMAINS.format(sub="alice")
    add(client, alice, "blog.example.org")
    editor = add_member(alice, "ed@example.com", "editor")
    auth.login(editor)
    assert client.get(url).status_code == 403
    assert add(client, alice, "other.example.org").status_code == 403
    # Bob's own page cannot act on Alice's domain: not found, nothing changes.
    auth.login(bob.owner_email)
    other = domain_id(app, alice, "blog.example.org")
    bobs = DOMAINS.format(sub="bob")
    answer = post_form(client, f"{bobs}{other}/remove", {}, form_url=bobs)
    assert answer.status_code == 404
    assert ("blog.example.org", False, False) in stored_domains(app, alice)


def test_adding_verifying_choosing_and_removing_are_audited(app, client, alice, dns_server) -> None:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import AuditEntry

    verified(app, client, dns_server, alice, "blog.example.org")
    act(client, alice, "blog.example.org", "primary", app)
    act(client, alice, "blog.example.org", "remove", app)
    with app.app_context():
        rows = db.session.execute(
            select(AuditEntry.action, AuditEntry.actor, AuditEntry.detail)
            .where(AuditEntry.target_id == alice.id)
            .order_by(AuditEntry.id)
        ).all()
    assert [(a, actor, d["host"]) for a, actor, d in rows] == [
        (action, "alice@example.com", "blog.example.org")
        for action in ("domain.add", "domain.verify", "domain.primary", "domain.remove")
    ]


def test_suspension_stops_custom_domains_and_purge_removes_them(
    app, client, alice, dns_server, site_client
) -> None:
    from inkwell.platform.core.administration import lifecycle, purge
    from inkwell.platform.core.audit import cli_actor
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Domain, Tenant

    verified(app, client, dns_server, alice, "blog.example.org")
    act(client, alice, "blog.example.org", "primary", app)
    reader = site_client("alice")
    with app.app_context():
        lifecycle.suspend(db.session.get_one(Tenant, alice.id), "Spam.", cli_actor())
        db.session.commit()
    for host in ("blog.example.org", "alice.blogs.test"):
        answer = reader.get("/", headers={"Host": host})
        assert answer.status_code == 410 and "Alice" not in answer.text
    with app.app_context():
        tenant = db.session.get_one(Tenant, alice.id)
        lifecycle.delete(tenant, "Spam.", cli_actor())
        db.session.commit()
        purge.purge(tenant, cli_actor())
        assert db.session.scalars(select(Domain.host)).all() == []
    assert reader.get("/", headers={"Host": "blog.example.org"}).status_code == 404


def test_the_s3_mirror_uses_the_main_address(app, alice, add_domain, make_post, s3) -> None:
    make_post(alice, "Hello", "Hi.")
    add_domain(alice, "xn--bcher-kva.example", verified=True, primary=True)
    [run] = publish(app, alice.id)
    assert run.status == "succeeded"
    # Keys are PREFIX/<blog uuid>/<page>.
    pages = {key.split("/", 2)[2]: item["body"] for key, item in download(s3).items()}
    canonical = b'<link rel="canonical" href="http://xn--bcher-kva.example/hello/">'
    assert canonical in pages["hello/index.html"]
    assert b"alice.blogs.test" not in b"".join(pages.values())


def test_the_database_holds_one_verified_blog_per_host(app, make_tenant, add_domain) -> None:
    from sqlalchemy.exc import IntegrityError

    alice, bob = make_tenant("alice"), make_tenant("bob")
    # Two blogs may claim a name while neither has proved it (a claim blocks no one)...
    add_domain(alice, "blog.example.org", verified=True)
    add_domain(bob, "blog.example.org")
    # ...but only one holds it verified, even when two verifications race past the check.
    with pytest.raises(IntegrityError):
        add_domain(make_tenant("carol"), "blog.example.org", verified=True)
