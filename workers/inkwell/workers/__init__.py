"""Background work on Celery: the app bound to Flask (`celery_app`), the outbox
relay and sweeper (`relay`), mail tasks (`mail`) and the worker entry (`worker`)."""
