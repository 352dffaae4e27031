from django.core.management.base import BaseCommand, CommandError

from portal import clock
from portal.notices import send_reminders
from portal.registry import MESSAGE_KINDS
from portal.rocdate import RocDateError, parse_date, to_roc_short


class Command(BaseCommand):
    help = "寄送到期提醒（補休即將失效、提報期限、待辦事項）；同一提醒內容未變動不重複寄送。每晚由排程執行"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", help="提醒判斷日（預設今天）")
        parser.add_argument("--dry-run", action="store_true", help="只列出將寄送的提醒，不寄送")

    def handle(self, *args, **options):
        day = clock.today()
        if options["as_of"]:
            try:
                day = parse_date(options["as_of"])
            except RocDateError:
                raise CommandError(
                    f"--as-of 須為日期（YYYY-MM-DD 或民國年月日）：{options['as_of']}", returncode=2
                ) from None
        sent = send_reminders(day, dry_run=options["dry_run"])
        verb = "將寄送" if options["dry_run"] else "已寄送"
        for kind, messages in sent.items():
            self.stdout.write(f"{MESSAGE_KINDS[kind].label}：{verb} {len(messages)} 封")
        total = sum(len(m) for m in sent.values())
        self.stdout.write(f"提醒（{to_roc_short(day)}）：{verb}共 {total} 封。")
