"""The shared shape of every `import_*` command (CONTRACTS.md, "Commands").

The command submits an import batch per file, shows progress, and waits for the result.
Exit status: 0 applied (or would apply, with --dry-run); 1 rejected; 2 wrong usage.
"""

import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.imports.mismatches import name_mismatch_lines
from portal.models import ImportBatch
from portal.services import ImportFileTooLarge, report_lines, submit_import, too_large_message


class ImportCommand(BaseCommand):
    kind = ""
    many_files = False

    def add_arguments(self, parser):
        self.add_target_arguments(parser)
        parser.add_argument(
            "files", nargs="+" if self.many_files else 1, metavar="FILE", help="CSV（UTF-8 或 Big5）或 XLSX 檔案"
        )
        parser.add_argument("--dry-run", action="store_true", help="只驗證並回報，不寫入資料")
        parser.add_argument("--no-wait", action="store_true", help="送出後不等待結果")

    def add_target_arguments(self, parser):
        """Arguments before FILE (for example PLAN LIST)."""

    def options_for(self, options) -> dict:
        """Importer options taken from the command line; raise CommandError(returncode=2) on bad ones."""
        return {}

    def handle(self, *args, **options):
        paths = [Path(f) for f in options["files"]]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"找不到檔案：{path}", returncode=2)
        importer_options = self.options_for(options)
        rejected = False
        for path in paths:
            if len(paths) > 1:
                self.stdout.write(f"{path.name}：")
            if path.stat().st_size > settings.IMPORT_MAX_BYTES:  # refused before a byte is read
                raise CommandError(too_large_message(), returncode=1)
            try:
                with path.open("rb") as handle:  # copied to the batch in pieces, never read whole
                    batch = submit_import(
                        self.kind, path.name, handle, dry_run=options["dry_run"], options=importer_options
                    )
            except ImportFileTooLarge as exc:
                raise CommandError(str(exc), returncode=1) from None
            if batch.status == ImportBatch.Status.PENDING and batch.message:
                raise CommandError(batch.message, returncode=1)
            if options["no_wait"]:
                self.stdout.write(f"已送出匯入批次 #{batch.pk}")
                continue
            rejected |= not self.report(self.wait(batch.pk))
        if rejected:
            sys.exit(1)

    def wait(self, batch_id: int) -> ImportBatch:
        shown = -1
        while True:
            batch = ImportBatch.objects.get(pk=batch_id)
            if batch.is_finished:
                return batch
            if batch.progress != shown and self.stderr.isatty():
                shown = batch.progress
                self.stderr.write(f"\r匯入中… {shown}%", ending="")
            time.sleep(0.2)

    def report(self, batch: ImportBatch) -> bool:
        if batch.status in (ImportBatch.Status.APPLIED, ImportBatch.Status.VALIDATED):
            self.stdout.write(batch.message)
            for line in report_lines(batch):  # corrections and withdrawals (and a dry run's additions)
                self.stdout.write(line)
            for line in name_mismatch_lines(batch):  # IDs paired with another person's name: imported, to check
                self.stderr.write(line)
            return True
        for line in batch.error_lines():
            self.stderr.write(line)
        self.stderr.write(batch.message)
        return False
