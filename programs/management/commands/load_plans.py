from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programs.loader import PlanFileError, load_plans


class Command(BaseCommand):
    help = "載入五份來源計畫（fixtures/plans/）：活動、班別、課程清單、套餐與規則；可重複執行"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="計畫檔（YAML）；省略時載入 fixtures/plans/ 的五份來源計畫")

    def handle(self, *args, **options):
        try:
            plans = load_plans([Path(f) for f in options["files"]] or None)
        except PlanFileError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError(f"計畫規則有 {len(error.messages)} 處錯誤，未載入任何計畫。") from error
        for plan in plans:
            self.stdout.write(f"{plan.slug}：{plan.title}（{plan.activities.count()} 項活動）")
