"""Finding the images a post's Markdown shows, as Obsidian, Jekyll, Hugo and our own
exports write them, and which file of a bundle each names."""

import pytest

from inkwell.platform.core.portability.image_refs import (
    Locator,
    image_markdown,
    references,
    rewrite,
)

BUNDLE = [
    "media/cat.jpg",
    "attachments/dog.png",
    "Pics/b c.png",
    "site/assets/img/j.png",
    "site/static/images/h.png",
    "posts/images/my pic.png",
    "notes/deep/dog.png",
]


def test_markdown_and_wiki_images_are_found_outside_code() -> None:
    body = (
        '![A \\] cat](../media/cat.jpg "Title") and ![[dog.png|300]] and ![[Pics/b c.png|Two]]\n'
        "`![inline code](no.png)`\n\n```\n![fenced](no.png)\n```\n\n    ![indented](x.png)\n"
        "![web](https://example.org/a.png) ![lib](media:3) ![sp](<my pic.png>)"
    )
    found = [(r.alt, r.target, r.wiki, r.local) for r in references(body)]
    assert found == [
        ("A ] cat", "../media/cat.jpg", False, True),
        ("", "dog.png", True, True),  # `|300` is a width, not an alt
        ("Two", "Pics/b c.png", True, True),
        ("indented", "x.png", False, True),  # indented code is rare in notes: still read
        ("web", "https://example.org/a.png", False, False),
        ("lib", "media:3", False, False),
        ("sp", "my pic.png", False, True),
    ]


@pytest.mark.parametrize(
    ("written", "document", "found"),
    [
        ("![x](../media/cat.jpg)", "posts/hello.md", "media/cat.jpg"),  # our export
        ("![x](images/my%20pic.png)", "posts/hello.md", "posts/images/my pic.png"),
        ("![x](<images/my pic.png>)", "posts/hello.md", "posts/images/my pic.png"),
        ("![[dog.png]]", "daily/today.md", "attachments/dog.png"),  # Obsidian: by name, shallowest
        ("![[notes/deep/dog.png]]", "daily/today.md", "notes/deep/dog.png"),
        ("![x](dog.png)", "daily/today.md", "attachments/dog.png"),  # "shortest path" links
        ("![x](/assets/img/j.png)", "site/_posts/2024-01-01-a.md", "site/assets/img/j.png"),
        ("![x]({{ site.baseurl }}/assets/img/j.png)", "site/_posts/a.md", "site/assets/img/j.png"),
        ("![x](/images/h.png)", "site/content/posts/a.md", "site/static/images/h.png"),  # Hugo
        (
            "![x](../../../etc/cat.jpg)",
            "posts/hello.md",
            "media/cat.jpg",
        ),  # a name, never a way out
        ("![x](missing.png)", "posts/hello.md", None),
    ],
)
def test_the_locator_finds_the_file_a_reference_names(written, document, found) -> None:
    [ref] = references(written)
    assert Locator(BUNDLE).find(ref, document) == found


def test_rewriting_keeps_every_other_byte_and_the_title() -> None:
    body = 'Before ![Cat](../media/cat.jpg "T") middle ![[dog.png|A dog]] after\r\n'
    refs = references(body)
    new = rewrite(body, refs, lambda ref: ref.with_target(body, f"media:{len(ref.target)}"))
    assert new == 'Before ![Cat](media:16 "T") middle ![A dog](media:7) after\r\n'


def test_written_references_read_back_as_the_same() -> None:
    written = image_markdown("A [bracketed] \\ alt", "../media/my (1) pic.jpg")
    assert written == "![A \\[bracketed\\] \\\\ alt](../media/my%20%281%29%20pic.jpg)"
    [ref] = references(written)
    assert ref.alt == "A [bracketed] \\ alt"
    assert Locator(["media/my (1) pic.jpg"]).find(ref, "posts/x.md") == "media/my (1) pic.jpg"
