"""Account mail tasks: verification, password reset and the notes that follow.

A task takes its outbox row's id and ids of what to mail about, claims the row
(a second delivery of the row does nothing), renders the message from
templates, sends it, and marks the row done. Transient failures (connection
refused or dropped, timeouts, 4xx replies) retry with growing, jittered delays;
permanent ones (5xx replies, bad headers) are logged and not retried.
"""

import logging
import random
import smtplib

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from flask import current_app
from flask_mail import Message

from inkwell.platform.core import outbox
from inkwell.platform.core.extensions import db
from inkwell.platform.core.hosts import app_url, host_name
from inkwell.platform.core.mail import deliver, message
from inkwell.platform.core.models import AccountToken, User
from inkwell.platform.core.tokens import LINK_PATHS, token_text

log = logging.getLogger(__name__)

SUBJECTS = {
    "verify_email": "Confirm your email address for Inkwell",
    "reset_password": "Reset your Inkwell password",
    "password_changed": "Your Inkwell password was changed",
    "signup_existing": "Someone tried to sign up to Inkwell with your address",
}


@shared_task(bind=True, name=f"{__name__}.send_account_mail")
def send_account_mail(
    self: Task, outbox_id: int, kind: str, user_id: int, token_id: int | None = None
) -> None:
    config = current_app.config
    row = outbox.claim(outbox_id, lease_seconds=config["CELERY_TASK_TIME_LIMIT"])
    if row is None:
        return  # done already, or another delivery holds it
    try:
        deliver(_account_mail(outbox_id, kind, user_id, token_id))
    except Exception as error:
        if not is_transient(error):
            log.error("outbox %s: mail not sent and not retried: %r", outbox_id, error)
            outbox.finish(row, error=f"not sent: {error!r}")
            return
        outbox.release(row, error=repr(error))
        delay = backoff(self.request.retries)
        log.warning("outbox %s: %r, retrying in %.1f s", outbox_id, error, delay)
        raise self.retry(
            exc=error, countdown=delay, max_retries=config["MAIL_MAX_RETRIES"]
        ) from error
    outbox.finish(row)


def is_transient(error: Exception) -> bool:
    """Whether trying the same mail again later may succeed."""
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPException):  # e.g. an extension the server lacks
        return False
    return isinstance(error, OSError | SoftTimeLimitExceeded)  # refused, reset, timed out


def backoff(retries: int) -> float:
    """Seconds before retry number `retries` + 1: exponential, capped, with jitter
    over the upper half, so delays grow and retries of many tasks spread out."""
    config = current_app.config
    ceiling = min(config["MAIL_RETRY_BACKOFF_MAX"], config["MAIL_RETRY_BACKOFF"] * 2**retries)
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - not for secrets


def _account_mail(outbox_id: int, kind: str, user_id: int, token_id: int | None) -> Message:
    user = db.session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    token = db.session.get(AccountToken, token_id) if token_id else None
    context = {
        "user": user,
        "link": app_url(LINK_PATHS[token.purpose] + token_text(token)) if token else "",
        "login_url": app_url(LINK_PATHS["login"]),
        "forgot_url": app_url(LINK_PATHS["forgot_password"]),
        "hours": token and round((token.expires_at - token.created_at).total_seconds() / 3600),
    }
    return message(
        user.email,
        SUBJECTS[kind],
        _render(f"mail/{kind}.txt", context),
        _render(f"mail/{kind}.html", context),
        # One id per outbox row, so a mail client also sees a redelivery as the same mail.
        f"<outbox.{outbox_id}@{host_name(current_app.config['APP_HOST'])}>",
    )


def _render(name: str, context: dict[str, object]) -> str:
    # Not render_template: the web app's context processors need a request.
    return current_app.jinja_env.get_template(name).render(context)
