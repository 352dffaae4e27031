from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, USERS, build_demo


class Command(BaseCommand):
    help = "建立示範資料：一個市政府、所屬機關與單位、數百位人員及各角色的帳號（可重複執行）"

    def handle(self, *args, **options):
        figures = build_demo()
        self.stdout.write(
            f"示範資料就緒：{figures['agencies']} 個機關、{figures['units']} 個單位、{figures['employees']} 位人員。"
        )
        accounts = "、".join(username for username, *_ in USERS)
        self.stdout.write(f"示範帳號：{accounts}（密碼皆為 {DEMO_PASSWORD}）")
