import time

from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, USERS, build_demo


class Command(BaseCommand):
    help = "建立示範資料：高雄市政府（103年年中）及花蓮縣、臺南市兩個小型政府、各角色的帳號與一年的活動（可重複執行）"

    def handle(self, *args, **options):
        from portal.demo_activity import build_activity, lapse_at_demo_date
        from portal.demo_governments import build_hualien, build_tainan
        from programs.loader import load_plans

        started = time.monotonic()
        plans = load_plans()
        self.stdout.write(f"已載入 {len(plans)} 份年度計畫。")
        figures = build_demo()
        self.stdout.write(
            f"示範資料就緒：{figures['agencies']} 個機關、{figures['units']} 個單位、{figures['employees']} 位人員。"
        )
        activity = build_activity()
        if activity:
            self.stdout.write(f"高雄市：學習紀錄 {activity['records']} 筆、論壇統計 {activity['tallies']} 筆、獎勵案 {activity['decisions']} 件、"
                              f"補休核給 {activity['grants']} 筆、補休申請 {activity['applications']} 件、研習推薦 {activity['nominations']} 人次、"
                              f"英語營 {activity['camp']} 人、熠星申請 {activity['proposals']} 件（資料至 {activity['as_of']}）。")
        hualien = build_hualien()
        if hualien:
            self.stdout.write(f"花蓮縣（106年）：學習紀錄 {hualien['records']} 筆、證書 {hualien['certificates']} 張、獎勵案 {hualien['decisions']} 件。")
        tainan = build_tainan()
        if tainan:
            self.stdout.write(f"臺南市（101年）：學習紀錄 {tainan['records']} 筆、論壇統計 {tainan['tallies']} 筆、獎勵案 {tainan['decisions']} 件、"
                              f"補休核給 {tainan['grants']} 筆、補休申請 {tainan['applications']} 件。")
        lapsed = lapse_at_demo_date()
        if lapsed:
            self.stdout.write(f"補休逾期失效 {lapsed} 筆（依示範日期執行每日失效作業）。")
        accounts = "、".join(username for username, *_ in USERS)
        self.stdout.write(f"示範帳號：{accounts}（密碼皆為 {DEMO_PASSWORD}）；示範日期 103年7月15日（make run 設定 PORTAL_TODAY）。")
        self.stdout.write(f"用時 {time.monotonic() - started:.1f} 秒。")
