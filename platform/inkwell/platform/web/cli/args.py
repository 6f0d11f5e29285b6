"""Arguments of `inkwell` commands that name rows: a wrong name is one line and
a non-zero exit, the same for every command."""

import click
from sqlalchemy import select

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Tenant


def blog_named(subdomain: str) -> Tenant:
    """The blog SUBDOMAIN (any case, spaces ignored), or the command's error."""
    name = subdomain.strip().lower()
    tenant = db.session.scalar(select(Tenant).where(Tenant.subdomain == name))
    if tenant is None:
        raise click.ClickException(f"no blog {subdomain!r}")
    return tenant
