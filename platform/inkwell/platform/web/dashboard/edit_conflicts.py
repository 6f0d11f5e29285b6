"""What the conflict view shows when a save started from an older revision
(`content.conflicts`): each field as stored and as the writer sent it, side by side.

The form keeps the writer's text and takes the stored revision as its new base,
so the merged save goes through; nothing is lost on either side. The editor's
autosave gets the same view as HTML in its JSON answer.
"""

from dataclasses import dataclass
from datetime import datetime

from flask import render_template

from inkwell.platform.core.content.tags import format_tag_field
from inkwell.platform.core.models import Post, Tenant
from inkwell.platform.web.forms import BlogSettingsForm, PostForm


@dataclass(frozen=True)
class Versions:
    """One field: `name` is the form field the stored text can be taken into."""

    name: str
    label: str
    stored: str
    yours: str
    long: bool = False  # a text of many lines: shown taller, in the editor's font

    @property
    def same(self) -> bool:
        return self.stored.strip() == self.yours.strip()


@dataclass(frozen=True)
class Conflict:
    revision: int
    saved_at: datetime | None
    fields: list[Versions]

    def html(self) -> str:
        return render_template("dashboard/_conflict.html", conflict=self)


def post_conflict(stored: Post, form: PostForm) -> Conflict:
    """`stored` against the form; the form's base becomes the stored revision."""
    form.base_revision.data = str(stored.revision)
    yours = format_tag_field(form.tag_list())
    fields = [
        Versions("title", "Title", stored.title, form.title.data or ""),
        Versions("tags", "Tags", format_tag_field(t.name for t in stored.tags), yours),
        Versions("excerpt", "Excerpt", stored.excerpt, form.excerpt.data or ""),
        Versions("body_md", "Markdown", stored.body_md, form.body_md.data or "", long=True),
    ]
    return Conflict(stored.revision, stored.updated_at, fields)


def post_conflict_json(stored: Post, form: PostForm) -> dict[str, object]:
    """The autosave's answer: the stored post, its revision and the view."""
    conflict = post_conflict(stored, form)
    return {
        "error": "Someone else saved this post meanwhile: your text was not saved.",
        "conflict": {
            "revision": stored.revision,
            "saved_at": stored.updated_at.isoformat(),
            "status": stored.status,
            **{field.name: field.stored for field in conflict.fields},
        },
        "conflict_html": conflict.html(),
    }


def _shown(value: object) -> str:
    """A setting as the conflict view shows it: None (no icon) as nothing."""
    return "" if value is None else str(value)


def settings_conflict(stored: Tenant, form: BlogSettingsForm) -> Conflict:
    form.base_revision.data = str(stored.settings_revision)
    fields = [
        Versions(
            name,
            form[name].label.text,
            _shown(getattr(stored, name)),
            _shown(form[name].data),
            long=name == "description",
        )
        for name in form.SETTINGS
    ]
    # No time: the blog's row also changes whenever a post is saved.
    return Conflict(stored.settings_revision, None, fields)
