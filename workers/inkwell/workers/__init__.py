"""Background work (Celery app and tasks: mail, publish, schedule).

Empty until the jobs issue lands; it exists so the layer contract is whole.
"""
