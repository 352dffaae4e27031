from django.core.management.base import BaseCommand, CommandError

from portal import clock
from portal.rocdate import to_roc_short

from ... import services
from ._options import as_of


class Command(BaseCommand):
    help = "為使用期限已過、未使用的補休時數寫入失效紀錄（可重複執行）"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="失效判斷日（預設今天，不得晚於今天）")

    def handle(self, *args, **options):
        day = as_of(options["as_of"]) or clock.today()
        try:
            written = services.lapse_leave(day)
        except services.LapseInFuture:
            raise CommandError(
                f"--as-of 不得晚於今天（{to_roc_short(clock.today())}）：時數不會提前失效。", returncode=2
            ) from None
        self.stdout.write(f"補休失效紀錄：新增 {written} 筆（至 {to_roc_short(day)}）。")
