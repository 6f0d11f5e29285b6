"""A blog's navigation: the links of every page's header, in the owners' order.

Stored on the blog's row (`tenants.navigation`, JSON), not in a table of its own: a
list of at most MAX_ITEMS, always read and written whole, saved with the blog's
other settings under the same compare-and-set (`conflicts.claim_settings`). None
until the owners first save it: then `default_items` (Snippets, About, Feed, as
blogs always showed) follows the content.

An item leads to a page (kept by its uuid, which a new slug and a restore after a
delete keep), a tag (by its id, which a rename keeps), the feed, the snippets or an
http(s) URL. Targets are checked in the current blog's scope when saved; when a
page is rendered (`inkwell.tenants.content`) whatever is not public then (a draft,
a deleted page, a tag no public post carries, no snippets) drops out, so the
header never shows a dead link.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, cast, get_args
from urllib.parse import urlsplit

from sqlalchemy import ScalarSelect, Select, select

from inkwell.platform.core.content.changes import content_changed
from inkwell.platform.core.content.conflicts import claim_settings
from inkwell.platform.core.content.posts import public_posts
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Tag, Tenant
from inkwell.platform.core.validation import single_line_problem

Kind = Literal["page", "tag", "feed", "snippets", "url"]
KINDS: tuple[Kind, ...] = get_args(Kind)
MAX_ITEMS = 12
LABEL_MAX = 40
URL_MAX = 500
ABOUT_SLUG = "about"


@dataclass(frozen=True)
class Item:
    label: str
    kind: Kind
    target: str = ""  # a page's uuid, a tag's id, a URL; nothing for the feed and snippets

    def stored(self) -> dict[str, str]:
        return {"label": self.label, "kind": self.kind, "target": self.target}


class NavigationError(ValueError):
    """What is wrong, by item (its index; None: the list as a whole)."""

    def __init__(self, problems: dict[int | None, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def stored_items(tenant: Tenant) -> list[Item] | None:
    """The navigation the owners saved, or None if they never did."""
    if tenant.navigation is None:
        return None
    return [
        Item(row["label"], cast(Kind, row["kind"]), row.get("target", ""))
        for row in tenant.navigation
        if row.get("kind") in KINDS
    ]


def items_of(tenant: Tenant, about: Callable[[], uuid.UUID | None] | None = None) -> list[Item]:
    """The blog's navigation: as saved, else the default (current blog's scope).
    `about` tells the About page's uuid when the caller knows it (the site app
    found it with the blog); else it is looked up."""
    saved = stored_items(tenant)
    return default_items(about or about_page_uuid) if saved is None else saved


def default_items(about: Callable[[], uuid.UUID | None]) -> list[Item]:
    """What a blog whose owners never edited it shows: the snippets (readers see the
    link once there are some), its About page if it has one, and the feed."""
    about_uuid = about()
    about_item = [Item("About", "page", str(about_uuid))] if about_uuid is not None else []
    return [Item("Snippets", "snippets"), *about_item, Item("Feed", "feed")]


def about_page_uuid() -> uuid.UUID | None:
    """The current blog's public About page, if it has one."""
    return db.session.scalar(_about_page())


def about_page_of_each() -> ScalarSelect[uuid.UUID]:
    """`about_page_uuid` as a subquery correlated to an outer query of tenants, so
    the site app reads it with the blog's row in one query."""
    return _about_page().where(Post.tenant_id == Tenant.id).scalar_subquery()


def _about_page() -> Select[tuple[uuid.UUID]]:
    return public_posts().where(Post.slug == ABOUT_SLUG).with_only_columns(Post.uuid).limit(1)


def save_navigation(tenant: Tenant, items: list[Item], base_revision: int | None) -> None:
    """Check `items` and make them the blog's navigation, if its settings are still at
    `base_revision` (any, when None); NavigationError or conflicts.EditConflict, and
    nothing changes. The caller commits."""
    checked = check_items(items)
    claim_settings(tenant, base_revision)
    tenant.navigation = [item.stored() for item in checked]
    content_changed(tenant, "navigation")  # every page's header


def reset_navigation(tenant: Tenant, base_revision: int | None) -> None:
    """Go back to the default links, which follow the content; as `save_navigation`."""
    claim_settings(tenant, base_revision)
    tenant.navigation = None
    content_changed(tenant, "navigation")


def check_items(items: list[Item]) -> list[Item]:
    """`items` with their labels trimmed, or NavigationError naming each problem."""
    problems: dict[int | None, str] = {}
    if len(items) > MAX_ITEMS:
        problems[None] = f"A blog's navigation holds at most {MAX_ITEMS} links; remove some."
    checked = []
    for index, item in enumerate(items):
        item = Item(item.label.strip(), item.kind, item.target.strip())
        problem = label_problem(item.label) or target_problem(item)
        if problem:
            problems[index] = problem
        checked.append(item)
    if problems:
        raise NavigationError(problems)
    return checked


def label_problem(label: str) -> str | None:
    if not label:
        return "Give this link a label."
    if len(label) > LABEL_MAX:
        return f"Keep the label to {LABEL_MAX} characters (it has {len(label)})."
    return single_line_problem(label)


def target_problem(item: Item) -> str | None:
    """Why `item` cannot lead where it says, in the current blog, or None."""
    if item.kind not in KINDS:
        return "Choose where this link leads."
    if item.kind == "page" and page_by_uuid(item.target) is None:
        return "That page no longer exists in this blog. Choose another target."
    if item.kind == "tag" and tag_by_id(item.target) is None:
        return "That tag no longer exists in this blog. Choose another target."
    if item.kind == "url":
        return url_problem(item.target)
    return None


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a link to another site, or None."""
    if not url:
        return "Enter the address of the other site, starting with https://."
    if len(url) > URL_MAX:
        return f"Keep the address to {URL_MAX} characters."
    try:
        parts = urlsplit(url)
    except ValueError:
        return "That address cannot be read. Check it and try again."
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "Links to other sites must start with https:// or http:// (and name a site)."
    if any(c.isspace() or ord(c) < 32 for c in url):
        return "Remove the spaces and line breaks from the address."
    return None


def page_by_uuid(value: str) -> Post | None:
    """The current blog's page (any status) with this uuid, or None."""
    try:
        page_uuid = uuid.UUID(value)
    except ValueError:
        return None
    return db.session.scalar(select(Post).where(Post.uuid == page_uuid, Post.is_page.is_(True)))


def tag_by_id(value: str) -> Tag | None:
    """The current blog's tag with this id (the tenant filter hides others'), or None."""
    if not value.isdigit():
        return None
    return db.session.scalar(select(Tag).where(Tag.id == int(value)))


def page_choices() -> list[Post]:
    """The current blog's pages, by title: what an item may lead to."""
    return list(db.session.scalars(select(Post).where(Post.is_page.is_(True)).order_by(Post.title)))


def tag_choices() -> list[Tag]:
    return list(db.session.scalars(select(Tag).order_by(Tag.name)))
