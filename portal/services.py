"""State changes of the organisation side: submitting and running imports."""
import logging

from django.core.files.base import ContentFile
from kombu.exceptions import OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _

from .imports.registry import importer_class
from .models import ImportBatch

log = logging.getLogger(__name__)


class ImportFileTooLarge(ValueError):
    pass


def submit_import(kind: str, file_name: str, data: bytes, *, user=None, dry_run: bool = False,
                  options: dict | None = None) -> ImportBatch:
    """Store the file as an import batch and queue its job (or run it, with tasks in-process)."""
    from django.conf import settings

    from . import tasks

    importer_class(kind)  # unknown kinds fail here, before anything is stored
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ImportFileTooLarge(
            _("檔案過大（上限 %(mb)d MB）。") % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    batch = ImportBatch(kind=kind, file_name=file_name[:255], dry_run=dry_run, options=options or {},
                        created_by=user if getattr(user, "pk", None) else None)
    batch.file.save(file_name.rsplit("/", 1)[-1] or "upload", ContentFile(data), save=False)
    batch.save()
    log.info("import batch %s (%s) submitted", batch.pk, kind)
    # Called in autocommit (commands, views): the batch row is committed before a worker
    # can pick the job up, so no on_commit is needed.
    try:
        tasks.run_import.delay(batch.pk)
    except OperationalError:
        log.warning("import batch %s: broker unreachable, kept pending", batch.pk)
        batch.message = _("排程服務暫時無法連線；檔案已保存為待處理批次，請稍後由管理後台重新執行。")
        batch.save(update_fields=["message"])
    return batch


def retry_import(batch: ImportBatch, force: bool = False) -> ImportBatch:
    """Queue a failed or pending batch again; `force` also takes one a dead worker left running."""
    from . import tasks

    retryable = [ImportBatch.Status.FAILED, ImportBatch.Status.PENDING] + ([ImportBatch.Status.RUNNING] if force else [])
    if ImportBatch.objects.filter(pk=batch.pk, status__in=retryable).update(status=ImportBatch.Status.PENDING, message=""):
        tasks.run_import.delay(batch.pk)
    batch.refresh_from_db()
    return batch


def run_import(batch_id: int) -> ImportBatch:
    """Run one import batch to its end. Safe to run again: a batch that ended stays ended."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.is_finished:
        return batch
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportBatch.Status.RUNNING, started_at=timezone.now(), attempts=batch.attempts + 1, progress=0
    )

    def progress(percent: int) -> None:
        ImportBatch.objects.filter(pk=batch_id).update(progress=percent)

    try:
        with batch.file.open("rb") as handle:
            data = handle.read()
        importer = importer_class(batch.kind)({**batch.options, "batch_id": batch.pk})
        result = importer.run(data, batch.file_name, dry_run=batch.dry_run, progress=progress)
    except Exception:
        log.exception("import batch %s failed", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED, finished_at=timezone.now(),
            message=_("匯入時發生系統錯誤，資料未寫入；請稍後重試或洽系統管理者。"),
        )
        return ImportBatch.objects.get(pk=batch_id)
    batch.refresh_from_db()
    batch.total_rows = result.total_rows
    batch.errors = [e.as_dict() for e in result.errors]
    batch.created_count = result.counts.created
    batch.updated_count = result.counts.updated
    batch.unchanged_count = result.counts.unchanged
    batch.finished_at = timezone.now()
    batch.progress = 100
    if not result.ok:
        batch.status = ImportBatch.Status.REJECTED
        batch.message = _("檔案有 %(n)d 個問題，未匯入任何資料。") % {"n": len(result.errors)}
    else:
        batch.status = ImportBatch.Status.VALIDATED if batch.dry_run else ImportBatch.Status.APPLIED
        batch.message = summary(batch)
    # The upload holds personal data: once the batch has ended, only its report is kept.
    if batch.file:
        batch.file.delete(save=False)
    batch.save()
    log.info("import batch %s ended: %s", batch_id, batch.status)
    return batch


def summary(batch: ImportBatch) -> str:
    verb = _("試算結果") if batch.dry_run else _("匯入完成")
    return _("%(verb)s：共 %(total)d 列，新增 %(created)d、更新 %(updated)d、未變動 %(unchanged)d。") % {
        "verb": verb, "total": batch.total_rows, "created": batch.created_count,
        "updated": batch.updated_count, "unchanged": batch.unchanged_count,
    }
