from celery import shared_task

from . import services


@shared_task(name="portal.run_import", acks_late=True, reject_on_worker_lost=True)
def run_import(batch_id: int) -> str:
    return services.run_import(batch_id).status
