from celery import shared_task

from . import services
from .accounts import send_invitations  # noqa: F401  (registered here for the worker)
from .notices import send_event_notices, send_reminders_task  # noqa: F401  (likewise)


@shared_task(name="portal.run_import", acks_late=True, reject_on_worker_lost=True)
def run_import(batch_id: int) -> str:
    return services.run_import(batch_id).status


@shared_task(name="portal.build_document", acks_late=True, reject_on_worker_lost=True)
def build_document(document_id: int) -> str:
    return services.build_document(document_id).status


@shared_task(name="portal.purge_expired_documents")
def purge_expired_documents() -> int:
    return services.purge_expired_documents()


@shared_task(name="portal.purge_expired_previews")
def purge_expired_previews() -> int:
    return services.purge_expired_previews()
