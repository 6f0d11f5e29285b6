"""Static mirrors on S3, end to end against moto's server mode: a real HTTP
endpoint on 127.0.0.1 that boto3 talks to as it would to AWS."""

from contextlib import contextmanager

import boto3
import feedparser
import pytest
from botocore.exceptions import EndpointConnectionError

from fixtures.mirrors import PREFIX, broken_links, download, edit_post, post_id, publish


@pytest.fixture
def blog(make_tenant, make_post):
    blog = make_tenant("alice")
    for n in range(12):
        make_post(blog, f"Post {n}", f"Body {n}\n\n```python\nx = {n}\n```\n", tags=["python"])
    return blog


@contextmanager
def intercepted_puts(handler):
    """Every PutObject request meets `handler` before it leaves: it may raise (the
    network failed) or answer in S3's place."""
    session = boto3._get_default_session()
    session.events.register("before-send.s3.PutObject", handler)
    try:
        yield
    finally:
        session.events.unregister("before-send.s3.PutObject", handler)


def blog_prefix(app, blog) -> str:
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Tenant

    with app.app_context():
        return f"{PREFIX}/{db.session.get_one(Tenant, blog.id).uuid}/"


def test_a_published_mirror_is_whole_and_typed(app, s3, blog) -> None:
    [run] = publish(app, blog.id)
    assert run.status == "succeeded", run.error
    prefix = blog_prefix(app, blog)
    objects = download(s3)
    assert objects and all(key.startswith(prefix) for key in objects)  # its own prefix only
    files = {key.removeprefix(prefix): obj["body"] for key, obj in objects.items()}
    assert len(files) == run.uploaded and broken_links(files) == []
    home, feed = objects[prefix + "index.html"], objects[prefix + "latest.atom"]
    assert home["type"] == "text/html; charset=utf-8" and home["cache"] == "public, max-age=60"
    assert feed["type"] == "application/atom+xml; charset=utf-8"
    assert feedparser.parse(feed["body"]).bozo == 0
    assert objects[prefix + "sitemap.xml"]["type"] == "application/xml; charset=utf-8"
    assets = {key: obj for key, obj in objects.items() if key.startswith(prefix + "assets/")}
    css = [obj for key, obj in assets.items() if key.endswith(".css")]
    script = [obj for key, obj in assets.items() if key.endswith(".js")]  # the search's
    # site.css, the theme's and its code colours
    assert len(css) == 3 and all(obj["type"] == "text/css; charset=utf-8" for obj in css)
    assert [obj["type"] for obj in script] == ["text/javascript; charset=utf-8"]
    assert all("immutable" in obj["cache"] for obj in assets.values())
    index = objects[prefix + "search/posts.js"]
    assert index["type"] == script[0]["type"] and index["cache"] == "public, max-age=60"


def test_edits_upload_only_what_changed_and_deletes_remove_keys(app, s3, blog) -> None:
    publish(app, blog.id)
    prefix = blog_prefix(app, blog)
    before = download(s3)
    edit_post(app, blog.id, post_id(app, blog.id, "post-5"), body_md="Edited on S3")
    [run] = publish(app, blog.id)
    after = download(s3)
    changed = {key for key in after if after[key]["body"] != before[key]["body"]}
    assert run.status == "succeeded" and run.uploaded == len(changed) <= 25
    assert prefix + "post-5/index.html" in changed
    assert b"Edited on S3" in after[prefix + "post-5/index.html"]["body"]

    from inkwell.platform.core import tenancy
    from inkwell.platform.core.content.posts import delete_post
    from inkwell.platform.core.content.revisions import Actor
    from inkwell.platform.core.extensions import db
    from inkwell.platform.core.models import Post, Tenant

    with app.app_context(), tenancy.tenant_scope(blog.id):
        delete_post(db.session.get_one(Post, post_id(app, blog.id, "post-5")),
                    db.session.get_one(Tenant, blog.id), actor=Actor("editor"))  # fmt: skip
        db.session.commit()
    [run] = publish(app, blog.id)
    assert run.status == "succeeded" and run.deleted == 1
    assert prefix + "post-5/index.html" not in download(s3)


def test_an_s3_failure_mid_publish_leaves_the_previous_mirror(app, s3, blog) -> None:
    publish(app, blog.id)
    prefix = blog_prefix(app, blog)
    before = download(s3)
    for n in (2, 7):
        edit_post(app, blog.id, post_id(app, blog.id, f"post-{n}"), title=f"Renamed {n}")

    def fail_one_page(request, **_kwargs):
        if request.url.endswith("/post-2/index.html"):
            raise EndpointConnectionError(endpoint_url=request.url)

    with intercepted_puts(fail_one_page):
        [failed] = publish(app, blog.id)
    assert failed.status == "failed" and "post-2/index.html" in failed.error
    during = download(s3)
    assert set(during) == set(before)  # nothing deleted
    for key in ("index.html", "latest.atom", "sitemap.xml", "post-2/index.html"):
        assert during[prefix + key]["body"] == before[prefix + key]["body"], key

    [retried] = publish(app, blog.id)  # S3 is back: the next publish completes it
    after = download(s3)
    assert retried.status == "succeeded"
    assert b"Renamed 2" in after[prefix + "post-2/index.html"]["body"]
    assert b"Renamed 7" in after[prefix + "index.html"]["body"]


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_kwargs):
        yield self.data


def test_throttling_is_retried_with_backoff(app, s3, blog) -> None:
    from botocore.awsrequest import AWSResponse

    slowed = []

    def slow_down_once(request, **_kwargs):
        if request.url.endswith("/latest.atom") and not slowed:
            slowed.append(request.url)
            body = b"<Error><Code>SlowDown</Code><Message>Reduce your rate</Message></Error>"
            return AWSResponse(request.url, 503, {}, _Body(body))
        return None

    with intercepted_puts(slow_down_once):
        [run] = publish(app, blog.id)
    assert slowed and run.status == "succeeded"
    assert blog_prefix(app, blog) + "latest.atom" in download(s3)
