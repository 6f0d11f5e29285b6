"""`inkwell doctor`: is this installation able to work? One line per check, OK
or FAIL and why, exit status 1 on any failure.

The start of every process checks the configuration without the network
(`core.config_checks`); the doctor contacts what it names: the database (a
query), its schema (at the code's newest migration), Redis (PING), the broker (a
connection), the SMTP server (connect, STARTTLS when set, EHLO and the login; no
mail is sent) and each storage area (a probe key written, read back and deleted,
under a blog UUID no blog has). A service left unset is OK: its embedded default.
"""

import logging
import smtplib
import uuid
from collections.abc import Callable
from pathlib import Path

import click
import redis
from flask import Flask, current_app
from flask.cli import ScriptInfo
from kombu import Connection
from kombu.utils.url import maybe_sanitize_url
from sqlalchemy import text

from inkwell.platform.core import database
from inkwell.platform.core.config import ConfigError
from inkwell.platform.core.extensions import db
from inkwell.platform.core.storage import AREAS, open_area

# No blog has the nil UUID (uuid4 never makes it): the probe touches no blog's files.
PROBE_BLOG = uuid.UUID(int=0)
PROBE_KEY = "inkwell-doctor-probe.txt"


@click.command("doctor")
@click.pass_context
def doctor_command(ctx: click.Context) -> None:
    """Check configuration, database, schema, Redis, broker, SMTP and storage."""
    try:
        app: Flask = ctx.ensure_object(ScriptInfo).load_app()
    except ConfigError as error:
        for line in str(error).splitlines():
            _line("FAIL", "configuration", line)
        ctx.exit(1)
    with app.app_context():
        failed = [name for name, check in CHECKS if not _report(name, check)]
    ctx.exit(1 if failed else 0)


def _report(name: str, check: Callable[[], str]) -> bool:
    try:
        detail = check()
    except Exception as error:  # whatever a driver raises is the finding
        _line("FAIL", name, " ".join(str(error).split()) or type(error).__name__)
        return False
    _line("OK", name, detail)
    return True


def _line(verdict: str, name: str, detail: str) -> None:
    click.echo(f"{verdict:<4}  {name:<14}  {detail}")


def _configuration() -> str:
    config = current_app.config
    fallbacks = len(config["SECRET_KEY_FALLBACKS"])
    found = f"{config['ENV']}, {config['PREFERRED_URL_SCHEME']}, {fallbacks} fallback key(s)"
    if config["ENV"] != "production":
        found += " (development: unless set, the secret key is this instance folder's own)"
    return found


def _database() -> str:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return db.engine.url.render_as_string(hide_password=True)


def _schema() -> str:
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines are noise here
    head, current = database.head_revision(), database.database_revision()
    if current != head:
        raise RuntimeError(
            f"at {current or 'no schema'}, the code needs {head}: run `inkwell db upgrade`"
        )
    return f"at {head}"


def _redis() -> str:
    url, timeout = current_app.config["REDIS_URL"], current_app.config["REDIS_SOCKET_TIMEOUT"]
    if not url:
        return "not set: cache and rate limits in each process"
    client = redis.Redis.from_url(
        url, socket_timeout=timeout * 4, socket_connect_timeout=timeout * 4
    )
    client.ping()
    return f"{maybe_sanitize_url(url)} answers PING"


def _broker() -> str:
    url, timeout = (
        current_app.config["CELERY_BROKER_URL"],
        current_app.config["CELERY_BROKER_TIMEOUT"],
    )
    if not url:
        return "not set: tasks run inline in the web process"
    with Connection(url, connect_timeout=timeout) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
        return f"{connection.as_uri()} connected"


def _smtp() -> str:
    config = current_app.config
    if not config["MAIL_SERVER"]:
        return _outbox_folder(Path(config["MAIL_OUTBOX_DIR"]))
    kind = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    with kind(host, port, timeout=config["MAIL_TIMEOUT"]) as server:
        server.ehlo()
        if config["MAIL_USE_TLS"]:
            server.starttls()
            server.ehlo()
        if config.get("MAIL_USERNAME"):
            server.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return f"{host}:{port} answers EHLO" + (" and the login" if config.get("MAIL_USERNAME") else "")


def _outbox_folder(folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    probe = folder / f".{PROBE_KEY}"
    probe.write_text("probe")
    probe.unlink()
    return f"not set: mail written to {folder}"


def _storage(area: str) -> Callable[[], str]:
    def check() -> str:
        target = open_area(current_app.config, area, PROBE_BLOG)
        data = f"inkwell doctor {uuid.uuid4()}".encode()
        target.put_bytes(PROBE_KEY, data, "text/plain", "no-store")
        if target.read(PROBE_KEY) != data:
            raise RuntimeError(f"{target.description}: the probe read back differs")
        target.delete([PROBE_KEY])
        target.clear()  # and the probe's own folder
        return f"{current_app.config[AREAS[area]]} written, read and deleted"

    return check


CHECKS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("configuration", _configuration),
    ("database", _database),
    ("schema", _schema),
    ("redis", _redis),
    ("broker", _broker),
    ("smtp", _smtp),
    *((f"storage {area}", _storage(area)) for area in AREAS),
)
