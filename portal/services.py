"""State changes of the organisation side: submitting and running imports, generating long documents."""

import contextlib
import datetime as dt
import logging
import shutil
import tempfile

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from . import audit, signals
from .celery import app as celery_app
from .imports.rows import REPORT_ROWS
from .models import GeneratedDocument, ImportBatch
from .registry import DOCUMENT_KINDS, importer_class

log = logging.getLogger(__name__)


def _queue(task_name: str, *args) -> None:
    """Queue a job of portal.tasks by its Celery name (portal.tasks calls this module, not
    the other way round; the portal app loads the tasks when it starts)."""
    celery_app.tasks[task_name].delay(*args)


class ImportFileTooLarge(ValueError):
    pass


def upload_size(data) -> int:
    """The size in bytes of an import file given as bytes or as a (Django or plain) file object."""
    if isinstance(data, (bytes, bytearray)):
        return len(data)
    if getattr(data, "size", None) is not None:
        return data.size
    position = data.tell()
    data.seek(0, 2)
    size = data.tell()
    data.seek(position)
    return size


def too_large_message() -> str:
    """The refusal of a file over IMPORT_MAX_BYTES, in the unit that reads best (MB, or GB)."""
    from django.conf import settings

    limit = settings.IMPORT_MAX_BYTES
    if limit >= 1024**3 and limit % 1024**3 == 0:
        return _("檔案過大（上限 %(gb)d GB）。") % {"gb": limit // 1024**3}
    return _("檔案過大（上限 %(mb)d MB）。") % {"mb": limit // (1024 * 1024)}


def submit_import(
    kind: str,
    file_name: str,
    data,
    *,
    user=None,
    dry_run: bool = False,
    options: dict | None = None,
    preview: bool = False,
    applied_from: ImportBatch | None = None,
) -> ImportBatch:
    """Store the file as an import batch and queue its job (or run it, with tasks in-process).

    `data`: the file's bytes, or a file object (an upload Django streamed to a temporary file, an
    open file): copied to the batch's storage in pieces, never read whole into memory.
    `preview` (with `dry_run`): keep the file once validated, for `apply_preview`, at most
    PREVIEW_RETENTION_HOURS. `applied_from`: the preview batch this one applies.
    Raises ImportFileTooLarge over IMPORT_MAX_BYTES, LookupError for an unknown kind.
    """
    from django.conf import settings

    importer_class(kind)  # unknown kinds fail here, before anything is stored
    size = upload_size(data)
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportFileTooLarge(too_large_message())
    batch = ImportBatch(
        kind=kind,
        file_name=file_name[:255],
        dry_run=dry_run,
        options=options or {},
        preview=preview and dry_run,
        applied_from=applied_from,
        created_by=user if getattr(user, "pk", None) else None,
    )
    content = ContentFile(data) if isinstance(data, (bytes, bytearray)) else File(data)
    batch.file.save(file_name.rsplit("/", 1)[-1] or "upload", content, save=False)
    batch.save()
    # Commands run without a portal user: name the system account that ran manage.py.
    who = "" if batch.created_by_id else audit.command_line(f"匯入 {kind}")
    audit.record(
        batch.created_by,
        "import_submitted",
        batch,
        f"{kind} {batch.file_name}{who}",
        after={
            "kind": kind,
            "file_name": batch.file_name,
            "bytes": size,
            "dry_run": dry_run,
            "options": batch.options,
            **({"preview": True} if batch.preview else {}),
            **({"applied_from": applied_from.pk} if applied_from else {}),
        },
    )
    log.info("import batch %s (%s) submitted", batch.pk, kind)
    # Called in autocommit (commands, views): the batch row is committed before a worker
    # can pick the job up, so no on_commit is needed.
    try:
        _queue("portal.run_import", batch.pk)
    except OperationalError:
        log.warning("import batch %s: broker unreachable, kept pending", batch.pk)
        batch.message = _("排程服務暫時無法連線；檔案已保存為待處理批次，請稍後由管理後台重新執行。")
        batch.save(update_fields=["message"])
    return batch


def retry_import(batch: ImportBatch, force: bool = False) -> ImportBatch:
    """Queue a failed or pending batch again; `force` also takes one a dead worker left running."""
    retryable = [ImportBatch.Status.FAILED, ImportBatch.Status.PENDING] + (
        [ImportBatch.Status.RUNNING] if force else []
    )
    if ImportBatch.objects.filter(pk=batch.pk, status__in=retryable).update(
        status=ImportBatch.Status.PENDING, message=""
    ):
        _queue("portal.run_import", batch.pk)
    batch.refresh_from_db()
    return batch


@contextlib.contextmanager
def _without_waiting_for_disk():
    """Commit without waiting for the disk, on PostgreSQL outside a caller's transaction.

    For progress figures only: each report was a commit that waited for the disk, a tenth
    of a second for an import's dozen reports, and a report lost in a crash is harmless
    (how a job ends is committed normally).
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


def run_import(batch_id: int) -> ImportBatch:
    """Run one import batch to its end. Safe to run again: a batch that ended stays ended."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.is_finished:
        return batch
    ImportBatch.objects.filter(pk=batch_id).update(
        status=ImportBatch.Status.RUNNING, started_at=timezone.now(), attempts=batch.attempts + 1, progress=0
    )

    def progress(percent: int) -> None:
        with _without_waiting_for_disk():
            ImportBatch.objects.filter(pk=batch_id).update(progress=percent)

    def applied(result) -> None:
        # Inside the import's transaction: the rows and their audit entry commit together.
        counts = result.counts
        changes = counts.changes
        withdrawn = {}
        if counts.withdrawals:
            # Withdrawn rows are kept; the entry says which, with their values before.
            withdrawn = {"withdrawn_rows": [{"key": w["key"], "values": w["values"]} for w in counts.withdrawals]}
        audit.record(
            batch.created_by,
            "import_applied",
            batch,
            f"{batch.kind} {batch.file_name}",
            before={
                "status": ImportBatch.Status.RUNNING,
                "changed_rows": [{"key": c["key"], "values": c["before"]} for c in changes],
                **withdrawn,
            },
            after={
                "status": ImportBatch.Status.APPLIED,
                **_figures(result),
                "changed_rows": [{"key": c["key"], "values": c["after"]} for c in changes],
            },
        )

    try:
        importer = importer_class(batch.kind)({**batch.options, "batch_id": batch.pk})
        # Read in place: a CSV row by row, so memory does not grow with the file (README "Performance").
        with batch.file.open("rb") as handle:
            result = importer.run(handle, batch.file_name, dry_run=batch.dry_run, progress=progress, on_applied=applied)
    except Exception:
        log.exception("import batch %s failed", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED,
            finished_at=timezone.now(),
            message=_("匯入時發生系統錯誤，資料未寫入；請稍後重試或洽系統管理者。"),
        )
        audit.record(
            batch.created_by,
            "import_failed",
            batch,
            f"{batch.kind} {batch.file_name}",
            before={"status": ImportBatch.Status.RUNNING},
            after={"status": ImportBatch.Status.FAILED},
        )
        return ImportBatch.objects.get(pk=batch_id)
    batch.refresh_from_db()
    batch.total_rows = result.total_rows
    batch.errors = [e.as_dict() for e in result.errors]
    batch.created_count = result.counts.created
    batch.updated_count = result.counts.updated
    batch.unchanged_count = result.counts.unchanged
    batch.withdrawn_count = result.counts.withdrawn
    batch.report = _report(result.counts) if result.ok else {}
    if result.ok and result.warnings:
        batch.report["name_mismatches"] = result.warnings
    batch.finished_at = timezone.now()
    batch.progress = 100
    if not result.ok:
        batch.status = ImportBatch.Status.REJECTED
        batch.message = _("檔案有 %(n)d 個問題，未匯入任何資料。") % {"n": len(result.errors)}
    else:
        batch.status = ImportBatch.Status.VALIDATED if batch.dry_run else ImportBatch.Status.APPLIED
        batch.message = " ".join([summary(batch), *result.counts.warnings])
    # The upload holds personal data: once the batch has ended, only its report is kept; a
    # validated preview keeps it until HR applies it, or PREVIEW_RETENTION_HOURS at most.
    if batch.preview and batch.status == ImportBatch.Status.VALIDATED:
        batch.keep_until = batch.finished_at + dt.timedelta(hours=settings.PREVIEW_RETENTION_HOURS)
    elif batch.file:
        batch.file.delete(save=False)
    batch.save()
    if batch.status != ImportBatch.Status.APPLIED:  # an applied import was audited with its rows
        audit.record(
            batch.created_by,
            f"import_{batch.status}",
            batch,
            f"{batch.kind} {batch.file_name}",
            before={"status": ImportBatch.Status.RUNNING},
            after={"status": batch.status, **_figures(result), "errors": len(batch.errors)},
        )
    log.info("import batch %s ended: %s", batch_id, batch.status)
    if batch.status == ImportBatch.Status.APPLIED:
        signals.import_applied.send(sender=ImportBatch, batch=batch)
    return batch


def _figures(result) -> dict:
    figures = {
        "total_rows": result.total_rows,
        "created": result.counts.created,
        "updated": result.counts.updated,
        "unchanged": result.counts.unchanged,
    }
    if result.counts.withdrawn:
        figures["withdrawn"] = result.counts.withdrawn
    return figures


def _report(counts) -> dict:
    """ImportBatch.report: what the import added (dry runs), corrected and withdrew, up to
    REPORT_ROWS of each; keys name rows by ids and dates, never by national ID."""
    report = {
        "additions": counts.additions[:REPORT_ROWS],
        "withdrawals": counts.withdrawals[:REPORT_ROWS],
        "corrections": counts.corrections[:REPORT_ROWS],
    }
    return {name: rows for name, rows in report.items() if rows}


def summary(batch: ImportBatch) -> str:
    verb = _("試算結果") if batch.dry_run else _("匯入完成")
    figures = {
        "verb": verb,
        "total": batch.total_rows,
        "created": batch.created_count,
        "updated": batch.updated_count,
        "unchanged": batch.unchanged_count,
        "withdrawn": batch.withdrawn_count,
        "corrected": len(batch.report.get("corrections", [])),
    }
    # Only files complete over a period withdraw: they always say how many (0 included).
    if figures["corrected"]:
        return (
            _(
                "%(verb)s：共 %(total)d 列，新增 %(created)d、更新 %(updated)d、未變動 %(unchanged)d、"
                "撤回 %(withdrawn)d（其中更正 %(corrected)d）。"
            )
            % figures
        )
    if batch.options.get("period") or batch.withdrawn_count:
        return (
            _(
                "%(verb)s：共 %(total)d 列，新增 %(created)d、更新 %(updated)d、未變動 %(unchanged)d、"
                "撤回 %(withdrawn)d。"
            )
            % figures
        )
    return _("%(verb)s：共 %(total)d 列，新增 %(created)d、更新 %(updated)d、未變動 %(unchanged)d。") % figures


def report_lines(batch: ImportBatch) -> list[str]:
    """The batch's additions, corrections and withdrawals as sentences (Traditional Chinese)
    naming people by name only; [] for kinds that report none. Two queries at most."""
    from .models import Employee

    describe = getattr(importer_class(batch.kind), "report_lines", None)
    if describe is None or not batch.report:
        return []
    ids = {entry["key"].get("employee_id") for rows in batch.report.values() for entry in rows}
    names = dict(Employee.objects.filter(pk__in=ids - {None}).values_list("pk", "name"))
    lines = describe(batch.report, names)
    if batch.withdrawn_count > len(batch.report.get("withdrawals", [])) or (
        batch.dry_run and batch.created_count > len(batch.report.get("additions", []))
    ):
        lines.append(_("（僅列出前 %(n)d 筆明細）") % {"n": REPORT_ROWS})
    return lines


def apply_preview(batch: ImportBatch, user) -> ImportBatch:
    """Import a validated preview's kept file as it is, in a new batch (same kind and
    options); the preview's file is deleted then. ValueError (Chinese) when the preview can
    no longer be applied (not validated, already applied, or its file was purged)."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if not locked.can_be_applied:
            raise ValueError(_("此試算批次已套用或檔案已逾保存期限，請重新上傳。"))
        # Copied to a temporary file in pieces (a national export may be gigabytes), then deleted.
        copy = tempfile.TemporaryFile()
        with locked.file.open("rb") as handle:
            shutil.copyfileobj(handle, copy, 1 << 20)
        locked.file.delete(save=False)
        locked.keep_until = None
        locked.save(update_fields=["file", "keep_until"])
    with copy:
        copy.seek(0)
        return submit_import(
            locked.kind, locked.file_name, copy, user=user, options=locked.options, applied_from=locked
        )


def purge_expired_previews(now=None) -> int:
    """Delete the kept files of previews past `keep_until` (they hold personal data); the
    batch and its report stay. Returns how many files were deleted."""
    now = now or timezone.now()
    purged = 0
    for batch in ImportBatch.objects.filter(keep_until__lte=now).exclude(file=""):
        batch.file.delete(save=False)
        batch.keep_until = None
        batch.save(update_fields=["file", "keep_until"])
        purged += 1
    return purged


# Long documents, rendered by a job (CELERY_BROKER_URL unset: in-process). The apps register
# each kind with the function that builds it (portal.registry.register_document).


def request_document(user, kind: str, parameters: dict, title: str) -> GeneratedDocument:
    """Record a request for a document and queue its job; the document page follows its progress."""

    if kind not in DOCUMENT_KINDS:
        raise LookupError(kind)
    document = GeneratedDocument.objects.create(
        kind=kind, title=title[:300], parameters=parameters, requested_by=user if getattr(user, "pk", None) else None
    )
    # Who printed which list of people, and when (the file itself does not outlive its retention).
    audit.record(user, "document.request", document, summary=document.title, after={"kind": kind, **parameters})
    try:
        _queue("portal.build_document", document.pk)
    except OperationalError:
        log.warning("document %s: broker unreachable", document.pk)
        GeneratedDocument.objects.filter(pk=document.pk, status=GeneratedDocument.Status.PENDING).update(
            status=GeneratedDocument.Status.FAILED,
            finished_at=timezone.now(),
            message=_("排程服務暫時無法連線，文件未能產製；請稍後再試。"),
        )
    document.refresh_from_db()
    return document


def build_document(document_id: int) -> GeneratedDocument:
    """Render one requested document to its file. A document that ended stays ended."""
    import datetime as dt

    from django.conf import settings

    document = GeneratedDocument.objects.get(pk=document_id)
    if document.is_finished:
        return document
    GeneratedDocument.objects.filter(pk=document_id).update(
        status=GeneratedDocument.Status.RUNNING, started_at=timezone.now(), progress=0
    )

    def progress(percent: int) -> None:
        with _without_waiting_for_disk():
            GeneratedDocument.objects.filter(pk=document_id).update(progress=min(max(int(percent), 0), 99))

    try:
        data, file_name = DOCUMENT_KINDS[document.kind][0](document, progress)
    except Exception:
        log.exception("document %s failed", document_id)
        GeneratedDocument.objects.filter(pk=document_id).update(
            status=GeneratedDocument.Status.FAILED,
            finished_at=timezone.now(),
            message=_("產製文件時發生系統錯誤；請稍後重試或洽系統管理者。"),
        )
        document.refresh_from_db()
        return document
    document.refresh_from_db()
    document.file.save(file_name, ContentFile(data), save=False)
    now = timezone.now()
    document.file_name, document.status, document.progress = file_name, GeneratedDocument.Status.READY, 100
    document.finished_at = now
    document.expires_at = now + dt.timedelta(hours=settings.DOCUMENT_RETENTION_HOURS)
    document.save()
    log.info("document %s ready (%d bytes)", document_id, len(data))
    return document


def purge_expired_documents(now=None) -> int:
    """Delete the files of documents past their retention (they hold personal data); the record stays."""
    now = now or timezone.now()
    expired = 0
    for document in GeneratedDocument.objects.filter(status=GeneratedDocument.Status.READY, expires_at__lte=now):
        if document.file:
            document.file.delete(save=False)
        document.status, document.message = GeneratedDocument.Status.EXPIRED, _("已逾保存期限，檔案已刪除。")
        document.save(update_fields=["file", "status", "message"])
        expired += 1
    return expired
