from django.core.management.base import BaseCommand, CommandError

from incentives.refresh import refresh_standings
from programs.models import Plan


class Command(BaseCommand):
    help = "重新整理人員達成情形頁面所用的已儲存評估結果（未指定計畫時整理全部計畫；每晚亦自動執行）"

    def add_arguments(self, parser):
        parser.add_argument("plans", nargs="*", metavar="PLAN")

    def handle(self, *args, **options):
        plans = list(Plan.objects.order_by("pk"))
        if options["plans"]:
            wanted = set(options["plans"])
            missing = wanted - {p.slug for p in plans}
            if missing:
                raise CommandError(f"找不到計畫：{'、'.join(sorted(missing))}", returncode=2)
            plans = [p for p in plans if p.slug in wanted]
        for plan in plans:
            people = refresh_standings(plan)
            self.stdout.write(f"{plan.slug}：已整理 {people} 人")
