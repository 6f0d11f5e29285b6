"""Ask for account mail from a view: an outbox row in the view's own
transaction, published after it commits (never `.delay()` in a request)."""

import secrets

from inkwell.platform.core.models import AccountToken, User
from inkwell.platform.core.outbox import enqueue
from inkwell.workers.mail import send_account_mail


def send(kind: str, user: User, token: AccountToken | None = None, to: str | None = None) -> None:
    """Mail `user` the `kind` message (see `inkwell.workers.mail`) once the
    current transaction commits; `token` is the link the mail carries, `to` an
    address other than the account's (a new one's link goes to the new one)."""
    # A token's mail is one effect; a mail without a token is one per request.
    effect = f"token-{token.id}" if token else secrets.token_hex(8)
    enqueue(
        send_account_mail.name,
        f"{kind}:{user.id}:{effect}",
        kind=kind,
        user_id=user.id,
        token_id=token.id if token else None,
        **({"to": to} if to else {}),
    )
