"""The worker's entry point:

    celery -A inkwell.workers.worker worker -Q mail,publish,media
    celery -A inkwell.workers.worker beat     # the schedule: sweeper, due posts, mirrors, purges

It binds Celery to a base app (configuration, database, mail), not the web app;
a configuration that cannot work stops it with one line per mistake.
"""

import sys

from inkwell.platform.core.app import create_base_app
from inkwell.platform.core.config import ConfigError
from inkwell.workers.celery_app import celery_init_app

try:
    celery = celery_init_app(create_base_app(__name__))
except ConfigError as error:  # every mistake, one line each, not a traceback
    sys.exit(error.report())
