"""Forms of the quotas page: which blog to show, and its own limits (empty:
the platform default)."""

from sqlalchemy import select
from wtforms import HiddenField, StringField
from wtforms.validators import ValidationError

from inkwell.platform.core.extensions import db
from inkwell.platform.core.limits import quotas
from inkwell.platform.core.models import Tenant
from inkwell.platform.web.forms import PlatformForm, stripped


def _existing_blog(form: "BlogLookupForm | QuotaForm", field: StringField) -> None:
    """The blog by its subdomain, kept as `form.tenant`."""
    form.tenant = db.session.scalar(select(Tenant).where(Tenant.subdomain == field.data))
    if form.tenant is None:
        raise ValidationError(f"No blog {field.data!r}.")


class BlogLookupForm(PlatformForm):
    """Which blog's limits to show, from the query string."""

    class Meta:
        csrf = False  # a GET form: it changes nothing

    blog = StringField(
        "Blog (subdomain)", id="find-blog", filters=[stripped], validators=[_existing_blog]
    )
    tenant: Tenant | None = None


def _limit(_form: PlatformForm, field: StringField) -> None:
    if field.data:
        try:
            quotas.parse_limit(field.name, field.data)
        except ValueError as error:
            raise ValidationError(f"{error}.") from None


class QuotaForm(PlatformForm):
    """A blog's limits, one field a quota (`quotas.FIELDS`, added below)."""

    blog = HiddenField(filters=[stripped], validators=[_existing_blog])
    tenant: Tenant | None = None

    def limits(self) -> dict[str, int | None]:
        """The limits as `quotas.set_overrides` takes them (after validate())."""
        texts = {name: self[name].data for name in quotas.FIELDS}
        return {
            name: quotas.parse_limit(name, text) if text else None for name, text in texts.items()
        }


# From the list of quotas, so a new one needs no change here.
for _name in quotas.FIELDS:
    setattr(
        QuotaForm, _name, StringField(quotas.LABELS[_name], filters=[stripped], validators=[_limit])
    )
