"""Alembic environment: migrate the database of Inkwell's configured app.

`inkwell db upgrade` passes its open connection in `config.attributes`; the
`alembic` command line builds the app from the usual configuration instead.
"""

from logging.config import fileConfig

from alembic import context

from inkwell.platform.core.extensions import db
from inkwell.platform.core.migration_env import run_with_connection

config = context.config
if config.config_file_name and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

run_with_connection(context, db.metadata)
