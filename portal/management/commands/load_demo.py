from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, USERS, build_demo


class Command(BaseCommand):
    help = "建立示範資料：一個市政府、所屬機關與單位、數百位人員及各角色的帳號（可重複執行）"

    def handle(self, *args, **options):
        from portal.demo_activity import build_activity
        from programs.loader import load_plans

        plans = load_plans()
        self.stdout.write(f"已載入 {len(plans)} 份年度計畫。")
        figures = build_demo()
        self.stdout.write(
            f"示範資料就緒：{figures['agencies']} 個機關、{figures['units']} 個單位、{figures['employees']} 位人員。"
        )
        activity = build_activity()
        if activity:
            self.stdout.write(f"示範學習紀錄 {activity['records']} 筆、論壇統計 {activity['tallies']} 筆、獎勵案 {activity['decisions']} 件、"
                              f"補休核給 {activity['grants']} 筆（資料至 {activity['as_of']}）。")
        accounts = "、".join(username for username, *_ in USERS)
        self.stdout.write(f"示範帳號：{accounts}（密碼皆為 {DEMO_PASSWORD}）")
