"""Settings → Navigation: the owners order, label and aim the links of every page's
header (`core.content.navigation`), without JavaScript: each row's Move up, Move
down and Remove buttons send the whole form, which is saved as it then stands. A
blank "Add a link" row adds nothing. A save from an older settings revision gets
409 and the rows back instead of replacing a newer save (`content.conflicts`)."""

from typing import NamedTuple

from flask import flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from inkwell.platform.core.content import navigation
from inkwell.platform.core.content.conflicts import EditConflict
from inkwell.platform.core.content.navigation import Item, NavigationError
from inkwell.platform.core.extensions import db
from inkwell.platform.web.dashboard.blog_scope import blog_blueprint, require_role
from inkwell.platform.web.forms import NavigationForm

bp = blog_blueprint("navigation", __name__, "/navigation")

# Bounds the rows a request may send (a forged one could send thousands); more than
# MAX_ITEMS reach the core's check, which says how many a blog may have.
MAX_ROWS = navigation.MAX_ITEMS + 8
MOVES = {"up": -1, "down": 1}


class Row(NamedTuple):
    """One link as the form shows it: `choice` is the <select>'s value."""

    label: str
    choice: str
    url: str
    error: str = ""


@bp.before_request
def _owners_only() -> None:
    require_role("owner", message="Only the blog's owners can change its navigation.")


@bp.get("/")
def index() -> str:
    form = NavigationForm(base_revision=str(g.tenant.settings_revision))
    return _page(form, [_row(item) for item in navigation.items_of(g.tenant)])


@bp.post("/")
def save() -> Response | tuple[str, int]:
    form = NavigationForm()
    rows = _posted_rows()
    if not form.validate_on_submit():
        return _page(form, rows), 400
    rows = _apply_action(rows, request.form.get("action", "save"))
    reset = request.form.get("action") == "reset"
    try:
        if reset:
            navigation.reset_navigation(g.tenant, form.base_revision.revision)
        else:
            navigation.save_navigation(
                g.tenant, [_item(r) for r in rows], form.base_revision.revision
            )
    except NavigationError as error:
        rows = [r._replace(error=error.problems.get(i, "")) for i, r in enumerate(rows)]
        problem = error.problems.get(None) or "A link below needs a change: nothing was saved."
        return _page(form, rows, problem), 400
    except EditConflict:
        db.session.rollback()
        form.base_revision.data = str(g.tenant.settings_revision)
        problem = (
            "Someone saved the blog's settings meanwhile, so these links were not saved. "
            "They are still below: save again to replace theirs."
        )
        return _page(form, rows, problem), 409
    db.session.commit()
    flash("Back to the default links." if reset else "Navigation saved: every page shows it.")
    return redirect(url_for("navigation.index"))


def _posted_rows() -> list[Row]:
    """The rows as sent, then the "Add a link" row unless it was left blank."""
    rows = []
    for index in range(MAX_ROWS):
        prefix = f"items-{index}-"
        if prefix + "label" not in request.form:
            break
        rows.append(_sent_row(prefix))
    added = _sent_row("new-")
    if added.label.strip() or added.url.strip():
        rows.append(added)
    return rows


def _sent_row(prefix: str) -> Row:
    form = request.form
    return Row(
        form.get(prefix + "label", ""),
        form.get(prefix + "target", ""),
        form.get(prefix + "url", ""),
    )


def _apply_action(rows: list[Row], action: str) -> list[Row]:
    """`rows` after a row's Move up, Move down or Remove ("up:2", "remove:0")."""
    verb, _, number = action.partition(":")
    if not number.isdigit() or int(number) >= len(rows):
        return rows
    index, rows = int(number), list(rows)
    if verb == "remove":
        del rows[index]
    elif verb in MOVES and 0 <= index + MOVES[verb] < len(rows):
        other = index + MOVES[verb]
        rows[index], rows[other] = rows[other], rows[index]
    return rows


def _row(item: Item) -> Row:
    if item.kind in ("page", "tag"):
        return Row(item.label, f"{item.kind}:{item.target}", "")
    return Row(item.label, item.kind, item.target if item.kind == "url" else "")


def _item(row: Row) -> Item:
    kind, _, target = row.choice.partition(":")
    if kind == "url":
        target = row.url
    # An unknown kind reaches the core's check, which asks to choose a target.
    return Item(row.label, kind, target)  # type: ignore[arg-type]


def _page(form: NavigationForm, rows: list[Row], problem: str = "") -> str:
    pages, tags = navigation.page_choices(), navigation.tag_choices()
    known = {f"page:{page.uuid}" for page in pages} | {f"tag:{tag.id}" for tag in tags}
    return render_template(
        "dashboard/navigation.html",
        form=form,
        tenant=g.tenant,
        rows=rows,
        problem=problem,
        pages=pages,
        tags=tags,
        known=known | {"feed", "snippets", "url"},
        edited=g.tenant.navigation is not None,
        limits=(navigation.MAX_ITEMS, navigation.LABEL_MAX),
    )
