"""A blog's navigation in a bundle: `navigation.yaml`, its links in order, each
naming its target as another blog can find it again: a page by its slug, a tag by
its name, `feed: true`, `snippets: true`, or a `url`. Only a navigation the owners
saved is exported (without one, a blog shows the default, which follows the content).

An import checks the file while planning (labels, addresses, how many: the rules of
Settings → Navigation) and sets the navigation after the posts are written, so a
page of the same bundle can be a target; a link whose page or tag the blog does not
have is left out and reported. Export → import → export gives the same file.
"""

from typing import Any

import yaml

from inkwell.platform.core.content import navigation
from inkwell.platform.core.content.navigation import Item, NavigationError
from inkwell.platform.core.content.tags import tag_key
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, Tag, Tenant
from inkwell.platform.core.portability.bundles import BundleFile, BundleFileError

NAME = "navigation.yaml"
MAX_BYTES = 64 * 1024
# The key that names each kind's target, as the file writes it.
FLAGS = ("feed", "snippets")
TARGETS = ("page", "tag", "url", *FLAGS)

Entry = dict[str, Any]


def exported(tenant: Tenant) -> str | None:
    """The file's text, or None for a blog showing the default navigation."""
    items = navigation.stored_items(tenant)
    if items is None:
        return None
    entries = [entry for item in items if (entry := _entry(item)) is not None]
    return yaml.safe_dump(entries, allow_unicode=True, sort_keys=False)


def _entry(item: Item) -> Entry | None:
    """The item as the file names it; None for one whose page or tag is gone."""
    if item.kind in FLAGS:
        return {"label": item.label, item.kind: True}
    if item.kind == "url":
        return {"label": item.label, "url": item.target}
    if item.kind == "page":
        page = navigation.page_by_uuid(item.target)
        return {"label": item.label, "page": page.slug} if page else None
    tag = navigation.tag_by_id(item.target)
    return {"label": item.label, "tag": tag.name} if tag else None


def planned(tenant: Tenant, file: BundleFile | None) -> tuple[list[Entry] | None, str]:
    """(the links an import would set, or None to leave the navigation; why the file
    is refused)."""
    if file is None:
        return None, ""
    try:
        text = file.read(MAX_BYTES).decode("utf-8")
        entries = _entries(yaml.safe_load(text))
    except BundleFileError as error:
        return None, f"not imported: {error}"
    except UnicodeDecodeError as error:
        return None, f"not imported: not UTF-8 text (byte {error.start + 1})"
    except (yaml.YAMLError, ValueError) as error:
        return None, f"not imported: {str(error).splitlines()[0]}"
    return (None if text == exported(tenant) else entries), ""


def _entries(data: object) -> list[Entry]:
    """The file's links, checked as Settings → Navigation checks them, but for
    targets (the blog may get them from the same import)."""
    if not isinstance(data, list) or not all(isinstance(entry, dict) for entry in data):
        raise ValueError("expected a list of links, each with a label and one target")
    problems: dict[int | None, str] = {}
    if len(data) > navigation.MAX_ITEMS:
        problems[None] = f"at most {navigation.MAX_ITEMS} links"
    for number, entry in enumerate(data, start=1):
        targets = [key for key in TARGETS if key in entry]
        label = entry.get("label")
        if not isinstance(label, str) or len(targets) != 1:
            problems[number] = "a label and one of page, tag, url, feed or snippets"
        elif problem := navigation.label_problem(label.strip()) or _target_problem(entry):
            problems[number] = problem
    if problems:
        raise ValueError("; ".join(f"link {n}: {p}" if n else p for n, p in problems.items()))
    return data


def _target_problem(entry: Entry) -> str | None:
    if "url" in entry:
        return navigation.url_problem(str(entry["url"]))
    for flag in FLAGS:
        if flag in entry:
            return None if entry[flag] is True else f"`{flag}` takes true"
    value = entry.get("page", entry.get("tag"))
    return None if isinstance(value, str) and value.strip() else "name the page's slug or tag"


def store(tenant: Tenant, entries: list[Entry]) -> list[str]:
    """Make `entries` the blog's navigation, as a save of Settings → Navigation does;
    what was left out, and why."""
    items, left_out = [], []
    for entry in entries:
        item = _item(entry)
        if item is None:
            kind = "page" if "page" in entry else "tag"
            left_out.append(
                f"link “{entry['label']}” left out: this blog has no {kind} “{entry[kind]}”"
            )
        else:
            items.append(item)
    try:
        navigation.save_navigation(tenant, items, None)  # an open form then gets a conflict
    except NavigationError as error:
        return [*left_out, f"not imported: {error}"]
    return left_out


def _item(entry: Entry) -> Item | None:
    label = entry["label"].strip()
    if "page" in entry:
        query = db.select(Post.uuid).where(Post.slug == entry["page"], Post.is_page.is_(True))
        found = db.session.scalar(query)
        return Item(label, "page", str(found)) if found else None
    if "tag" in entry:
        tag_id = db.session.scalar(db.select(Tag.id).where(Tag.key == tag_key(entry["tag"])))
        return Item(label, "tag", str(tag_id)) if tag_id else None
    if "url" in entry:
        return Item(label, "url", str(entry["url"]).strip())
    return Item(label, "feed" if "feed" in entry else "snippets")
