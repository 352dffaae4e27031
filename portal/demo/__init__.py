"""The demo (`manage.py load_demo`, `make run`): three governments built only through the
doors a person or the scheduler uses — the import commands, `createsuperuser`, the lapse
job, and the pages (the admin's among them), each step on the day the person takes it.

`people` brings in the rosters and opens the log-ins, `kaohsiung` runs Kaohsiung's 103 to
103/07/15, `governments` Tainan's 101 and Hualien's 106; `steps` is what each person does on a page
(HR's decision desk among them). No module here calls a service function.
"""

import datetime as dt
import tempfile
import time
from pathlib import Path

from django.db import transaction

from .people import DEMO_PASSWORD, USERS

__all__ = ["DEMO_PASSWORD", "USERS", "AS_OF", "build", "is_loaded"]

# The demo reads as on 103/07/15 (`make run` serves it with PORTAL_TODAY=2014-07-15).
AS_OF = dt.date(2014, 7, 15)


def is_loaded() -> bool:
    from portal.models import User

    return User.objects.filter(username__in=[username for username, *_ in USERS]).exists()


def build(stdout) -> dict:
    """Build the whole demo in one transaction: a step that fails leaves nothing behind."""
    from .doors import Files, command, in_process, on, pages_observed
    from .governments import build_hualien, build_tainan
    from .kaohsiung import Kaohsiung
    from .people import demo_accounts, import_rosters

    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="portal-demo-") as directory,
        in_process(),
        pages_observed(),
        transaction.atomic(),
    ):
        files = Files(Path(directory))
        roster = import_rosters(files)
        users = demo_accounts(roster)
        from portal.models import Agency, Employee, Unit

        governments = Agency.objects.filter(name__in=["高雄市政府", "花蓮縣政府", "臺南市政府"])
        stdout.write(
            f"示範資料就緒：{Agency.objects.filter(government__in=governments).count() + governments.count()} 個機關、"
            f"{Unit.objects.count()} 個單位、{Employee.objects.count()} 位人員。"
        )
        # In the order of the years: Tainan's 101, Kaohsiung's 103 up to the demo date, then Hualien's 106.
        tainan = build_tainan(files, roster, users)
        stdout.write(
            f"臺南市（101年）：學習紀錄 {tainan['records']} 筆、論壇統計 {tainan['tallies']} 筆、"
            f"獎勵案 {tainan['decisions']} 件、補休核給 {tainan['grants']} 筆、補休申請 {tainan['applications']} 件。"
        )
        kaohsiung = Kaohsiung(files, roster, users).build()
        stdout.write(
            f"高雄市：學習紀錄 {kaohsiung['records']} 筆、論壇統計 {kaohsiung['tallies']} 筆、獎勵案 {kaohsiung['decisions']} 件、"
            f"補休核給 {kaohsiung['grants']} 筆、"
            f"補休申請 {kaohsiung['applications']} 件、研習推薦 {kaohsiung['nominations']} 人次、"
            f"英語營 {kaohsiung['camp']} 人、熠星申請 {kaohsiung['proposals']} 件（資料至 {kaohsiung['as_of']}）。"
        )
        hualien = build_hualien(files, roster, users)
        stdout.write(
            f"花蓮縣（106年）：學習紀錄 {hualien['records']} 筆、證書 {hualien['certificates']} 張、"
            f"獎勵案 {hualien['decisions']} 件。"
        )
        with on(AS_OF):
            # The nightly lapse job, on the demo date: what nobody used in time lapses (a ledger entry).
            stdout.write(command("lapse_leave", "--as-of", AS_OF.isoformat()).strip())
            # The nightly reminders on the demo date (hours lapsing, deadlines, waiting work): printed
            # by the console mail backend, as are the messages of the demo's transitions at commit.
            stdout.write(command("send_reminders", "--as-of", AS_OF.isoformat()).strip())
    accounts = "、".join(username for username, *_ in USERS)
    stdout.write(
        f"示範帳號：{accounts}（密碼皆為 {DEMO_PASSWORD}）；示範日期 103年7月15日（make run 設定 PORTAL_TODAY）。"
    )
    stdout.write(f"用時 {time.monotonic() - started:.1f} 秒。")
    return {"tainan": tainan, "kaohsiung": kaohsiung, "hualien": hualien}
