"""The audit log's filter: a GET form, read from the query string."""

from typing import Any

from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import DateInput

from inkwell.platform.core.administration.audit_search import (
    TARGET_TYPES,
    AuditFilter,
    FilterError,
    parse_day,
)
from inkwell.platform.web.forms import PlatformForm, stripped


def _day(_form: PlatformForm, field: StringField) -> None:
    try:
        parse_day(field.data, field.name)
    except FilterError as error:
        raise ValidationError(str(error)) from None


def _target_type(_form: PlatformForm, field: SelectField) -> None:
    try:
        AuditFilter(target_type=field.data)  # the filter's own check, and its message
    except FilterError as error:
        raise ValidationError(str(error)) from None


class AuditFilterForm(PlatformForm):
    class Meta:
        csrf = False  # a GET form: it changes nothing

    actor = StringField("Who (contains)", filters=[stripped])
    # Any action typed into the URL filters (to nothing, if never logged); the
    # view offers those logged so far.
    action = SelectField(
        "What", choices=[SelectChoice("", "any action")], validate_choice=False, filters=[stripped]
    )
    target_type = SelectField(
        "Target type",
        choices=[SelectChoice("", "blogs and users"), *(SelectChoice(t, t) for t in TARGET_TYPES)],
        validate_choice=False,
        filters=[stripped],
        validators=[_target_type],
    )
    target = StringField("Target (contains)", filters=[stripped])
    # "from" and "to" in the URL: a Python keyword cannot be the attribute.
    since = StringField(
        "From (UTC day)", name="from", widget=DateInput(), filters=[stripped], validators=[_day]
    )
    until = StringField(
        "To (UTC day, included)",
        name="to",
        widget=DateInput(),
        filters=[stripped],
        validators=[_day],
    )
    wanted: AuditFilter | None = None  # once validate() has passed

    def offer_actions(self, actions: list[str]) -> None:
        self.action.choices = [
            SelectChoice("", "any action"),
            *(SelectChoice(a, a) for a in actions),
        ]

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        try:
            self.wanted = AuditFilter(
                actor=self.actor.data,
                action=self.action.data,
                target_type=self.target_type.data,
                target=self.target.data,
                since=parse_day(self.since.data, "from"),
                until=parse_day(self.until.data, "to"),
            )
        except FilterError as error:  # left: the days in the wrong order, two fields
            self.form_errors.append(str(error))
            return False
        return True

    def args(self) -> dict[str, str]:
        """The filters that are set, by their names in the URL (for the pager's links)."""
        return {field.name: field.data for field in self if field.data}
