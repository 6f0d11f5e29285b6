"""What `inkwell` commands share: arguments that name rows, and errors as one
line and a non-zero exit, the same for every command."""

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy import select

from inkwell.platform.core.accounts.registration import AccountError
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Tenant


def blog_named(subdomain: str) -> Tenant:
    """The blog SUBDOMAIN (any case, spaces ignored), or the command's error."""
    name = subdomain.strip().lower()
    tenant = db.session.scalar(select(Tenant).where(Tenant.subdomain == name))
    if tenant is None:
        raise click.ClickException(f"no blog {subdomain!r}")
    return tenant


@contextmanager
def account_errors() -> Iterator[None]:
    """Turn an AccountError into a one-line CLI error."""
    try:
        yield
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
