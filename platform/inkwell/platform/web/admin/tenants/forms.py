"""Forms of the blogs in the console: the list's filters, the action on the
blogs ticked in the list, and the reason one blog's suspend or delete takes."""

import re

from wtforms import (
    BooleanField,
    HiddenField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, ValidationError

from inkwell.platform.core.administration import lifecycle
from inkwell.platform.core.administration.lifecycle import BadReason
from inkwell.platform.core.models import TENANT_STATUSES
from inkwell.platform.core.numbers import parse_int
from inkwell.platform.web.admin.tenants import bulk
from inkwell.platform.web.admin.tenants.listing import ListError, check_status
from inkwell.platform.web.forms import PlatformForm

# "Select all" ticks a page of the list, so a bulk action takes no more than one.
MOST_SELECTED = 50


def _status(_form: PlatformForm, field: SelectField) -> None:
    try:
        check_status(field.data)
    except ListError as problem:
        raise ValidationError(str(problem)) from None


def _page_number(value: object) -> int:
    """The page asked for; anything but 1 to 999999 (a hand-typed URL) is the first."""
    text = str(value or "")
    return int(text) if re.fullmatch("[1-9][0-9]{0,5}", text) else 1


class TenantFilterForm(PlatformForm):
    """The list's search, from the query string; the bulk form sends the same
    names back (hidden), so a refused action shows the list it came from."""

    class Meta:
        csrf = False  # a GET form: it changes nothing

    # Cut rather than refused: a search box (its maxlength says the same).
    q = SearchField("Subdomain, title or owner email", filters=[lambda text: (text or "")[:200]])
    # Checked by _status, whose message (the CLI's too) names the statuses.
    status = SelectField(
        "Status",
        choices=[SelectChoice("", "any"), *(SelectChoice(s, s) for s in TENANT_STATUSES)],
        validate_choice=False,
        validators=[_status],
    )
    # "0" too: an unticked box is absent, a hand-typed URL may say 0.
    quarantined = BooleanField("Quarantined only", false_values=(False, "false", "", "0"))
    page = HiddenField(filters=[_page_number])

    def args(self) -> dict[str, str]:
        """The filters that are set, as the list's URL carries them (without the page)."""
        args = {"q": self.q.data, "status": self.status.data}
        args["quarantined"] = "1" if self.quarantined.data else ""
        return {name: value for name, value in args.items() if value}


def _blog_ids(values: list[str] | None) -> list[int]:
    ids = {parse_int(value, low=1) for value in values or []}
    if None in ids:
        # A filter's ValueError is the field's error; the raw values stay its data.
        raise ValueError("The selection is not a list of blogs.")
    return sorted(n for n in ids if n is not None)


def _how_many(_form: PlatformForm, field: SelectMultipleField) -> None:
    if not 1 <= len(field.data) <= MOST_SELECTED:
        raise ValidationError(f"Select between 1 and {MOST_SELECTED} blogs.")


def _reason(_form: PlatformForm, field: StringField) -> None:
    """The reason trimmed, as `lifecycle` would take it, or its refusal."""
    try:
        field.data = lifecycle.check_reason(field.data or "")
    except BadReason as error:
        raise ValidationError(str(error)) from None


def _reason_if_needed(form: PlatformForm, field: StringField) -> None:
    action = bulk.ACTIONS.get(form.action.data or "")
    if action and action.needs_reason:
        _reason(form, field)


class BulkForm(PlatformForm):
    """An action (a key of `bulk.ACTIONS`) on the blogs ticked in the list."""

    action = SelectField(
        "Action",
        choices=[
            SelectChoice("", "Choose…"),
            *(SelectChoice(key, key.replace("-", " ").capitalize()) for key in bulk.ACTIONS),
        ],
        validate_choice=False,
        validators=[AnyOf(bulk.ACTIONS, message="Choose an action for the selected blogs.")],
    )
    # The list's checkboxes, drawn by the template: the choices are the page's rows.
    tenant = SelectMultipleField(validate_choice=False, filters=[_blog_ids], validators=[_how_many])
    reason = StringField(
        "Reason (to suspend or delete; each blog's owners see it)",
        validators=[_reason_if_needed],
    )


class ReasonForm(PlatformForm):
    """Suspending or deleting one blog, from its page."""

    reason = StringField("Reason (the blog's owners see it)", validators=[_reason])
