"""The `inkwell` management commands, registered in one place.

Each feature keeps its commands beside its views (`admin/<feature>/cli.py`) or
here (`cli/<topic>.py`) as one click group or command: an `AppGroup` whose
subcommands get the app context, or a command with `with_appcontext`. Errors
are one line and a non-zero exit (`cli.args`). `COMMANDS` is the whole list,
but for `doctor`, which `wsgi` adds to the group itself (it loads the app on its
own, to report a configuration that cannot load).
"""

import click
from flask import Flask

from inkwell.platform.web.admin.audit.cli import audit_command
from inkwell.platform.web.admin.domains.cli import domains_cli
from inkwell.platform.web.admin.jobs.cli import jobs_cli
from inkwell.platform.web.admin.quotas.cli import quotas_cli
from inkwell.platform.web.admin.tenants.cli import tenants_cli
from inkwell.platform.web.admin.users.cli import users_cli
from inkwell.platform.web.cli.backup import backup_command, restore_command
from inkwell.platform.web.cli.content import blogs_cli, export_command, import_cli, posts_cli
from inkwell.platform.web.cli.database import db_cli
from inkwell.platform.web.cli.demo import demo_command
from inkwell.platform.web.cli.publish import publish_command
from inkwell.platform.web.cli.scheduler import outbox_cli, scheduler_command

COMMANDS: tuple[click.Command, ...] = (
    db_cli,
    backup_command,
    restore_command,
    users_cli,
    blogs_cli,
    posts_cli,
    import_cli,
    export_command,
    publish_command,
    outbox_cli,
    scheduler_command,
    demo_command,
    tenants_cli,
    quotas_cli,
    jobs_cli,
    audit_command,
    domains_cli,
)


def init_app(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)
