"""HTTP validators change with every change (issue #16, point 8): two saves within
one second never leave a client revalidating with If-Modified-Since on the first
version, and If-None-Match, when sent, decides alone."""

from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.http import http_date

from fixtures.mirrors import edit_post

PATHS = ["/", "/hello/", "/latest.atom"]


def second(wall_clock, offset: int = 0) -> str:
    """The HTTP date of the whole second the stopped wall clock is in, plus `offset`."""
    start = datetime.fromtimestamp(int(wall_clock.now), UTC)
    return http_date(start + timedelta(seconds=offset))


@pytest.mark.parametrize("path", PATHS)
def test_a_second_save_in_the_same_second_is_not_answered_304(
    app, make_tenant, make_post, site_client, wall_clock, path: str
) -> None:
    blog = make_tenant("alice")
    wall_clock.advance(0.2)
    post = make_post(blog, "Hello", "The first version.")
    reader = site_client(blog)
    wall_clock.advance(0.1)
    first = reader.get(path)
    assert first.status_code == 200 and "Hello" in first.text
    wall_clock.advance(0.4)
    edit_post(app, blog.id, post, title="Hello again")
    # A client that holds the first copy dated to its second (from a cache, or the Date header).
    again = reader.get(path, headers={"If-Modified-Since": second(wall_clock)})
    assert again.status_code == 200 and "Hello again" in again.text
    # Within its second no date could tell the first copy from a later one: none was given.
    assert "Last-Modified" not in first.headers


@pytest.mark.parametrize("path", PATHS)
def test_last_modified_moves_with_every_change_and_still_validates(
    app, make_tenant, make_post, site_client, wall_clock, path: str
) -> None:
    blog = make_tenant("alice")
    wall_clock.advance(0.2)
    post = make_post(blog, "Hello", "The first version.")
    reader = site_client(blog)
    wall_clock.advance(1.3)
    for _hit_or_miss in range(2):
        first = reader.get(path)
        # The end of the second of the change: later than the change itself.
        assert first.headers["Last-Modified"] == second(wall_clock)
    modified, etag = first.headers["Last-Modified"], first.headers["ETag"]
    assert reader.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    wall_clock.advance(0.1)
    edit_post(app, blog.id, post, title="Hello again")
    changed = reader.get(path, headers={"If-Modified-Since": modified})
    assert changed.status_code == 200 and "Hello again" in changed.text
    # If-None-Match decides alone: a stale ETag is a 200 whatever the date says.
    stale = reader.get(path, headers={"If-None-Match": etag, "If-Modified-Since": modified})
    assert stale.status_code == 200
    wall_clock.advance(1)
    settled = reader.get(path)
    assert settled.headers["Last-Modified"] == second(wall_clock)
    assert settled.headers["Last-Modified"] != modified
    asked = {"If-Modified-Since": settled.headers["Last-Modified"]}
    assert reader.get(path, headers=asked).status_code == 304
