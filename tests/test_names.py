"""Names that matter outside the platform: blog addresses that DNS, mail clients
and browsers look up by convention are reserved, and so are plurals of reserved
words; an email address is one account however its domain is spelled."""

import pytest

from inkwell.platform.core.validation import subdomain_problem

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
