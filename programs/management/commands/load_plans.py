from django.core.management.base import BaseCommand

from programs.loader import load_plans


class Command(BaseCommand):
    help = "載入五份來源計畫（fixtures/plans/）：活動、班別、課程清單、套餐與規則；可重複執行"

    def handle(self, *args, **options):
        for plan in load_plans():
            self.stdout.write(f"{plan.slug}：{plan.title}（{plan.activities.count()} 項活動）")
