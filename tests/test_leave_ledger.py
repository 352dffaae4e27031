"""The leave ledger reached through the portal's own doors: imports grant by themselves, the
cap holds across imports in any order, hours keep two decimals, lapse is right on any date,
and `grant_leave`, `lapse_leave`, `leave_ledger --json` behave as CONTRACTS.md says.

Tainan 101 (柒、四): policy courses completed on whole days off (2012 has no office
calendar in the portal, so Saturdays and Sundays are the days off), once 5 digital and 40
total hours are reached inside 101/01/01–101/09/30; 8 hours at most; usable from the day
after completion for 6 months and never after 101/12/28.
"""

import io
import json

import pytest
from django.core.management import call_command

from leave.models import Entry, GrantReview
from portal import clock, rocdate
from tests.importing import csv_bytes, run_command

ALICE, BOB = "A123456789", "F234567898"
ROSTER = csv_bytes(
    "身分證字號,姓名,機關名稱,上級機關,單位,職稱,官等,人員類別",
    f"{ALICE},王小明,臺南市政府人事處,臺南市政府,考訓科,科員,薦任,編制內",
    f"{BOB},林美玲,臺南市政府人事處,臺南市政府,考訓科,科員,薦任,編制內",
)
POLICY = csv_bytes("課程名稱,認證時數", "國土計畫概論,5", "公務員廉政倫理,4", "性別主流化概論,1.25")
RECORDS = "身分證字號,姓名,課程名稱,學習迄日,完成時間,學習時數,學習性質"
# 40 digital hours on a working day (Thursday): they open the entitlement, they are no policy course.
BASE = f"{ALICE},王小明,數位學習大補帖,101/02/02,10:00,40,數位"
LAND = f"{ALICE},王小明,國土計畫概論,101/03/10,10:00,5,數位"  # Saturday
ETHICS = f"{ALICE},王小明,公務員廉政倫理,101/04/15,15:00,4,數位"  # Sunday
GENDER = f"{ALICE},王小明,性別主流化概論,101/05/05,09:00,1.25,數位"  # Saturday


def command(name, *args) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def ledger(*args) -> dict:
    return json.loads(command("leave_ledger", "--json", *args))


@pytest.fixture
def tainan(db, tmp_path):
    call_command("load_plans", stdout=io.StringIO())
    assert run_command("import_roster", tmp_path, ROSTER, "roster.csv")[0] == 0
    assert run_command("import_course_list", tmp_path, POLICY, "policy.csv", "tainan-101", "policy-courses")[0] == 0
    return tmp_path


def import_records(tmp_path, *rows, name="records.csv"):
    code, out, err = run_command("import_records", tmp_path, csv_bytes(RECORDS, *rows), name)
    assert (code, err) == (0, ""), err
    return out


def grants():
    return list(Entry.objects.filter(kind="grant").order_by("pk").values_list("hours", "grant_key"))


def test_an_import_grants_by_itself_and_a_second_run_changes_nothing(tainan):
    import_records(tainan, BASE, LAND)
    assert [float(h) for h, _k in grants()] == [5.0]
    today = rocdate.to_roc_short(clock.today())
    assert (
        command("grant_leave", "tainan-101")
        == f"tainan-101（計算至 {today}）已核給補休 0 筆、共 0 小時；送人事複核 0 筆。\n"
    )
    assert [float(h) for h, _k in grants()] == [5.0]


@pytest.mark.parametrize(
    "first, second, expected",
    [
        ((BASE, LAND), (BASE, LAND, ETHICS), [5.0, 3.0]),  # the later export adds Sunday's 4 h: 3 h fit under 8
        ((BASE, ETHICS), (BASE, LAND, ETHICS), [4.0, 4.0]),  # the other order: the earlier 5 h course gets 4 h
    ],
)
def test_the_cap_holds_across_two_imports_in_either_order(tainan, first, second, expected):
    import_records(tainan, *first, name="march.csv")
    import_records(tainan, *second, name="april.csv")
    assert [float(h) for h, _k in grants()] == expected
    person = ledger("--plan", "tainan-101", "--as-of", "2012-06-30")["people"][0]
    assert (person["granted"], person["balance"]) == (8.0, 8.0)
    # The evaluation agrees on the total: the cap is the same 8 hours, whatever the order.
    evaluation = json.loads(command("evaluate", "tainan-101", "--as-of", "2012-09-30", "--json"))
    assert [p["leave_hours"] for p in evaluation["people"] if p["national_id"] == ALICE] == [8.0]


def test_a_quarter_hour_course_keeps_two_decimals(tainan):
    # 1.25 h: SQLite once rounded it to 1.2 and PostgreSQL to 1.3 (one decimal); now 1.25 in both.
    import_records(tainan, BASE, GENDER)
    assert [str(h) for h, _k in grants()] == ["1.25"]
    grant = ledger("--as-of", "2012-06-30")["people"][0]["grants"][0]
    assert (grant["hours"], grant["remaining"], grant["usable_from"], grant["usable_until"]) == (
        1.25,
        1.25,
        "2012-05-06",
        "2012-11-05",
    )


def test_leave_ledger_json_matches_the_contract_field_by_field(tainan):
    import_records(tainan, BASE, LAND, ETHICS)
    assert ledger("--as-of", "2012-03-10") == {
        "as_of": "2012-03-10",
        "people": [
            {
                "national_id": ALICE,
                "plan": "tainan-101",
                "granted": 5.0,
                "used": 0.0,
                "lapsed": 0.0,
                "balance": 5.0,
                "grants": [
                    {
                        "hours": 5.0,
                        "usable_from": "2012-03-11",
                        "usable_until": "2012-09-10",
                        "used": 0.0,
                        "lapsed": 0.0,
                        "remaining": 5.0,
                        "under_review": False,
                        "courses": ["國土計畫概論"],
                    }
                ],
            }
        ],
    }
    assert ledger("--as-of", "2012-12-31")["people"][0]["grants"][1] == {
        "hours": 3.0,
        "usable_from": "2012-04-16",
        "usable_until": "2012-10-15",
        "used": 0.0,
        "lapsed": 3.0,
        "remaining": 0.0,
        "under_review": False,
        "courses": ["公務員廉政倫理"],
    }
    assert ledger("--as-of", "2012-01-31") == {"as_of": "2012-01-31", "people": []}


def test_lapse_is_right_with_and_without_the_job_and_the_job_runs_once(tainan):
    import_records(tainan, BASE, LAND, ETHICS)
    before_job = ledger("--as-of", "2012-12-31")
    person = before_job["people"][0]
    assert (person["granted"], person["used"], person["lapsed"], person["balance"]) == (8.0, 0.0, 8.0, 0.0)
    assert Entry.objects.filter(kind="lapse").count() == 0
    assert command("lapse_leave", "--as-of", "2012-09-11") == "補休失效紀錄：新增 1 筆（至 101/09/11）。\n"
    assert command("lapse_leave", "--as-of", "2012-09-11") == "補休失效紀錄：新增 0 筆（至 101/09/11）。\n"
    # Between the two lapse days: the first grant lapsed (the job wrote it), the second not yet.
    middle = ledger("--as-of", "2012-09-11")["people"][0]
    assert (middle["lapsed"], middle["balance"]) == (5.0, 3.0)
    assert command("lapse_leave", "--as-of", "2012-12-31") == "補休失效紀錄：新增 1 筆（至 101/12/31）。\n"
    assert command("lapse_leave", "--as-of", "2012-12-31") == "補休失效紀錄：新增 0 筆（至 101/12/31）。\n"
    assert ledger("--as-of", "2012-12-31") == before_job
    assert sorted(float(h) for h in Entry.objects.filter(kind="lapse").values_list("hours", flat=True)) == [-5.0, -3.0]


def test_lapse_leave_refuses_a_date_after_today(tainan):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as error:
        call_command("lapse_leave", "--as-of", "2999-01-01", stdout=io.StringIO())
    assert error.value.returncode == 2
    assert "不得晚於今天" in str(error.value)


def test_grant_leave_dry_run_writes_nothing(tainan):
    import_records(tainan, BASE)  # no policy course yet: nothing granted
    Entry.objects.all().delete()
    out = command("grant_leave", "tainan-101", "--as-of", "2012-09-30", "--dry-run")
    assert out.startswith("tainan-101（計算至 101/09/30）將核給補休 0 筆")
    assert GrantReview.objects.count() == 0


def test_a_record_that_stops_qualifying_puts_its_grant_before_hr(tainan, client):
    """HR corrects the policy-course list: 國土計畫概論 was never on 附件4."""
    from portal.models import Role
    from tests.factories import UserFactory

    import_records(tainan, BASE, LAND)
    corrected = csv_bytes("課程名稱,認證時數", "公務員廉政倫理,4", "性別主流化概論,1.25")
    code, _out, err = run_command(
        "import_course_list", tainan, corrected, "policy2.csv", "tainan-101", "policy-courses"
    )
    assert (code, err) == (0, "")
    review = GrantReview.objects.get()
    assert (review.status, review.reason) == (
        "open",
        "課程「國土計畫概論」（101年3月10日完成）依最新資料已不符合本項補休條件"
        "（例如已非公餘時間、不在課程清單或未達門檻）",
    )
    assert ledger("--as-of", "2012-06-30")["people"][0]["grants"][0]["under_review"] is True
    # A second run does not open a second review.
    command("grant_leave", "tainan-101")
    assert GrantReview.objects.count() == 1
    hr = UserFactory(role=Role.HR, is_staff=True)
    client.force_login(hr)
    page = client.get("/leave/reviews/").content.decode()
    assert "國土計畫概論" in page
    refused = client.post("/leave/reviews/", {"review": review.pk, "decision": "withdraw", "note": ""}, follow=True)
    assert [str(m) for m in refused.context["messages"]] == ["撤銷核給時請填寫理由。"]
    client.post("/leave/reviews/", {"review": review.pk, "decision": "withdraw", "note": "當日公假，非公餘時間"})
    person = ledger("--as-of", "2012-06-30")["people"][0]
    assert (person["granted"], person["balance"], person["grants"][0]["under_review"]) == (0.0, 0.0, False)
    assert list(Entry.objects.filter(kind="reversal").values_list("hours", "text")) == [
        (-5, "人事複核撤銷核給：當日公假，非公餘時間")
    ]


def test_a_corrected_export_counts_the_course_once_and_puts_its_grant_before_hr(tainan):
    """The portal corrects 國土計畫概論's completion day (a Saturday, then the Sunday after);
    the July export, complete for Wang over 101/01/01–101/06/30, says so."""
    import_records(tainan, BASE, LAND)
    assert [float(h) for h, _k in grants()] == [5.0]
    corrected = f"{ALICE},王小明,國土計畫概論,101/03/11,10:00,5,數位"
    code, out, err = run_command(
        "import_records", tainan, csv_bytes(RECORDS, BASE, corrected), "july.csv", "--period", "2012-01-01:2012-06-30"
    )
    assert (code, err) == (0, "")
    assert "更正：課程「國土計畫概論」完成日期 101/03/10 → 101/03/11（王小明）" in out
    # Hours counted once: the evaluation sees one 5-hour course, not two.
    evaluation = json.loads(command("evaluate", "tainan-101", "--as-of", "2012-09-30", "--json"))
    assert [p["leave_hours"] for p in evaluation["people"] if p["national_id"] == ALICE] == [5.0]
    # The grant rests on the withdrawn record: before HR, still counted and usable; no second grant.
    review = GrantReview.objects.get()
    assert (review.status, review.reason) == (
        "open",
        "學習紀錄「國土計畫概論」（101年3月10日完成）已由後來匯入的資料撤回或更正",
    )
    person = ledger("--as-of", "2012-06-30")["people"][0]
    assert (
        person["granted"],
        person["balance"],
        [g["under_review"] for g in person["grants"]],
        [g["courses"] for g in person["grants"]],
    ) == (5.0, 5.0, [True], [["國土計畫概論"]])
    assert [float(h) for h, _k in grants()] == [5.0]
    # HR keeps it: the review closes and nothing else changes; the next run grants nothing new.
    from django.test import Client

    from portal.models import Role
    from tests.factories import UserFactory

    hr = Client()
    hr.force_login(UserFactory(role=Role.HR, is_staff=True))
    hr.post("/leave/reviews/", {"review": review.pk, "decision": "keep", "note": "同一門課程，完成日期更正"})
    assert GrantReview.objects.get().status == "kept"
    command("grant_leave", "tainan-101")
    person = ledger("--as-of", "2012-06-30")["people"][0]
    assert (person["granted"], [g["under_review"] for g in person["grants"]]) == (5.0, [False])
    assert GrantReview.objects.count() == 1


def test_grants_are_the_same_whatever_the_chunk_of_people(tainan, settings):
    """The grant run reads a chunk of people at a time (issue 20): chunks of one person give
    the grants one chunk of everyone gives, with the same few queries for each chunk."""
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from leave.services import entitlements
    from programs.models import Plan

    bob = [
        f"{BOB},林美玲,數位學習大補帖,101/02/02,10:00,40,數位",
        f"{BOB},林美玲,公務員廉政倫理,101/04/15,15:00,4,數位",
    ]
    import_records(tainan, BASE, LAND, ETHICS, *bob)
    plan = Plan.objects.get(slug="tainan-101")
    as_of = dt.date(2012, 12, 31)
    settings.EVALUATION_CHUNK_SIZE = 1000
    with CaptureQueriesContext(connection) as whole:
        together = entitlements(plan, as_of)
    settings.EVALUATION_CHUNK_SIZE = 1
    with CaptureQueriesContext(connection) as chunked:
        one_by_one = entitlements(plan, as_of)
    assert one_by_one == together
    assert sorted(sum(g.hours for g in grants) for grants in together.values()) == [4, 9]  # Bob 4 h, Alice 5 + 4 h
    # One more chunk (two of one person against one of two) and the empty roster that ends
    # them: a chunk's 4 queries (its roster, the window's other hours, the attendance periods,
    # the policy courses' records) and one.
    assert len(chunked.captured_queries) - len(whole.captured_queries) == 4 + 1
