"""The Celery app. Without a broker, tasks run in-process (see settings)."""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def mask_national_ids(logger, **kwargs):
    """A worker sets its own log handlers (not Django's LOGGING): they mask national IDs too,
    so a task's arguments or result (an evaluation chunk) never put one in the worker's log."""
    from portal.nationalid import MaskNationalIdFilter

    for handler in logger.handlers:
        handler.addFilter(MaskNationalIdFilter())
