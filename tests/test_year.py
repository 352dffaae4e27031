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


def national_ids(people: list[tuple[str, str]], serial: int) -> dict[str, str]:
    """Valid national IDs for (key, prefix) pairs (checksums computed, not typed)."""
    from portal import nationalid

    return {key: nationalid.make(prefix, serial + n) for n, (key, prefix) in enumerate(people)}


def open_office(tmp_path, hr_username: str, roster_rows: list[str]):
    """A new HR office's first day: the plans, its first account (createsuperuser), its roster."""
    command("load_plans")
    hr = first_hr(hr_username)
    import_file(tmp_path, "import_roster", "roster.csv", csv_bytes(ROSTER_HEADER, *roster_rows))
    return hr


def ledger(plan: str, as_of: str) -> dict:
    return {
        p["national_id"]: p
        for p in json.loads(command("leave_ledger", "--plan", plan, "--as-of", as_of, "--json"))["people"]
    }


# -- Tainan 101 ----------------------------------------------------------------------------------


@pytest.fixture
def tainan_year(db, tmp_path):
    ids = national_ids([("wang", "D1"), ("lin", "D2"), ("chen", "D1"), ("li", "D2"), ("chang", "D1")], 5000000)
    with on("2012-01-10"):
        hr = open_office(
            tmp_path,
            "tnhr",
            [
                f"{ids['wang']},王小明,臺南市政府人事處,臺南市政府,考訓科,科員,薦任,編制內,",
                f"{ids['lin']},林美玲,臺南市政府人事處,臺南市政府,考訓科,科長,薦任,編制內,單位主管",
                f"{ids['chen']},陳大文,臺南市政府人事處,臺南市政府,考訓科,科員,委任,編制內,",
                f"{ids['li']},李小華,臺南市政府人事處,臺南市政府,考訓科,專員,薦任,編制內,",
                f"{ids['chang']},張志明,臺南市政府人事處,臺南市政府,考訓科,科員,委任,編制內,",
            ],
        )
        # HR fills 附件4, the policy-course list the seed does not reproduce.
        import_file(
            tmp_path,
            "import_course_list",
            "policy.csv",
            csv_bytes("課程名稱,認證時數", "國土計畫概論,5", "公務員廉政倫理,4"),
            "tainan-101",
            "policy-courses",
        )
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
        out = import_file(
            tmp,
            "import_records",
            "records-2012-05.csv",
            csv_bytes(
                RECORDS_HEADER,
                f"{ids['wang']},王小明,數位學習大補帖,101/02/02,10:00,40,數位,e等公務園",
                f"{ids['wang']},王小明,國土計畫概論,101/03/10,10:00,5,數位,e等公務園",
            ),
        )
        assert out.strip() == "匯入完成：共 2 列，新增 2、更新 0、未變動 0。"
        page = who["wang"].get("/leave/")
        assert "101年6月1日 可用 5 小時" in page.content.decode()
    # August: the next export adds a Sunday course; the ledger gives 3 of its 4 hours (8-hour cap).
    with on("2012-08-20"):
        import_file(
            tmp,
            "import_records",
            "records-2012-07.csv",
            csv_bytes(
                RECORDS_HEADER,
                f"{ids['wang']},王小明,數位學習大補帖,101/02/02,10:00,40,數位,e等公務園",
                f"{ids['wang']},王小明,國土計畫概論,101/03/10,10:00,5,數位,e等公務園",
                f"{ids['wang']},王小明,公務員廉政倫理,101/04/15,15:00,4,數位,e等公務園",
            ),
        )
        assert sorted(Entry.objects.filter(kind="grant").values_list("hours", flat=True)) == [3, 5]
        # Wang applies two weeks ahead (柒、四、（六）、1) for a Thursday morning.
        applied = who["wang"].post(
            "/leave/",
            {
                "plan": Entry.objects.first().plan_id,
                "leave_date": "2012-09-06",
                "starts_at": "08:30",
                "ends_at": "12:30",
            },
            follow=True,
        )
        assert messages_of(applied) == ["已送出補休申請，待單位主管於線上核章。"]
    with on("2012-08-21"):
        application = Application.objects.get()
        approved = who["lin"].post(
            "/leave/approvals/", {"application": application.pk, "decision": "approve"}, follow=True
        )
        assert messages_of(approved) == ["已核章：王小明"]
        registered = who["hr"].post("/leave/registrations/", {"application": [application.pk]}, follow=True)
        assert messages_of(registered) == ["已登記 1 件。"]
    application.refresh_from_db()
    assert (
        application.status,
        application.hours,
        application.decided_by.username,
        application.registered_by.username,
    ) == ("registered", 4, "lin", "tnhr")
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
        (5.0, 4.0, 1.0, ["國土計畫概論"]),
        (3.0, 0.0, 3.0, ["公務員廉政倫理"]),
    ]


# -- Kaohsiung 103 -------------------------------------------------------------------------------

JUNIOR_MAIN = [
    "執行力-策略規劃與執行",
    "單車遊前鎮-溝通服務案例",
    "岡山羊肉文化節-活動溝通的藝術",
    "企劃力與創意訓練",
    "問題解決案例解析",
    "顧客關係管理",
]
LIGHT = [
    "【守護正義的防線】霸凌不要來",
    "公務員廉政倫理規範",
    "行政中立理論與實務",
    "低碳城市綠色生活",
    "全民國防教育學堂",
]
HAPPY = [
    "國內外性別平等教育政策",
    "有為有守-公務員職場倫理與道德",
    "行政中立理論與實務",
    "環境影響評估概論",
    "全民國防教育學堂",
    "守護你的財富─金融消費者保護法速讀",
    "心理健康指數診斷概念",
    "人權大步走-落實兩公約於人權之保障",
    "【我的電腦不怕駭】資通安全實務",
]
HOURS = {
    "執行力-策略規劃與執行": 2,
    "企劃力與創意訓練": 2,
    "問題解決案例解析": 2,
    "顧客關係管理": 2,
    "國內外性別平等教育政策": 3,
    "環境影響評估概論": 3,
}


def weekend_rows(national_id: str, name: str, courses: list[str], first_saturday: dt.date) -> list[str]:
    """Each course on a weekend afternoon (off duty), two a day, from a Saturday on."""
    rows = []
    for n, course in enumerate(courses):
        day = first_saturday + dt.timedelta(days=7 * (n // 4) + (n // 2) % 2)
        hours = HOURS.get(course, 1 if course in JUNIOR_MAIN[1:3] else 2)
        provider = "港都e學苑" if course in JUNIOR_MAIN else "e學中心"
        rows.append(f"{national_id},{name},{course},{day:%Y/%m/%d},{14 + n % 2}:00,{hours},數位,{provider}")
    return rows


@pytest.fixture
def kaohsiung_year(db, tmp_path):
    ids = national_ids([("hsu", "E1"), ("head", "E2"), ("tsai", "E2"), ("yang", "E1")], 6000000)
    with on("2014-01-06"):
        hr = open_office(
            tmp_path,
            "khhr",
            [
                f"{ids['hsu']},許志明,高雄市政府教育局,高雄市政府,資訊教育科,科員,薦任,編制內,",
                f"{ids['head']},鄭美玲,高雄市政府教育局,高雄市政府,資訊教育科,科長,薦任,編制內,單位主管",
                f"{ids['tsai']},蔡雅婷,高雄市政府教育局,高雄市政府,資訊教育科,科員,薦任,編制內,",
                f"{ids['yang']},楊建宏,高雄市政府教育局,高雄市政府,資訊教育科,科員,薦任,編制內,",
            ],
        )
        unit = Unit.objects.get(name="資訊教育科", agency__name="高雄市政府教育局")
        accounts = {
            "hr": hr,
            "hsu": add_account(hr, "hsu", "employee", employee=person(ids["hsu"])),
            "head": add_account(hr, "khhead", "supervisor", employee=person(ids["head"]), headed_units=[unit]),
            "coord": add_account(hr, "khcoord", "coordinator", agencies=[unit.agency]),
        }
    return {"ids": ids, "accounts": accounts, "tmp": tmp_path}


def test_a_kaohsiung_103_leave_year(kaohsiung_year):
    ids, who, tmp = kaohsiung_year["ids"], kaohsiung_year["accounts"], kaohsiung_year["tmp"]
    march = weekend_rows(ids["hsu"], "許志明", JUNIOR_MAIN + LIGHT, dt.date(2014, 3, 1))
    with on("2014-04-07"):
        import_file(tmp, "import_records", "records-2014-03.csv", csv_bytes(RECORDS_HEADER, *march))
        # Main + 窈窕精緻餐, all off duty: 4 hours (陸、六、（四）).
        assert list(Entry.objects.filter(kind="grant").values_list("hours", "earned_on", "usable_until")) == [
            (4, dt.date(2014, 3, 16), dt.date(2014, 9, 16))
        ]
    may = weekend_rows(ids["hsu"], "許志明", [c for c in HAPPY if c not in LIGHT], dt.date(2014, 5, 3))
    # Yang takes main + 幸福嚴選餐 at the office (Tuesdays, 10:00): a commendation, no leave.
    may += [
        row.replace(",14:00,", ",10:00,").replace(",15:00,", ",10:00,")
        for row in weekend_rows(ids["yang"], "楊建宏", JUNIOR_MAIN + HAPPY, dt.date(2014, 5, 6))
    ]
    with on("2014-06-09"):
        import_file(tmp, "import_records", "records-2014-05.csv", csv_bytes(RECORDS_HEADER, *march, *may))
        # + 幸福嚴選餐: 8 hours more, the main counted once; 12 in all, the year's cap.
        assert list(Entry.objects.filter(kind="grant").order_by("pk").values_list("hours", "grant_key")) == [
            (4, "side-light"),
            (8, "side-happy"),
        ]
        applied = who["hsu"].post(
            "/leave/",
            {
                "plan": Entry.objects.first().plan_id,
                "leave_date": "2014-06-16",
                "starts_at": "13:30",
                "ends_at": "17:30",
            },
            follow=True,
        )
        assert messages_of(applied) == ["已送出補休申請，待單位主管於線上核章。"]
        approved = who["head"].post(
            "/leave/approvals/", {"application": Application.objects.get().pk, "decision": "approve"}, follow=True
        )
        assert messages_of(approved) == ["已核章：許志明"]
        registered = who["hr"].post(
            "/leave/registrations/", {"application": [Application.objects.get().pk]}, follow=True
        )
        assert messages_of(registered) == ["已登記 1 件。"]
    # The nightly job, after another export that changes nothing for leave: no new grant.
    with on("2014-07-01"):
        assert command("grant_leave", "kaohsiung-103").startswith("kaohsiung-103（計算至 103/07/01）已核給補休 0 筆")
    # Year end: the lapse job, then the ledger.
    with on("2014-12-31"):
        assert command("lapse_leave").strip() == "補休失效紀錄：新增 1 筆（至 103/12/31）。"
    figures = ledger("kaohsiung-103", "2014-12-31")[ids["hsu"]]
    assert not ledger("kaohsiung-103", "2014-12-31").get(ids["yang"])  # learnt in office hours: no leave
    assert (figures["granted"], figures["used"], figures["lapsed"], figures["balance"]) == (12.0, 4.0, 8.0, 0.0)
    assert [(g["hours"], g["used"], g["lapsed"], g["usable_from"], g["usable_until"]) for g in figures["grants"]] == [
        (4.0, 4.0, 0.0, "2014-03-17", "2014-09-16"),
        (8.0, 0.0, 8.0, "2014-05-12", "2014-11-11"),
    ]


FORUM_HEADER = "身分證字號,姓名,論壇名稱,統計起日,統計迄日,發表篇數,回應篇數,不計入篇數"


def decisions(plan: str) -> list[tuple]:
    return list(
        Decision.objects.filter(plan__slug=plan)
        .order_by("employee__national_id", "rule_code")
        .values_list("employee__name", "rule_code", "award", "count", "status", "order_number", "order_date")
    )


def test_a_tainan_101_commendation_year(tainan_year):
    ids, who, tmp = tainan_year["ids"], tainan_year["accounts"], tainan_year["tmp"]
    with on("2012-09-05"):  # the forum's tally for 101/01/01–101/08/31 (柒、一、（二）)
        import_file(
            tmp,
            "import_forum",
            "forum-101.csv",
            csv_bytes(
                FORUM_HEADER,
                f"{ids['chen']},陳大文,臺南市政府公共論壇,101/01/01,101/08/31,150,85,5",
                f"{ids['li']},李小華,臺南市政府公共論壇,101/01/01,101/08/31,300,215,10",
                f"{ids['chang']},張志明,臺南市政府公共論壇,101/01/01,101/08/31,120,95,0",
            ),
        )
    staff = [person(ids[k]).pk for k in ("chen", "li", "chang")]
    with on("2012-10-01"):  # the coordinator files all three with the tally sheet, before 101/10/15
        filed = who["coord"].post("/incentives/plan/tainan-101/staff/", {"employee": staff}, follow=True)
        assert messages_of(filed) == ["已提報 3 件獎勵案。"]
    with on("2012-10-22"):
        desk = "/incentives/decisions/?plan=tainan-101"
        chen_li = [d.pk for d in Decision.objects.filter(employee__national_id__in=[ids["chen"], ids["li"]])]
        chang = [d.pk for d in Decision.objects.filter(employee__national_id=ids["chang"])]
        assert messages_of(who["hr"].post(desk, {"action": "approve", "decision": chen_li}, follow=True)) == [
            "已核定 2 件。"
        ]
        rejected = who["hr"].post(
            desk, {"action": "reject", "decision": chang, "reason": "統計表篇數含灌水文章，請重新核計"}, follow=True
        )
        assert messages_of(rejected) == ["已不予核定 1 件。"]
    with on("2012-11-05"):  # one 獎懲令 for both, its date typed in the ROC calendar
        issued = who["hr"].post(
            desk,
            {
                "action": "issue",
                "decision": chen_li,
                "order_number": "府人考字第1010000001號",
                "order_date": "101/11/05",
            },
            follow=True,
        )
        assert messages_of(issued) == ["已發布獎懲令 府人考字第1010000001號，共 2 人；可列印敘獎名冊。"]
        roster = who["hr"].get("/incentives/orders/roster.pdf", {"order": "府人考字第1010000001號"})
        assert roster.status_code == 200 and roster["Content-Type"] == "application/pdf"
    order_day = dt.date(2012, 11, 5)
    assert decisions("tainan-101") == [
        ("陳大文", "forum-posts", "commendation", 1, "issued", "府人考字第1010000001號", order_day),
        ("張志明", "forum-posts", "commendation", 1, "rejected", "", None),
        ("李小華", "forum-posts", "commendation", 2, "issued", "府人考字第1010000001號", order_day),
    ]
    # The coordinator reads the outcome on the staff page.
    with on("2012-11-06"):
        page = who["coord"].get("/incentives/plan/tainan-101/staff/").content.decode()
    assert "統計表篇數含灌水文章，請重新核計" in page
    # After 101/10/15 a coordinator files no more forum requests; HR may accept a late one with its reason.
    with on("2012-09-20"):
        import_file(
            tmp,
            "import_forum",
            "forum-101-more.csv",
            csv_bytes(FORUM_HEADER, f"{ids['wang']},王小明,臺南市政府公共論壇,101/01/01,101/08/31,180,40,0"),
        )
    with on("2012-10-16"):
        late = who["coord"].post(
            "/incentives/plan/tainan-101/staff/", {"employee": [person(ids["wang"]).pk]}, follow=True
        )
        assert "已逾申報期限（101年10月15日）" in "".join(messages_of(late))
        assert not Decision.objects.filter(employee__national_id=ids["wang"]).exists()
        # HR brings the plan's decisions up to date on the desk, then accepts Wang's late request.
        evaluated = who["hr"].post(desk, {"action": "evaluate"}, follow=True)
        assert messages_of(evaluated) == ["已依目前資料評估：新增 1 件、更新 0 件、未變動 0 件、保留 3 件。"]
        wang = [Decision.objects.get(employee__national_id=ids["wang"]).pk]
        accepted = who["hr"].post(
            desk, {"action": "late", "decision": wang, "reason": "承辦人公假，10/16 補送統計表"}, follow=True
        )
        assert messages_of(accepted) == ["已受理逾期提報 1 件。"]
    late_one = Decision.objects.get(employee__national_id=ids["wang"])
    assert (late_one.status, late_one.late_reason) == ("requested", "承辦人公假，10/16 補送統計表")


def test_a_kaohsiung_103_commendation_order(kaohsiung_year):
    """Main + 幸福嚴選餐 by 103/08/31 (陸、六、（三）): the coordinator files, HR issues one order for both."""
    ids, who, tmp = kaohsiung_year["ids"], kaohsiung_year["accounts"], kaohsiung_year["tmp"]
    rows = weekend_rows(ids["hsu"], "許志明", JUNIOR_MAIN + HAPPY, dt.date(2014, 3, 1))
    rows += weekend_rows(ids["yang"], "楊建宏", JUNIOR_MAIN + HAPPY, dt.date(2014, 4, 5))
    with on("2014-06-02"):
        import_file(tmp, "import_records", "records-2014-05.csv", csv_bytes(RECORDS_HEADER, *rows))
    with on("2014-09-05"):
        filed = who["coord"].post(
            "/incentives/plan/kaohsiung-103/staff/",
            {"employee": [person(ids["hsu"]).pk, person(ids["yang"]).pk]},
            follow=True,
        )
        assert messages_of(filed) == ["已提報 2 件獎勵案。"]
    desk = "/incentives/decisions/?plan=kaohsiung-103"
    both = [d.pk for d in Decision.objects.filter(plan__slug="kaohsiung-103")]
    with on("2014-09-10"):
        assert messages_of(who["hr"].post(desk, {"action": "approve", "decision": both}, follow=True)) == [
            "已核定 2 件。"
        ]
        issued = who["hr"].post(
            desk,
            {
                "action": "issue",
                "decision": both,
                "order_number": "高市府人考字第10330012345號",
                "order_date": "103/09/10",
            },
            follow=True,
        )
        assert messages_of(issued) == ["已發布獎懲令 高市府人考字第10330012345號，共 2 人；可列印敘獎名冊。"]
    order_day = dt.date(2014, 9, 10)
    assert sorted(decisions("kaohsiung-103")) == [
        ("楊建宏", "bundle-reward", "commendation", 1, "issued", "高市府人考字第10330012345號", order_day),
        ("許志明", "bundle-reward", "commendation", 1, "issued", "高市府人考字第10330012345號", order_day),
    ]
    # The employee sees it, with its order number, on their own page.
    with on("2014-09-11"):
        mine = who["hsu"].get("/incentives/me/").content.decode()
    assert "高市府人考字第10330012345號" in mine and "已發布獎懲令" in mine


# -- A 熠星 team, from proposal to reward (Hualien 106) ---------------------------------------------

PROPOSAL = {
    "contact": "吳承辦",
    "phone": "03-8462860",
    "email": "elearning@hl.gov.tw",
    "goals": "以自製數位教材傳承在地公務經驗",
    "strategy": "成立專案小組，每月製作一門微課程",
    "schedule": "106年4月至12月",
    "kpis": "完成自製數位教材 4 門",
}


def test_a_yixing_team_from_proposal_to_reward(db, tmp_path):
    from programs.models import Activity, Proposal, Team

    ids = national_ids([("leader", "U1"), ("member1", "U2"), ("member2", "U1"), ("other", "U2")], 7000000)
    with on("2017-03-01"):
        hr = open_office(
            tmp_path,
            "hlhr",
            [
                f"{ids['leader']},林主持,花蓮縣政府教育處,花蓮縣政府,國際教育科,科長,薦任,編制內,單位主管",
                f"{ids['member1']},王成員,花蓮縣政府教育處,花蓮縣政府,國際教育科,科員,薦任,編制內,",
                f"{ids['member2']},陳觀光,花蓮縣政府觀光處,花蓮縣政府,觀光行銷科,科員,委任,編制內,",
                f"{ids['other']},張旁觀,花蓮縣政府教育處,花蓮縣政府,國際教育科,科員,委任,編制內,",
            ],
        )
        government = person(ids["leader"]).agency.government
        coord = add_account(hr, "hlcoord", "coordinator", agencies=[government])
    yixing = Activity.objects.get(plan__slug="hualien-106", kind="yixing")
    with on("2017-04-05"):  # the coordinator writes the proposal and names its team from the government's staff
        sent = coord.post(
            f"/programs/proposals/new/{yixing.pk}/",
            {
                **PROPOSAL,
                "title": "洄瀾數位學習熠星計畫",
                "agency": person(ids["leader"]).agency_id,
                "leader": person(ids["leader"]).pk,
                "members": [person(ids["member1"]).pk, person(ids["member2"]).pk],
                "submit": "送出",
            },
            follow=True,
        )
        assert messages_of(sent) == ["申請已送出。"]
    proposal = Proposal.objects.get()
    with on("2017-04-20"):  # HR selects it on the review page
        selected = hr.post(
            f"/programs/proposals/{proposal.pk}/decide/", {"action": "select", "next": "review"}, follow=True
        )
        assert messages_of(selected) == ["「洄瀾數位學習熠星計畫」：入選"]
    with on("2017-12-15"):  # and rates it at the year's end
        rated = hr.post(f"/programs/proposals/{proposal.pk}/decide/", {"action": "rate", "rating": "優等"}, follow=True)
        assert messages_of(rated) == ["「洄瀾數位學習熠星計畫」：已評等（優等）"]
    team = Team.objects.get(proposal=proposal)
    assert sorted(team.members.values_list("employee__name", "role")) == [
        ("林主持", "主持人"),
        ("王成員", "成員"),
        ("陳觀光", "成員"),
    ]
    # The rating rewards exactly that team (陸、二、（四）: 優等 → leader 嘉獎 2, members 嘉獎 1).
    with on("2017-12-18"):
        filed = coord.post(
            "/incentives/plan/hualien-106/staff/",
            {"employee": [person(ids[k]).pk for k in ("leader", "member1", "member2")]},
            follow=True,
        )
        assert messages_of(filed) == ["已提報 3 件獎勵案。"]
        desk = "/incentives/decisions/?plan=hualien-106"
        chosen = [d.pk for d in Decision.objects.filter(plan__slug="hualien-106")]
        assert messages_of(hr.post(desk, {"action": "approve", "decision": chosen}, follow=True)) == ["已核定 3 件。"]
        issued = hr.post(
            desk,
            {
                "action": "issue",
                "decision": chosen,
                "order_number": "府人考字第1060001234號",
                "order_date": "106/12/20",
            },
            follow=True,
        )
        assert messages_of(issued) == ["已發布獎懲令 府人考字第1060001234號，共 3 人；可列印敘獎名冊。"]
    day = dt.date(2017, 12, 20)
    assert sorted(decisions("hualien-106")) == [
        ("林主持", "yixing-team", "commendation", 2, "issued", "府人考字第1060001234號", day),
        ("王成員", "yixing-team", "commendation", 1, "issued", "府人考字第1060001234號", day),
        ("陳觀光", "yixing-team", "commendation", 1, "issued", "府人考字第1060001234號", day),
    ]
    assert not Decision.objects.filter(employee__national_id=ids["other"]).exists()
