"""Celery configured from a Flask app (the Flask documentation's pattern): every
task runs inside that app's context, and the settings give at-least-once
delivery. Without CELERY_BROKER_URL tasks run inline, right after the commit
that asked for them (the relay publishes after the commit)."""

import logging
from typing import Any

from celery import Celery, Task, signals
from flask import Blueprint, Flask
from flask.config import Config

from inkwell.platform.core import request_ids
from inkwell.workers import (
    beat,
    imports,
    mail,
    media,
    newsletter,
    publish,
    relay,
    schedule,
    websub,
)

# `newsletter` apart from `mail`: a big send never delays a password reset;
# `imports` apart from `media`: a 10,000-post import never delays a thumbnail.
QUEUES = ("mail", "publish", "media", "newsletter", "imports")


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _log_context(logger: logging.Logger, **_kwargs: Any) -> None:
    """Celery replaces the root logger's handlers with its own: give them the
    web's format, so worker lines carry the tenant (a publish's blog) too."""
    for handler in logger.handlers:
        request_ids.install(handler)


def celery_init_app(app: Flask) -> Celery:
    """Bind a Celery app to `app`, stored as `app.extensions["celery"]`."""

    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    celery.conf.update(_settings(app.config))
    celery.set_default()
    app.extensions["celery"] = celery
    # The mail templates live with the tasks that render them.
    app.register_blueprint(Blueprint("workers", __name__, template_folder="templates"))
    relay.init_app(app)
    return celery


def _settings(config: Config) -> dict[str, Any]:
    broker, timeout = config["CELERY_BROKER_URL"], config["CELERY_BROKER_TIMEOUT"]
    return {
        "broker_url": broker or "memory://localhost/",
        "task_always_eager": not broker,
        "task_ignore_result": True,
        "task_default_queue": "mail",
        "task_routes": {
            f"{mail.__name__}.*": {"queue": "mail"},
            f"{relay.__name__}.*": {"queue": "mail"},
            f"{websub.__name__}.*": {"queue": "mail"},  # short HTTP calls, like mail
            f"{publish.__name__}.*": {"queue": "publish"},
            f"{media.__name__}.*": {"queue": "media"},
            # Confirmations are short and awaited, like account mail; sends are bulk.
            newsletter.send_confirmation.name: {"queue": "mail"},
            f"{newsletter.__name__}.*": {"queue": "newsletter"},
            imports.resume_imports_task.name: {"queue": "mail"},  # a short sweep
            f"{imports.__name__}.*": {"queue": "imports"},
        },
        # A publish of a big blog to S3 takes minutes, not a mail's seconds.
        "task_annotations": {
            publish.publish_mirror.name: {
                "soft_time_limit": config["MIRROR_SOFT_TIME_LIMIT"],
                "time_limit": config["MIRROR_TIME_LIMIT"],
            },
            imports.run_import.name: {
                "soft_time_limit": max(1, config["IMPORT_TIME_LIMIT"] - 30),
                "time_limit": config["IMPORT_TIME_LIMIT"],
            },
        },
        # At least once: acknowledge only after the task ran, and give a task back
        # to the broker when its worker process dies mid-task.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_soft_time_limit": config["CELERY_TASK_SOFT_TIME_LIMIT"],
        "task_time_limit": config["CELERY_TASK_TIME_LIMIT"],
        "broker_connection_timeout": timeout,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {
            "visibility_timeout": config["CELERY_VISIBILITY_TIMEOUT"],
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
        },
        # One line per broker outage instead of a traceback per due task.
        "beat_scheduler": f"{beat.__name__}:QuietScheduler",
        "beat_schedule": {
            "sweep-outbox": {
                "task": relay.sweep_outbox.name,
                "schedule": config["OUTBOX_SWEEP_INTERVAL"],
            },
            "publish-due-posts": {
                "task": schedule.publish_due_posts.name,
                "schedule": config["SCHEDULE_INTERVAL"],
            },
            "dispatch-mirror-publishes": {
                "task": schedule.dispatch_mirror_publishes.name,
                "schedule": config["MIRROR_DISPATCH_INTERVAL"],
            },
            "purge-deleted-blogs": {
                "task": schedule.purge_deleted_blogs.name,
                "schedule": config["TENANT_PURGE_INTERVAL"],
            },
            "prune-post-revisions": {
                "task": schedule.prune_post_revisions.name,
                "schedule": config["TENANT_PURGE_INTERVAL"],
            },
            # Domains verified or removed, blogs suspended: the fallback follows.
            "write-nginx-map": {
                "task": schedule.write_nginx_map.name,
                "schedule": config["NGINX_MAP_INTERVAL"],
            },
            "resume-newsletter-sends": {
                "task": newsletter.resume_sends_task.name,
                "schedule": config["NEWSLETTER_SWEEP_INTERVAL"],
            },
            "resume-imports": {
                "task": imports.resume_imports_task.name,
                "schedule": config["IMPORT_SWEEP_INTERVAL"],
            },
            "expire-domain-claims": {
                "task": schedule.expire_domain_claims.name,
                "schedule": config["TENANT_PURGE_INTERVAL"],
            },
        },
    }
