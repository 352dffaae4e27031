from django.core.management.base import CommandError

from portal.management.importcommand import ImportCommand
from portal.rocdate import RocDateError, period_option


class Command(ImportCommand):
    help = "匯入終身學習入口網站的學習紀錄"
    kind = "records"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--period",
            metavar="START:END",
            help="檔案涵蓋其所列人員在此期間（依學習迄日，含首尾兩日）的全部紀錄，例如 2014-01-01:2014-06-30"
            " 或 103/01/01:103/06/30；期間內檔案已不再列出的紀錄將撤回（保留備查，不再計入）",
        )

    def options_for(self, options) -> dict:
        if options.get("period") is None:
            return {}
        try:
            return {"period": period_option(options["period"])}
        except RocDateError as exc:
            raise CommandError(f"--period：{exc}", returncode=2) from None
