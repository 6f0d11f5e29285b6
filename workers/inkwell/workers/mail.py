"""Mail tasks: account mail (verification, password reset and the notes that
follow) and invitations to a blog.

A task takes its outbox row's id and ids of what to mail about, claims the row
(a second delivery of the row does nothing), renders the message from
templates, sends it, and marks the row done. Transient failures (connection
refused or dropped, timeouts, 4xx replies) retry with growing, jittered delays,
the row held until the retry is due (the sweeper leaves it alone meanwhile);
permanent ones (5xx replies, bad headers) are logged and not retried.
"""

import logging
import random
import smtplib
from collections.abc import Callable

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from flask import current_app
from flask_mail import Message

from inkwell.platform.core import outbox
from inkwell.platform.core.accounts.tokens import LINK_PATHS, KeyNotKnownYet, token_text
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import app_url, blog_url, host_name
from inkwell.platform.core.mail import deliver, message
from inkwell.platform.core.models import AccountToken, Invitation, User
from inkwell.platform.core.types import utcnow

log = logging.getLogger(__name__)

SUBJECTS = {
    "verify_email": "Confirm your email address for Inkwell",
    "reset_password": "Reset your Inkwell password",
    "password_changed": "Your Inkwell password was changed",
    "signup_existing": "Someone tried to sign up to Inkwell with your address",
    "change_email": "Confirm your new email address for Inkwell",
    "email_changed": "The email address of your Inkwell account was changed",
    "two_factor_reset": "Two-factor sign-in was turned off for your Inkwell account",
}


@shared_task(bind=True, name=f"{__name__}.send_account_mail")
def send_account_mail(
    self: Task,
    outbox_id: int,
    kind: str,
    user_id: int,
    token_id: int | None = None,
    to: str | None = None,
) -> None:
    """`to`: an address other than the account's (the one an email change left)."""
    _send(self, outbox_id, lambda: _account_mail(outbox_id, kind, user_id, token_id, to))


@shared_task(bind=True, name=f"{__name__}.send_invitation")
def send_invitation(self: Task, outbox_id: int, invitation_id: int) -> None:
    _send(self, outbox_id, lambda: _invitation_mail(outbox_id, invitation_id))


def _send(task: Task, outbox_id: int, compose: Callable[[], Message | None]) -> None:
    """Claim the outbox row, send what `compose` writes (None: nothing to send
    any more), and close the row, or retry later if the failure may pass."""
    config = current_app.config
    # Held for the hard time limit: the worker kills the task before the lease
    # ends, so the sweeper never sees a running task's row as free.
    row = outbox.claim(outbox_id, lease_seconds=config["CELERY_TASK_TIME_LIMIT"])
    if row is None:
        return  # done already, or another delivery holds it
    try:
        mail = compose()
        if mail is not None:
            deliver(mail)
    except Exception as error:
        if not is_transient(error):
            log.error("outbox %s: mail not sent and not retried: %r", outbox_id, error)
            outbox.finish(row, error=f"not sent: {error!r}")
            return
        delay = backoff(task.request.retries)
        outbox.release(row, error=repr(error), held_for=delay)
        log.warning("outbox %s: %r, retrying in %.1f s", outbox_id, error, delay)
        raise task.retry(
            exc=error, countdown=delay, max_retries=config["MAIL_MAX_RETRIES"]
        ) from error
    outbox.finish(row, error="" if mail else "nothing to send any more")
    if mail is not None:  # one line per mail, without the address (personal data)
        log.info("outbox %s: mail sent: %s", outbox_id, mail.subject)


def is_transient(error: Exception) -> bool:
    """Whether trying the same mail again later may succeed."""
    if isinstance(error, KeyNotKnownYet):
        return True  # this worker restarts with the new secret key soon (a rotation)
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPException):  # e.g. an extension the server lacks
        return False
    return isinstance(error, OSError | SoftTimeLimitExceeded)  # refused, reset, timed out


def backoff(retries: int, prefix: str = "MAIL") -> float:
    """Seconds before retry number `retries` + 1: exponential, capped, with jitter
    over the upper half, so delays grow and retries of many tasks spread out.
    `prefix`: whose settings (`<prefix>_RETRY_BACKOFF`, `<prefix>_RETRY_BACKOFF_MAX`)."""
    config = current_app.config
    base, cap = config[f"{prefix}_RETRY_BACKOFF"], config[f"{prefix}_RETRY_BACKOFF_MAX"]
    ceiling = min(cap, base * 2**retries)
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - not for secrets


def _account_mail(
    outbox_id: int, kind: str, user_id: int, token_id: int | None, to: str | None
) -> Message:
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    token = db.session.get(AccountToken, token_id) if token_id else None
    # A link confirming a new address goes to that address, not the account's.
    to = to or (token.email if token and token.email else user.email)
    context = {
        "user": user,
        "link": app_url(LINK_PATHS[token.purpose] + token_text(token)) if token else "",
        "login_url": app_url(LINK_PATHS["login"]),
        "forgot_url": app_url(LINK_PATHS["forgot_password"]),
        "hours": token and round((token.expires_at - token.created_at).total_seconds() / 3600),
        "to": to,
    }
    return _message(outbox_id, to, SUBJECTS[kind], kind, context)


def _invitation_mail(outbox_id: int, invitation_id: int) -> Message | None:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.used_at or invitation.expires_at <= utcnow():
        return None  # revoked, replaced, accepted or expired before it was mailed
    tenant = invitation.tenant
    context = {
        "invitation": invitation,
        "tenant": tenant,
        "blog_url": blog_url(tenant),
        "link": app_url(LINK_PATHS["invitation"] + token_text(invitation)),
        "days": round((invitation.expires_at - invitation.created_at).total_seconds() / 86400),
    }
    subject = f"Join {tenant.title} on Inkwell"
    return _message(outbox_id, invitation.email, subject, "invitation", context)


def _message(
    outbox_id: int, to: str, subject: str, kind: str, context: dict[str, object]
) -> Message:
    return message(
        to,
        subject,
        render(f"mail/{kind}.txt", context),
        render(f"mail/{kind}.html", context),
        # One id per outbox row, so a mail client also sees a redelivery as the same mail.
        f"<outbox.{outbox_id}@{host_name(current_app.config['APP_HOST'])}>",
    )


def render(name: str, context: dict[str, object]) -> str:
    # Not render_template: the web app's context processors need a request.
    return current_app.jinja_env.get_template(name).render(context)
