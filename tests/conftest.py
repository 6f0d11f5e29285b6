"""Fixtures that speak the app's language: make_tenant("alice"), site_client(tenant),
auth.login(...), post_form(client, url, data). They live in `fixtures/`, one
module per domain; tests import helpers from there (`from fixtures.app import
post_form`), never from this file.

pytest puts this folder on sys.path before it imports this file (the folder is
no package: see test_layout), so `fixtures` imports as a top-level package.
"""

import pytest

# Helpers' asserts report like tests' own, whichever module imports them first.
pytest.register_assert_rewrite("fixtures")

pytest_plugins = [
    "fixtures.app",
    "fixtures.services",
    "fixtures.accounts",
    "fixtures.blogs",
    "fixtures.mail",
    "fixtures.jobs",
    "fixtures.clock",
    "fixtures.mirrors",
    "fixtures.migrations",
    "fixtures.browsers",
    "fixtures.images",
    "fixtures.dns_server",
    "fixtures.hubs",
    "fixtures.image_server",
]
