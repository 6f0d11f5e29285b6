"""A publish reuses the site app an earlier publish of the process froze with
(`tenants.mirror.warm_apps`), re-pinned to its own blog: no blog's mirror ever holds
another's page, and an app between publishes serves no blog at all."""

import pytest
from werkzeug.exceptions import NotFound

from fixtures.mirrors import blog_uuid, edit_post, post_id, publish, read_folder


def test_a_warm_app_freezes_only_the_blog_it_is_pinned_to(
    app, make_tenant, make_post, mirror_root
) -> None:
    from inkwell.tenants.mirror.freeze import PRELOAD_FROM_PAGES, WARM

    alice, bob = make_tenant("alice"), make_tenant("bob")
    for n in range(3):
        make_post(alice, f"Letter from Alice {n}", "For the readers of Alice", tags=["alicetag"])
        make_post(bob, f"Note from Bob {n}", "Bob writes", tags=["notes"])
    publish(app, bob.id)
    edit_post(app, bob.id, post_id(app, bob.id, "note-from-bob-0"), body_md="Bob again")
    publish(app, alice.id)  # in full: Alice's blog read into the app's memory
    _config, warm = WARM.idle[-1]  # the app Alice's publish gave back
    [run] = publish(app, bob.id)  # a few pages, read from the database
    assert not run.full and 0 < run.pages_built < PRELOAD_FROM_PAGES
    assert WARM.idle[-1][1] is warm  # the same app, re-pinned to Bob's blog and back
    bobs = read_folder(mirror_root / blog_uuid(app, bob))
    assert b"Bob again" in bobs["note-from-bob-0/index.html"]
    assert not [path for path, body in bobs.items() if b"Alice" in body or b"alicetag" in body]
    alices = read_folder(mirror_root / blog_uuid(app, alice))
    assert not [path for path, body in alices.items() if b"Bob" in body]
    # Idle, it is pinned to no blog: whatever the host, a request finds no blog.
    for host in ("alice.blogs.test", "bob.blogs.test"):
        with warm.test_request_context("/", base_url=f"http://{host}"), pytest.raises(NotFound):
            warm.preprocess_request()
