"""Numbers a request names (ids and pages in paths, pages in query strings) are
bounded before they reach a query: out of range is 404, never a driver's 500, on
SQLite and on PostgreSQL alike. Every `<int:>` route of both apps is walked."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from inkwell.platform.core.numbers import MAX_INT, parse_int

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
OUT_OF_RANGE = [str(2**63), str(2**64), "9" * 5000, str(MAX_INT + 1)]
# Within the bound but naming nothing: the database is asked, and must answer "none".
NAMES_NOTHING = str(MAX_INT)
# The other arguments of those routes, as the blog below has them.
OTHERS = {"subdomain": "alice", "tag_slug": "x"}


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("1", 1),
        ("0042", 42),
        (str(MAX_INT), MAX_INT),
        (str(MAX_INT + 1), None),
        ("0" * 40 + "7", 7),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1_000", None),
        ("١٢", None),  # Arabic-Indic digits: int() takes them
        ("", None),
        ("9" * 5000, None),  # int() would refuse it (more than 4300 digits) with a ValueError
    ],
)
def test_parse_int(text: str, number: int | None) -> None:
    assert parse_int(text) == number


@pytest.fixture
def owner(app: Flask, client: FlaskClient, auth, make_tenant, make_post) -> FlaskClient:
    """alice's browser: she owns the blog alice (a post tagged x) and is a platform admin."""
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import User

    blog = make_tenant("alice")
    make_post(blog, "Hello", "Hi", tags=["x"])
    with app.app_context():
        db.session.execute(update(User).values(is_admin=True))
        db.session.commit()
    auth.login(blog.owner_email)
    return client


def int_routes(app: Flask) -> list[tuple[str, set[str]]]:
    return [
        (rule.rule, set(rule.methods or ()))
        for rule in app.url_map.iter_rules()
        if any(converter == "int" for converter, _ in ARGUMENT.findall(rule.rule))
    ]


def path_with(rule: str, number: str) -> str:
    return ARGUMENT.sub(lambda m: number if m[1] == "int" else OTHERS[m[2]], rule)


def test_every_int_route_of_both_apps_is_bounded(
    app: Flask, owner: FlaskClient, site_client
) -> None:
    site = app.extensions["inkwell.site_app"]
    platform_routes, site_routes = int_routes(app), int_routes(site)
    assert len(platform_routes) > 20 and len(site_routes) == 2  # the walk finds them
    headers = {"X-CSRFToken": CSRF.search(owner.get("/blogs/alice/posts/new").text)[1]}
    reader = site_client("alice")
    assert reader.get("/tags/x/").status_code == 200 and owner.get("/admin/").status_code == 200
    for routes, browser in ((platform_routes, owner), (site_routes, reader)):
        for rule, methods in routes:
            for number in [*OUT_OF_RANGE, NAMES_NOTHING]:
                path = path_with(rule, number)
                if "GET" in methods:
                    answer = browser.get(path)
                else:
                    answer = browser.post(path, headers=headers)
                # Out of range, the route does not match; in range, the view looks and finds
                # nothing (autosave checks its empty form first: 400).
                expected = {404} if number in OUT_OF_RANGE else {400, 404}
                assert answer.status_code in expected, (rule, number[:30], answer.status_code)


@pytest.mark.parametrize("path", ["/admin/tenants/", "/admin/users/", "/admin/audit/"])
def test_page_numbers_in_query_strings_are_bounded(owner: FlaskClient, path: str) -> None:
    assert owner.get(f"{path}?page=").status_code == 200
    assert owner.get(f"{path}?page=2").status_code == 200  # past the last page: an empty list
    for page in [*OUT_OF_RANGE, "0", "-1", "1.5", "abc"]:
        assert owner.get(f"{path}?page={page}").status_code == 404, page[:30]


def test_ids_in_a_form_are_bounded(owner: FlaskClient) -> None:
    token = CSRF.search(owner.get("/admin/tenants/").text)[1]
    for tenant in OUT_OF_RANGE:
        data = {"action": "suspend", "reason": "Spam", "tenant": [tenant], "csrf_token": token}
        answer = owner.post("/admin/tenants/bulk", data=data)
        assert answer.status_code == 400 and "not a list of blogs" in answer.text


def test_an_id_on_the_command_line_is_bounded(app: Flask) -> None:
    for number in OUT_OF_RANGE:
        result = app.test_cli_runner().invoke(args=["jobs", "retry", number])
        assert result.exit_code == 1, number[:30]
        assert result.output == f"Error: no outbox row {number}\n"
