"""Outgoing mail: SMTP through Flask-Mail with a timeout, or, in the embedded
default (no MAIL_SERVER), .eml files in MAIL_OUTBOX_DIR that are also logged."""

import logging
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.mime.base import MIMEBase
from email.utils import parseaddr
from pathlib import Path

from flask import current_app
from flask_mail import BadHeaderError, Connection
from flask_mail import Message as FlaskMailMessage

from inkwell.platform.core.types import utcnow
from inkwell.platform.core.validation import single_line_problem

log = logging.getLogger(__name__)


class TimeoutConnection(Connection):
    """Flask-Mail's SMTP connection with a socket timeout: Flask-Mail sets none,
    and a server that accepts and never answers would hold a worker forever."""

    def configure_host(self) -> smtplib.SMTP:
        smtp = smtplib.SMTP_SSL if self.mail.use_ssl else smtplib.SMTP
        host = smtp(self.mail.server, self.mail.port, timeout=current_app.config["MAIL_TIMEOUT"])
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


class Message(FlaskMailMessage):
    """Flask-Mail's message with headers folded at RFC 5322's 998 characters, not
    78: a header with no space to fold at (List-Unsubscribe's long URL) would
    otherwise go out as RFC 2047 encoded words, which no mail client reads as a
    URL, and one-click unsubscribe (RFC 8058) would silently not be offered."""

    def _message(self) -> MIMEBase:
        built = super()._message()
        built.policy = policy.SMTP.clone(max_line_length=998)
        return built


def message(
    to: str,
    subject: str,
    text: str,
    html: str,
    message_id: str,
    sender_name: str = "",
    headers: dict[str, str] | None = None,
) -> Message:
    """A message to one address, from MAIL_DEFAULT_SENDER (shown as `sender_name`
    when given, quoted and encoded, so a blog's title cannot add a header);
    BadHeaderError if a header would carry a line break."""
    headers = headers or {}
    for value in (to, subject, sender_name, *headers.values()):
        if single_line_problem(value):
            raise BadHeaderError(f"control character in mail header {value!r}")
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    if sender_name:
        sender = (sender_name, parseaddr(sender)[1])
    mail = Message(
        subject, recipients=[to], body=text, html=html, sender=sender, extra_headers=headers
    )
    mail.msgId = message_id
    return mail


def deliver(mail: Message) -> None:
    """Send over SMTP, or write the file the embedded default uses instead."""
    with connection() as smtp:
        send(smtp, mail)


@contextmanager
def connection() -> Iterator[Connection | None]:
    """One SMTP connection for several messages (None in the embedded default)."""
    if not current_app.config["MAIL_SERVER"]:
        yield None
        return
    with TimeoutConnection(current_app.extensions["mail"]) as smtp:
        yield smtp


def send(smtp: Connection | None, mail: Message) -> None:
    """Send `mail` over `smtp` from `connection()`; raises what smtplib raises."""
    if smtp is None:
        _write_eml(mail)
    else:
        smtp.send(mail)


def _write_eml(mail: Message) -> None:
    folder = Path(current_app.config["MAIL_OUTBOX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    name = mail.msgId.strip("<>").replace("@", "_").replace("/", "_")
    path = folder / f"{utcnow():%Y%m%dT%H%M%S.%f}-{name}.eml"
    path.write_bytes(mail.as_bytes())
    log.info("mail to %s, %r, written to %s", mail.recipients[0], mail.subject, path)
