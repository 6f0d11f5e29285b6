"""Old URLs keep working: a post keeps any path of the blog's old site
(`/2019/05/slug/`, `/p/slug`) and WordPress's `/?p=123` as old addresses, answered
301 on the live site and by redirect pages (and S3's redirect header) in the mirror;
an owner adds them in the editor, with a reason when one cannot be kept (issue
#23, point 3)."""

import html

import pytest

from fixtures.app import post_form
from fixtures.mirrors import blog_uuid, download, publish, read_folder

OLD = ("/2019/05/hello/", "/p/hello", "/?p=123", "https://old.example.org/?page_id=7")


@pytest.fixture
def alice(make_tenant, auth):
    blog = make_tenant("alice")
    auth.login(blog.owner_email)
    return blog


def add(client, post_id: int, address: str):
    url = f"/blogs/alice/posts/{post_id}/old-addresses/add"
    return post_form(
        client, url, {"address": address}, form_url=f"/blogs/alice/posts/{post_id}/edit"
    )


@pytest.fixture
def moved_in(alice, client, make_post) -> int:
    """Alice's post "Greetings" at /greetings/, which had the OLD addresses elsewhere."""
    post_id = make_post(alice, "Greetings", "Hi.", slug="greetings")
    for address in OLD:
        assert add(client, post_id, address).status_code == 302
    return post_id


@pytest.mark.parametrize(
    "path",
    ["/2019/05/hello/", "/2019/05/hello", "/p/hello", "/p/hello/", "/?p=123", "/?page_id=7",
     "/?p=123&utm_source=feed"],
)  # fmt: skip
def test_every_old_address_answers_301_to_the_post(alice, moved_in, site_client, path) -> None:
    answer = site_client(alice).get(path)
    assert answer.status_code == 301
    assert answer.headers["Location"] == "/greetings/"


def test_addresses_no_post_had_are_404_and_the_home_page_is_as_before(
    alice, moved_in, site_client, make_post
) -> None:
    reader = site_client(alice)
    for path in ("/?p=999", "/?p=abc", "/?page_id=", "/2019/05/other/", "/p/hello/more/"):
        assert reader.get(path).status_code == 404, path
    assert reader.get("/?utm_source=feed").status_code == 200
    assert "Greetings" in reader.get("/").text
    assert reader.get("/greetings").status_code == 308  # a missing slash, as before
    # Past page 1, ?p= is ignored and never makes a page of its own in the cache.
    for n in range(11):
        make_post(alice, f"Filler {n}", "x")
    for _ in range(2):
        assert reader.get("/page/2/").status_code == 200
        answer = reader.get("/page/2/?p=123")
        assert answer.status_code == 200 and "Filler" in answer.text
    assert reader.get("/page/2/").headers["X-Cache"] == "hit"
    assert answer.headers.get("X-Cache") != "hit"


def test_another_blog_does_not_answer_alices_old_addresses(
    alice, moved_in, make_tenant, site_client
) -> None:
    make_tenant("bob")
    for path in ("/2019/05/hello/", "/p/hello", "/?p=123"):
        assert site_client("bob").get(path).status_code == 404


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("", "Type the old address"),
        ("/tags/python/", "/tags/python/ is a page of the blog"),
        ("/media/photo.jpg", "/media/photo.jpg is a page of the blog"),
        ("/feed.xml", "/feed.xml is a page of the blog"),
        ("/2019/../etc/", "cannot hold empty parts, . or .."),
        ("/a//b/", "cannot hold empty parts"),
        ("/bad\x07path/", "control characters"),
        ("/" + "x" * 201 + "/", "at most 200 characters"),
        ("/?s=search", "only WordPress's ?p=123 and ?page_id=7"),
        ("/archive/?p=1", "Only the home page's ?p="),
        ("ftp://old.example.org/x", "as a path"),
        ("/greetings/", "this post's address now"),
        ("/p/hello/", "already an old address of this post"),
        ("/other/", "/other/ is the address of “Other”"),
    ],
)
def test_the_editor_says_why_an_old_address_cannot_be_kept(
    alice, moved_in, client, make_post, address, reason
) -> None:
    make_post(alice, "Other", "text", slug="other")
    answer = add(client, moved_in, address)
    assert answer.status_code == 400
    assert reason in html.unescape(answer.text)
    assert 'name="title"' in answer.text and "Greetings" in answer.text  # the editor, whole


def test_another_posts_old_address_is_refused_and_named(alice, moved_in, client, make_post) -> None:
    other = make_post(alice, "Other", "text", slug="other")
    answer = add(client, other, "https://old.example.org/2019/05/hello")
    assert answer.status_code == 400
    assert "/2019/05/hello/ is an old address of “Greetings”" in answer.text


def test_the_editor_lists_added_addresses_and_removes_one(
    alice, moved_in, client, site_client
) -> None:
    page = client.get(f"/blogs/alice/posts/{moved_in}/edit").text
    for shown in ("/2019/05/hello/", "/p/hello/", "/?p=123", "/?page_id=7"):
        assert f'<code dir="ltr">{shown}</code>' in page
    remove = f"/blogs/alice/posts/{moved_in}/old-addresses/remove"
    form_url = f"/blogs/alice/posts/{moved_in}/edit"
    answer = post_form(client, remove, {"slug": "?p=123"}, form_url=form_url)
    assert "/?p=123 no longer leads to" in client.get(answer.headers["Location"]).text
    assert site_client(alice).get("/?p=123").status_code == 404


def test_the_mirror_holds_redirect_pages_at_old_paths(app, alice, moved_in, mirror_root) -> None:
    [run] = publish(app, alice.id)
    assert run.status == "succeeded"
    files = read_folder(mirror_root / blog_uuid(app, alice))
    for key, up in (("2019/05/hello/index.html", "../../../"), ("p/hello/index.html", "../../")):
        page = files[key].decode()
        assert f'<meta http-equiv="refresh" content="0; url={up}greetings/index.html">' in page
        assert '<link rel="canonical" href="http://alice.blogs.test/greetings/">' in page
    # The query form is the live blog's only: a static file cannot answer /?p=123.
    assert not [key for key in files if "?" in key or "p=" in key]


def test_on_s3_a_redirect_page_carries_the_website_redirect(app, alice, moved_in, s3) -> None:
    [run] = publish(app, alice.id)
    assert run.status == "succeeded"
    objects = download(s3)
    moved = {key.split("/", 2)[2]: obj for key, obj in objects.items()}
    assert moved["2019/05/hello/index.html"]["redirect"] == "http://alice.blogs.test/greetings/"
    assert moved["p/hello/index.html"]["redirect"] == "http://alice.blogs.test/greetings/"
    assert moved["greetings/index.html"]["redirect"] == ""
    assert moved["index.html"]["redirect"] == ""
