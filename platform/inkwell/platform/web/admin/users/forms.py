"""Forms of the user accounts in the console: the list's search, and the
reason a disable takes."""

from wtforms import BooleanField, SearchField, StringField
from wtforms.validators import Length

from inkwell.platform.web.forms import PlatformForm, stripped


class UserSearchForm(PlatformForm):
    """The list's search, from the query string."""

    class Meta:
        csrf = False  # a GET form: it changes nothing

    q = SearchField("Email or name contains", filters=[stripped])
    admins = BooleanField("Admins only")
    disabled = BooleanField("Disabled only")


class DisableForm(PlatformForm):
    reason = StringField(
        "Reason (for the audit log)", filters=[stripped], validators=[Length(max=500)]
    )
