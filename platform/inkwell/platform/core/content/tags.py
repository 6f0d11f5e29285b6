"""Tags: a tag is its name; its address is derived, and stays.

- Identity: `tag_key(name)`, the name in NFC with its spaces collapsed, case
  folded. `Python` and ` python` are one tag; `C++` and `C#`, `Русский` and
  `日本語` are four, whatever their addresses.
- Address: a slug made from the name when the tag is made (`slugs.slugify`, other
  scripts transliterated), unique in the blog among tags and old tag addresses
  (`c`, then `c-2`). Saving a post never changes it; only `rename_tag` moves it,
  and the old address becomes a `TagAlias` the site answers with a 301.
- Limits: at most MAX_TAGS a post and NAME_MAX characters a name; `tag_problem`
  says which was passed, and nothing is ever cut or dropped silently.
- The editor's one-line field: commas separate names, a name holding a comma or a
  double quote is written in double quotes (`"Smith, John"`, `""` for a quote):
  `format_tag_field` and `parse_tag_field` give back the same names.
"""

import csv
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from inkwell.platform.core.content.changes import content_changed
from inkwell.platform.core.content.slugs import first_free, slugify
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Post, PostTag, Tag, TagAlias, Tenant
from inkwell.platform.core.validation import slug_problem, strip_forbidden

MAX_TAGS = 20
NAME_MAX = 100
# Room for a `-<n>` suffix within the column's 100 characters.
_SLUG_BASE_MAX = 90


class TagError(ValueError):
    """A tag cannot be set or renamed as asked; the message is for the writer."""


def clean_tag_name(name: str) -> str:
    """The name as stored: NFC, no character XML forbids, single spaces, trimmed."""
    return " ".join(strip_forbidden(unicodedata.normalize("NFC", name)).split())


def tag_key(name: str) -> str:
    """What makes two names one tag: the cleaned name, case folded."""
    return clean_tag_name(name).casefold()


def distinct_names(names: Iterable[str]) -> list[str]:
    """The cleaned, non-empty names, one per tag (the first spelling wins)."""
    unique: dict[str, str] = {}
    for name in names:
        if cleaned := clean_tag_name(name):
            unique.setdefault(cleaned.casefold(), cleaned)
    return list(unique.values())


def tag_problem(names: Iterable[str]) -> str | None:
    """What is wrong with giving a post these tags, or None."""
    distinct = distinct_names(names)
    for name in distinct:
        if len(name) > NAME_MAX:
            return f"A tag has at most {NAME_MAX} characters; “{name[:40]}…” has {len(name)}."
    if len(distinct) > MAX_TAGS:
        return f"A post has at most {MAX_TAGS} tags; this one has {len(distinct)}."
    return None


def checked_names(names: Iterable[str]) -> list[str]:
    """`distinct_names`, or TagError if they break a limit."""
    names = list(names)
    if problem := tag_problem(names):
        raise TagError(problem)
    return distinct_names(names)


def parse_tag_field(text: str) -> list[str]:
    """The names in the editor's field: `a, "Smith, John", b`."""
    line = " ".join(text.splitlines())
    return next(csv.reader([line], skipinitialspace=True), [])


def format_tag_field(names: Iterable[str]) -> str:
    """The editor's field for `names`, which `parse_tag_field` reads back."""
    return ", ".join(_quoted(name) for name in names)


def _quoted(name: str) -> str:
    if "," in name or '"' in name:
        return '"' + name.replace('"', '""') + '"'
    return name


def set_post_tags(post: Post, names: list[str]) -> None:
    """Give the flushed `post` exactly the tags `names` (checked already), making
    the ones the blog does not have yet; existing tags keep their name and address."""
    wanted = {name.casefold(): name for name in names}
    found = {t.key: t for t in db.session.scalars(select(Tag).where(Tag.key.in_(wanted)))}
    new = [key for key in wanted if key not in found]
    taken = _slugs_taken(slugify(wanted[key], _SLUG_BASE_MAX, "tag") for key in new)
    for key in new:
        slug = first_free(slugify(wanted[key], _SLUG_BASE_MAX, "tag"), taken)
        taken.add(slug)
        found[key] = Tag(tenant_id=post.tenant_id, slug=slug, name=wanted[key], key=key)
        db.session.add(found[key])
    db.session.flush()
    db.session.execute(delete(PostTag).where(PostTag.post_id == post.id))
    for key in wanted:
        db.session.add(PostTag(tenant_id=post.tenant_id, post_id=post.id, tag_id=found[key].id))
    db.session.flush()
    db.session.expire(post, ["tags"])


def _slugs_taken(bases: Iterable[str]) -> set[str]:
    """The tag addresses of the current blog, current or old, that start like `bases`."""
    taken: set[str] = set()
    for base in set(bases):
        for column in (Tag.slug, TagAlias.slug):
            taken |= set(db.session.scalars(select(column).where(column.startswith(base))))
    return taken


@dataclass(frozen=True)
class TagRow:
    tag: Tag
    posts: int
    old_slugs: list[str]


def tags_with_counts() -> list[TagRow]:
    """Every tag of the current blog by name, with its number of posts (drafts
    included) and its old addresses."""
    link = (PostTag.tenant_id == Tag.tenant_id) & (PostTag.tag_id == Tag.id)
    query = select(Tag, func.count(PostTag.post_id)).outerjoin(PostTag, link).group_by(Tag.id)
    old: dict[int, list[str]] = {}
    for alias in db.session.scalars(select(TagAlias).order_by(TagAlias.slug)):
        old.setdefault(alias.tag_id, []).append(alias.slug)
    rows = [TagRow(tag, count, old.get(tag.id, [])) for tag, count in db.session.execute(query)]
    return sorted(rows, key=lambda row: row.tag.key)


def rename_tag(tag: Tag, tenant: Tenant, name: str, slug: str, merge: bool = False) -> Tag:
    """Rename `tag` (capitalisation included) and, if `slug` differs, move its address,
    the old one then redirecting. A name that is another tag's merges into that tag
    only with `merge`, else TagError. Returns the tag that now holds the posts; the
    caller commits."""
    name = clean_tag_name(name)
    if not name or len(name) > NAME_MAX:
        raise TagError(f"Give the tag a name of 1 to {NAME_MAX} characters.")
    if name == tag.name and slug in ("", tag.slug):
        return tag
    other = db.session.scalar(select(Tag).where(Tag.key == name.casefold(), Tag.id != tag.id))
    if other is not None:
        if not merge:
            raise TagError(
                f"“{other.name}” is another tag with this name. Tick “merge” to move this "
                "tag's posts into it."
            )
        _merge(tag, other)
        tag = other
    elif slug and slug != tag.slug:
        _move(tag, slug)
    tag.name, tag.key = name, name.casefold()
    content_changed(tenant, "tags", (tag.id,))
    return tag


def _move(tag: Tag, slug: str) -> None:
    if problem := slug_problem(slug):
        raise TagError(f"Address: {problem}")
    if len(slug) > NAME_MAX:
        raise TagError(f"Address: use at most {NAME_MAX} characters.")
    other = db.session.scalar(select(Tag).where(Tag.slug == slug))
    alias = db.session.get(TagAlias, (tag.tenant_id, slug))
    if other is not None or (alias is not None and alias.tag_id != tag.id):
        owner = other or db.session.get_one(Tag, alias.tag_id)  # type: ignore[union-attr]
        raise TagError(f"The address /tags/{slug}/ belongs to the tag “{owner.name}”.")
    if alias is not None:  # back to an old address of its own
        db.session.delete(alias)
    db.session.add(TagAlias(tenant_id=tag.tenant_id, slug=tag.slug, tag_id=tag.id))
    tag.slug = slug


def _merge(tag: Tag, into: Tag) -> None:
    """Move `tag`'s posts and addresses to `into` and delete it."""
    has_both = select(PostTag.post_id).where(PostTag.tag_id == into.id)
    db.session.execute(
        delete(PostTag).where(PostTag.tag_id == tag.id, PostTag.post_id.in_(has_both))
    )
    db.session.execute(update(PostTag).where(PostTag.tag_id == tag.id).values(tag_id=into.id))
    db.session.execute(update(TagAlias).where(TagAlias.tag_id == tag.id).values(tag_id=into.id))
    db.session.add(TagAlias(tenant_id=tag.tenant_id, slug=tag.slug, tag_id=into.id))
    db.session.delete(tag)
    db.session.flush()
