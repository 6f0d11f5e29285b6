"""One admin action on many blogs: the console's selection and the CLI's several
names. Each blog is acted on and committed by itself, with its own audit entry,
so a blog whose state refuses the action (already suspended, say) neither undoes
nor stops the others; the outcome names both kinds."""

from collections.abc import Callable
from dataclasses import dataclass, field

from inkwell.platform.core.administration import lifecycle
from inkwell.platform.core.administration.lifecycle import LifecycleError
from inkwell.platform.core.audit import Actor
from inkwell.platform.core.extensions import db
from inkwell.platform.core.models import Tenant


@dataclass(frozen=True)
class Action:
    done: str  # "Suspended", as in "Suspended alice, bob."
    run: Callable[[Tenant, str, Actor], object]
    needs_reason: bool = False


ACTIONS = {
    "suspend": Action("Suspended", lifecycle.suspend, needs_reason=True),
    "restore": Action("Restored", lambda t, _, actor: lifecycle.restore(t, actor)),
    "delete": Action("Deleted", lifecycle.delete, needs_reason=True),
    "quarantine": Action("Quarantined", lambda t, _, actor: lifecycle.quarantine(t, actor)),
    "lift-quarantine": Action(
        "Lifted the quarantine of", lambda t, _, actor: lifecycle.lift_quarantine(t, actor)
    ),
}


@dataclass
class Outcome:
    done: list[str] = field(default_factory=list)  # subdomains
    refused: list[str] = field(default_factory=list)  # why, one line a blog

    def summary(self, action: str) -> str:
        return f"{ACTIONS[action].done} {', '.join(self.done)}." if self.done else ""


def apply(action: str, tenants: list[Tenant], reason: str, actor: Actor) -> Outcome:
    """Do `action` (a key of ACTIONS) to each blog; BadReason before any if the
    action needs a reason and `reason` is unfit."""
    spec = ACTIONS[action]
    if spec.needs_reason:
        reason = lifecycle.check_reason(reason)
    outcome = Outcome()
    for tenant in tenants:
        name = tenant.subdomain
        try:
            spec.run(tenant, reason, actor)
        except LifecycleError as error:
            db.session.rollback()
            outcome.refused.append(str(error))
            continue
        db.session.commit()
        outcome.done.append(name)
    return outcome
