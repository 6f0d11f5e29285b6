"""Search in Chromium: a static mirror opened from disk searches with no server
(its footer form, search.js over search/posts.js), and the served page marks
right-to-left words in a right-to-left result."""

from urllib.parse import quote

from fixtures.browsers import blog_url, open_page
from fixtures.mirrors import blog_uuid, publish


def test_a_mirror_opened_from_disk_searches(
    app, live_server, chromium, make_tenant, make_post, mirror_root
) -> None:
    blog = make_tenant("alice")
    make_post(blog, "Lighthouse keepers", "Who kept the <b>lights</b> on.", tags=["sea"])
    make_post(blog, "Gardening", "Beans, and a lighthouse seen from the garden.")
    make_post(blog, "Café notes", "Coffee.")
    make_post(blog, "Secret lighthouse", "A draft.", status="draft")
    [run] = publish(app, blog.id)
    assert run.status == "succeeded", run.error
    root = mirror_root / blog_uuid(app, blog)

    page = open_page(chromium, live_server)
    page.goto((root / "index.html").as_uri())
    page.fill("#footer-q", "LIGHTHOUSE")
    page.click("footer button[type=submit]")
    page.wait_for_url("**/search/index.html?q=LIGHTHOUSE")
    results = page.locator("#search-results li h2")
    assert results.all_inner_texts() == ["Lighthouse keepers", "Gardening"]  # titles first
    assert page.locator("#search-results mark").first.inner_text() == "Lighthouse"
    assert page.locator("#search-status").inner_text() == "2 results for “LIGHTHOUSE”."
    assert page.input_value("#q") == "LIGHTHOUSE"

    page.fill("#q", "cafe")  # accents aside
    page.click("main button[type=submit]")
    page.wait_for_url("**/search/index.html?q=cafe")
    assert results.all_inner_texts() == ["Café notes"]
    for query, titles in (("lighthouse -garden", ["Lighthouse keepers"]),
                          ("coffee or beans", ["Café notes", "Gardening"]),  # newest first
                          ('"seen from the garden"', ["Gardening"])):  # fmt: skip
        page.goto((root / "search" / "index.html").as_uri() + "?q=" + quote(query))
        assert results.all_inner_texts() == titles, query
    page.fill("#q", "<img src=x onerror=alert(1)> zebra")
    page.click("main button[type=submit]")
    page.wait_for_url("**/search/index.html?q=*zebra")
    assert page.locator("#search-results li").count() == 0 and page.locator("img").count() == 0
    assert "No posts match" in page.locator("#search-status").inner_text()

    page.goto((root / "search" / "index.html").as_uri() + "?q=keepers")
    page.locator("#search-results a").first.click()
    page.wait_for_url("**/lighthouse-keepers/index.html")
    assert page.locator("article h1").inner_text() == "Lighthouse keepers"


def test_the_served_search_marks_right_to_left_words(
    live_server, chromium, make_tenant, make_post
) -> None:
    blog = make_tenant("alice")
    make_post(blog, "عن البحر", "مرحبا بكم في مدونتي عن البحر والمنارة.")
    page = open_page(chromium, live_server, width=390)
    page.goto(blog_url(live_server, "alice") + "/search/?q=البحر")
    result = page.locator(".search-results li")
    assert result.count() == 1
    assert result.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert page.locator(".search-results mark").first.inner_text() == "البحر"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing off-screen on a phone
