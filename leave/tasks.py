from celery import shared_task

from . import services


@shared_task(name="leave.lapse_expired")
def lapse_expired() -> int:
    return services.lapse_expired()
