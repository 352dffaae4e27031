"""A year in the life of an HR office, from an empty database, through the portal's own doors.

Only URLs (the test client, signed in through the log-in page) and management commands:
no service function is called. Each step happens on the day its person acts
(`PORTAL_TODAY`). The data keeps clear of the rule faults issue #10 corrects: whole hours,
no course on a tier's boundary, no record on a window's edge.
"""
import datetime as dt
import json

import pytest

from incentives.models import Decision
from leave.models import Application, Entry
from portal.models import Employee, Unit
from tests.doors import add_account, command, first_hr, import_file, messages_of, on
from tests.importing import csv_bytes

ROSTER_HEADER = "身分證字號,姓名,機關名稱,上級機關,單位,職稱,官等,人員類別,推動角色"
RECORDS_HEADER = "身分證字號,姓名,課程名稱,學習迄日,完成時間,學習時數,學習性質,開課機關"


def person(national_id: str) -> Employee:
    return Employee.objects.get(national_id=national_id)


def ledger(plan: str, as_of: str) -> dict:
    return {p["national_id"]: p for p in json.loads(command("leave_ledger", "--plan", plan, "--as-of", as_of, "--json"))["people"]}


# -- Tainan 101 ----------------------------------------------------------------------------------

def _tn_ids():
    """Valid national IDs for the Tainan staff (checksums computed, not typed)."""
    from portal import nationalid

    return {key: nationalid.make(prefix, 5000000 + n) for n, (key, prefix) in
            enumerate([("wang", "D1"), ("lin", "D2"), ("chen", "D1"), ("li", "D2"), ("chang", "D1")])}


@pytest.fixture
def tainan_year(db, tmp_path):
    ids = _tn_ids()
    with on("2012-01-10"):
        command("load_plans")
        hr = first_hr("tnhr")
        import_file(tmp_path, "import_roster", "roster.csv", csv_bytes(
            ROSTER_HEADER,
            f"{ids['wang']},王小明,臺南市政府人事處,臺南市政府,考訓科,科員,薦任,編制內,",
            f"{ids['lin']},林美玲,臺南市政府人事處,臺南市政府,考訓科,科長,薦任,編制內,單位主管",
            f"{ids['chen']},陳大文,臺南市政府人事處,臺南市政府,考訓科,科員,委任,編制內,",
            f"{ids['li']},李小華,臺南市政府人事處,臺南市政府,考訓科,專員,薦任,編制內,",
            f"{ids['chang']},張志明,臺南市政府人事處,臺南市政府,考訓科,科員,委任,編制內,"))
        # HR fills 附件4, the policy-course list the seed does not reproduce.
        import_file(tmp_path, "import_course_list", "policy.csv",
                    csv_bytes("課程名稱,認證時數", "國土計畫概論,5", "公務員廉政倫理,4"), "tainan-101", "policy-courses")
        unit = Unit.objects.get(name="考訓科", agency__name="臺南市政府人事處")
        accounts = {
            "hr": hr,
            "wang": add_account(hr, "wang", "employee", employee=person(ids["wang"])),
            "lin": add_account(hr, "lin", "supervisor", employee=person(ids["lin"]), headed_units=[unit]),
            "coord": add_account(hr, "tncoord", "coordinator", agencies=[unit.agency]),
        }
    return {"ids": ids, "accounts": accounts, "tmp": tmp_path}


def test_a_tainan_101_leave_year(tainan_year):
    ids, who, tmp = tainan_year["ids"], tainan_year["accounts"], tainan_year["tmp"]
    # June: the first export. Wang has 40 digital hours on a working day and a policy course on a Saturday.
    with on("2012-06-01"):
        out = import_file(tmp, "import_records", "records-2012-05.csv", csv_bytes(
            RECORDS_HEADER,
            f"{ids['wang']},王小明,數位學習大補帖,101/02/02,10:00,40,數位,e等公務園",
            f"{ids['wang']},王小明,國土計畫概論,101/03/10,10:00,5,數位,e等公務園"))
        assert out.strip() == "匯入完成：共 2 列，新增 2、更新 0、未變動 0。"
        page = who["wang"].get("/leave/")
        assert "101年6月1日 可用 5 小時" in page.content.decode()
    # August: the next export adds a Sunday course; the ledger gives 3 of its 4 hours (8-hour cap).
    with on("2012-08-20"):
        import_file(tmp, "import_records", "records-2012-07.csv", csv_bytes(
            RECORDS_HEADER,
            f"{ids['wang']},王小明,數位學習大補帖,101/02/02,10:00,40,數位,e等公務園",
            f"{ids['wang']},王小明,國土計畫概論,101/03/10,10:00,5,數位,e等公務園",
            f"{ids['wang']},王小明,公務員廉政倫理,101/04/15,15:00,4,數位,e等公務園"))
        assert sorted(Entry.objects.filter(kind="grant").values_list("hours", flat=True)) == [3, 5]
        # Wang applies two weeks ahead (柒、四、（六）、1) for a Thursday morning.
        applied = who["wang"].post("/leave/", {"plan": Entry.objects.first().plan_id, "leave_date": "2012-09-06",
                                               "starts_at": "08:30", "ends_at": "12:30"}, follow=True)
        assert messages_of(applied) == ["已送出補休申請，待單位主管於線上核章。"]
    with on("2012-08-21"):
        application = Application.objects.get()
        approved = who["lin"].post("/leave/approvals/", {"application": application.pk, "decision": "approve"}, follow=True)
        assert messages_of(approved) == ["已核章：王小明"]
        registered = who["hr"].post("/leave/registrations/", {"application": [application.pk]}, follow=True)
        assert messages_of(registered) == ["已登記 1 件。"]
    application.refresh_from_db()
    assert (application.status, application.hours, application.decided_by.username, application.registered_by.username) == (
        "registered", 4, "lin", "tnhr")
    # The printed form names who approved online.
    with on("2012-08-21"):
        pdf = who["wang"].get(f"/leave/applications/{application.pk}/form.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # Year end: the nightly lapse job (here by hand) and the ledger.
    before_job = ledger("tainan-101", "2012-12-31")[ids["wang"]]
    assert command("lapse_leave", "--as-of", "2012-12-31").strip() == "補休失效紀錄：新增 2 筆（至 101/12/31）。"
    after_job = ledger("tainan-101", "2012-12-31")[ids["wang"]]
    assert before_job == after_job
    assert (after_job["granted"], after_job["used"], after_job["lapsed"], after_job["balance"]) == (8.0, 4.0, 4.0, 0.0)
    assert [(g["hours"], g["used"], g["lapsed"], g["courses"]) for g in after_job["grants"]] == [
        (5.0, 4.0, 1.0, ["國土計畫概論"]), (3.0, 0.0, 3.0, ["公務員廉政倫理"])]
