from django.core.management import call_command
from django.core.management.base import BaseCommand

from portal import demo


class Command(BaseCommand):
    help = (
        "建立示範資料：高雄市政府（103年年中）及花蓮縣、臺南市兩個小型政府、各角色的帳號與一年的活動（已存在則不重建）"
    )

    def handle(self, *args, **options):
        call_command("load_plans", stdout=self.stdout)
        if demo.is_loaded():
            self.stdout.write("示範資料已存在，未重建（示範帳號密碼皆為 %s）。" % demo.DEMO_PASSWORD)
            return
        demo.build(self.stdout)
