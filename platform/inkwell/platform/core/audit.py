"""The audit log: every admin action, from the console or the CLI, is one row
saying who did what to which blog or user, when and from where. Rows are only
ever added: the ORM refuses to change or delete them."""

import getpass
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Mapper

from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import AuditEntry, Tenant, User


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str  # an email, or "cli:<os user>"
    source: str  # the client address, or "cli"


def cli_actor() -> Actor:
    return Actor(None, f"cli:{getpass.getuser()}", "cli")


def record(actor: Actor, action: str, target: Tenant | User, **detail: Any) -> AuditEntry:
    """Add the entry to the current transaction, so it commits with the action."""
    kind, label = (
        ("tenant", target.subdomain) if isinstance(target, Tenant) else ("user", target.email)
    )
    entry = AuditEntry(
        actor_id=actor.user_id,
        actor=actor.label,
        source=actor.source,
        action=action,
        target_type=kind,
        target_id=target.id,
        target_label=label,
        detail=detail,
    )
    db.session.add(entry)
    return entry


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_changes(_mapper: Mapper[AuditEntry], _connection: Any, entry: AuditEntry) -> None:
    raise AuditLogIsAppendOnly(f"audit entry {entry.id} cannot be changed or deleted")
