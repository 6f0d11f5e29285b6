"""The header's links as readers get them: a blog's navigation (`core.content.navigation`)
with each target looked up among what is public now. A page that is not public, a
tag on no public post, snippets the blog has none of: left out, never a dead link.

Links to the blog's own pages are views and their values, which the templates turn
into paths (a mirror's `url_for` makes them relative, so it works from disk and
under a prefix); links to other sites stay as written.
"""

from collections.abc import Mapping
from typing import NamedTuple

from inkwell.platform.core.content.navigation import Item


class Link(NamedTuple):
    """Where a header link leads: a view of the blog (`endpoint`, `values`: templates
    make the URL, a mirror's relative) or another site's `url`."""

    label: str
    endpoint: str
    values: dict[str, str]
    url: str  # another site's address (opened with rel="noopener"); "" for the blog's own


class Resolved(NamedTuple):
    """An item whose target is public: the page's or tag's slug, the URL, or nothing."""

    label: str
    kind: str
    target: str


def resolve(
    items: list[Item], pages: Mapping[str, str], tags: Mapping[str, str], has_snippets: bool
) -> list[Resolved]:
    """The items that lead somewhere public: `pages` maps public posts' uuids to their
    slugs, `tags` the ids of tags on public posts to theirs."""
    found = []
    for item in items:
        if item.kind == "page":
            target = pages.get(item.target)
        elif item.kind == "tag":
            target = tags.get(item.target)
        elif item.kind == "snippets":
            target = "" if has_snippets else None
        else:
            target = item.target if item.kind == "url" else ""
        if target is not None:
            found.append(Resolved(item.label, item.kind, target))
    return found


def link(item: Resolved) -> Link:
    """Where a resolved item leads."""
    if item.kind == "url":
        return Link(item.label, "", {}, item.target)
    if item.kind == "page":
        return Link(item.label, "blog.post", {"slug": item.target}, "")
    if item.kind == "tag":
        return Link(item.label, "blog.tag", {"tag_slug": item.target}, "")
    endpoint = "site_snippets.index" if item.kind == "snippets" else "feeds.latest"
    return Link(item.label, endpoint, {}, "")
