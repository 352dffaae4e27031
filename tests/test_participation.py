"""Issue 19, items 1, 3 and 4: the digital-talent registry, the showcase and reflections,
driven through their URLs as each role uses them (no service called directly)."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from portal.models import EmploymentType, Role
from programs.models import (
    Activity,
    Reflection,
    SeedTeacher,
    ShowcaseRegistration,
    count_characters,
    reflection_length_problem,
)
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    ClassHistoryFactory,
    ContestEntryFactory,
    EmployeeFactory,
    PlanFactory,
    UnitFactory,
    UserFactory,
)


def pdf_text(data: bytes) -> list[str]:
    return [line for page in PdfReader(io.BytesIO(data)).pages for line in page.extract_text().splitlines()]


# -- Counting characters (DOMAIN.md Decision: every character shown counts one; line breaks do not) --


@pytest.mark.parametrize(
    "text, n",
    [
        ("學" * 300, 300),  # full-width CJK
        ("a" * 300, 300),  # half-width Latin
        ("ａ" * 300, 300),  # full-width Latin
        ("學 " * 150, 300),  # half-width spaces count
        ("學\u3000" * 150, 300),  # full-width spaces count
        ("，。！？" * 75, 300),  # full-width punctuation counts
        ("學" * 150 + "\n" + "學" * 150, 300),  # a line break counts nothing
        ("學" * 150 + "\r\n" + "學" * 150, 300),  # nor does the CRLF a browser sends
        ("學" * 300 + "\u2028\u2029", 300),  # nor Unicode's line and paragraph separators
        ("e\u0301" * 300, 300),  # e + combining acute is one character after NFC
        ("", 0),
    ],
)
def test_count_characters_as_a_person_counts_them(text, n):
    assert count_characters(text) == n


@pytest.mark.parametrize(
    "text, problem",
    [
        ("學" * 300, ""),
        ("學" * 301, "心得最多 300 字（目前 301 字）。"),
        ("a" * 301, "心得最多 300 字（目前 301 字）。"),
        ("學" * 299 + "\n" + "a", ""),
        ("學" * 299 + " a", "心得最多 300 字（目前 301 字）。"),
    ],
)
def test_the_300_character_limit_at_its_edge(text, problem):
    assert reflection_length_problem(text, maximum=300) == problem


@pytest.mark.parametrize(
    "text, problem",
    [
        ("字" * 1000, ""),
        ("字" * 999, "閱讀心得至少 1,000 字（目前 999 字）。"),
        ("字" * 999 + "\n", "閱讀心得至少 1,000 字（目前 999 字）。"),
        ("字" * 999 + " ", ""),
        ("x" * 500 + "ｘ" * 500, ""),
    ],
)
def test_the_1000_character_minimum_at_its_edge(text, problem):
    assert reflection_length_problem(text, minimum=1000) == problem


# -- A small world: Tainan (registry, i writing) and RAD (showcase, 微心得) ---------------------


@pytest.fixture
def world(db, settings):
    settings.PORTAL_TODAY = "2012-06-01"
    tainan = AgencyFactory(name="臺南市政府")
    hr_office = AgencyFactory(name="臺南市政府人事處", parent=tainan)
    education = AgencyFactory(name="臺南市政府教育局", parent=tainan)
    plan = PlanFactory(
        slug="tainan-101",
        issuer=tainan,
        roc_year=101,
        title="臺南市政府101年度數位學習推廣計畫",
        starts_on=dt.date(2012, 1, 1),
        ends_on=dt.date(2012, 12, 31),
        kpis=[
            {
                "code": "digital_talents",
                "label": "全年培育公務數位人才",
                "target": 120,
                "unit": "人次",
                "clause": "捌、一、（三）",
            }
        ],
    )
    registry = ActivityFactory(
        plan=plan,
        slug="talent-database",
        kind="talent_registry",
        name="建置數位人才資料庫",
        clause="伍、一、（三）",
        details={"candidate_classes": ["seed", "advanced"]},
    )
    i_writing = ActivityFactory(
        plan=plan,
        slug="digital-reading",
        kind="reading",
        name="數位閱讀多元學習",
        details={"min_reflection_chars": 1000},
    )
    a_unit, e_unit = UnitFactory(agency=hr_office, name="考訓科"), UnitFactory(agency=education, name="學管科")
    people = {
        name: EmployeeFactory(unit=unit, name=name)
        for name, unit in (
            ("種籽甲", a_unit),
            ("進階乙", a_unit),
            ("得獎丙", e_unit),
            ("舊人丁", a_unit),
            ("新人戊", e_unit),
        )
    }
    for who, slug, name, day in (
        ("種籽甲", "seed", "自製數位教材暨行銷短片種籽班", dt.date(2012, 4, 10)),
        ("種籽甲", "advanced", "自製數位教材暨行銷短片進階班", dt.date(2012, 5, 10)),
        ("進階乙", "advanced", "自製數位教材暨行銷短片進階班", dt.date(2012, 5, 11)),
        ("舊人丁", "seed", "自製數位教材暨行銷短片種籽班", dt.date(2011, 4, 10)),
    ):
        ClassHistoryFactory(employee=people[who], class_slug=slug, class_name=name, attended_on=day, issuer=tainan)
    ContestEntryFactory(plan=plan, title="府城行銷短片", agency=education, review="通過", placing="1").authors.set(
        [people["得獎丙"]]
    )
    rad = AgencyFactory(name="行政院人事行政總處地方行政研習中心")
    rad_plan = PlanFactory(
        slug="rad-104",
        issuer=rad,
        roc_year=101,
        title="地方行政研習中心數位學習推動計畫",
        starts_on=dt.date(2012, 1, 1),
        ends_on=dt.date(2012, 12, 31),
        parameters={"coverage_scope": "all"},
    )
    showcase = ActivityFactory(
        plan=rad_plan,
        slug="showcase",
        kind="showcase",
        name="數位學習成果發表會",
        starts_on=dt.date(2012, 11, 20),
        ends_on=dt.date(2012, 11, 20),
        details={"expected_participants": 300, "venue": "本中心"},
    )
    micro = ActivityFactory(
        plan=rad_plan,
        slug="micro-learning",
        kind="micro_learning",
        name="微微學習歡樂Go",
        starts_on=dt.date(2012, 1, 1),
        ends_on=dt.date(2012, 12, 31),
        details={"max_reflection_chars": 300},
    )
    users = {
        "hr": UserFactory(role=Role.HR, agencies=[tainan]),
        "rad_hr": UserFactory(role=Role.HR, agencies=[rad]),
        "coordinator_a": UserFactory(role=Role.COORDINATOR, agencies=[hr_office]),
        "coordinator_e": UserFactory(role=Role.COORDINATOR, agencies=[education]),
        "employee": UserFactory(role=Role.EMPLOYEE, employee=people["得獎丙"]),
    }
    return {
        "plan": plan,
        "registry": registry,
        "i_writing": i_writing,
        "people": people,
        "showcase": showcase,
        "micro": micro,
        "users": users,
        "hr_office": hr_office,
        "education": education,
    }


def _select(client, world, name, reason):
    return client.post(
        reverse("programs:talent-select", args=[world["registry"].pk]),
        {"employee": world["people"][name].pk, "reason": reason},
        follow=True,
    )


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# -- 1. The digital-talent registry -----------------------------------------------------------


def test_hr_sees_candidates_from_the_contest_and_the_classes(world, client):
    client.force_login(world["users"]["hr"])
    page = client.get(reverse("programs:talents", args=[world["registry"].pk]))
    assert [(c.employee.name, c.source, c.basis) for c in page.context["candidates"]] == [
        ("得獎丙", "contest", ["府城行銷短片（第一名）"]),
        ("種籽甲", "class", ["自製數位教材暨行銷短片種籽班", "自製數位教材暨行銷短片進階班"]),
        ("舊人丁", "class", ["自製數位教材暨行銷短片種籽班"]),
        ("進階乙", "class", ["自製數位教材暨行銷短片進階班"]),
    ]


def test_hr_selects_seed_teachers_with_reasons_and_the_kpi_still_counts_attendances(world, client):
    client.force_login(world["users"]["hr"])
    assert _messages(_select(client, world, "得獎丙", "101年競賽第一名")) == [
        "已將得獎丙列入數位人才資料庫（種籽教師）。"
    ]
    assert _messages(_select(client, world, "種籽甲", "完成種籽班及進階班")) == [
        "已將種籽甲列入數位人才資料庫（種籽教師）。"
    ]
    # Anyone HR names, found by name, with the reason.
    found = client.get(reverse("programs:talents", args=[world["registry"].pk]), {"q": "新人"})
    assert [e.name for e in found.context["found"]] == ["新人戊"]
    assert _messages(_select(client, world, "新人戊", "資訊專長")) == ["已將新人戊列入數位人才資料庫（種籽教師）。"]
    assert _messages(_select(client, world, "新人戊", "再一次")) == ["新人戊已在數位人才資料庫中。"]
    assert _messages(_select(client, world, "進階乙", "  ")) == ["請填寫遴選理由。"]
    assert sorted(SeedTeacher.objects.values_list("employee__name", "source", "basis", "reason")) == [
        ("得獎丙", "contest", "府城行銷短片（第一名）", "101年競賽第一名"),
        ("新人戊", "named", "", "資訊專長"),
        ("種籽甲", "class", "自製數位教材暨行銷短片種籽班、自製數位教材暨行銷短片進階班", "完成種籽班及進階班"),
    ]
    # The KPI keeps counting 人次 of training in the plan's year: 種籽甲 twice, 進階乙 once (舊人丁's 2011 class is out).
    dashboard = client.get(reverse("incentives:kpi", args=["tainan-101"]))
    assert dashboard.context["overall"]["digital_talents"] == 3
    assert [(k["code"], k["actual"], k["target"]) for k in dashboard.context["kpis"]] == [("digital_talents", 3, 120)]
    assert [t.employee.name for t in dashboard.context["seed_teachers"]] == [
        "種籽甲",
        "得獎丙",
        "新人戊",
    ]  # by agency, then name
    assert "種籽教師 3 人（與上方「培育數位人才」並列，不計入其人次）" in dashboard.content.decode()
    pdf = client.get(reverse("incentives:kpi-pdf", args=["tainan-101"]))
    lines = pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
    assert "全年培育公務數位人才（捌、一、（三）） 120人次 3人次 未達成" in lines
    assert "".join(lines).count("數位人才資料庫（種籽教師）：3 人（與「培育公務數位人才」並列，不計入其人次）") == 1


def test_coordinators_see_their_agency_and_the_employee_sees_they_are_on_it(world, client):
    client.force_login(world["users"]["hr"])
    _select(client, world, "得獎丙", "競賽第一名")
    _select(client, world, "種籽甲", "種籽班")
    client.force_login(world["users"]["coordinator_e"])
    page = client.get(reverse("programs:talents", args=[world["registry"].pk]))
    assert [t.employee.name for t in page.context["teachers"]] == ["得獎丙"]
    assert page.context["reviews"] is False and page.context["candidates"] == []
    # A coordinator cannot select.
    assert (
        client.post(
            reverse("programs:talent-select", args=[world["registry"].pk]),
            {"employee": world["people"]["新人戊"].pk, "reason": "x"},
        ).status_code
        == 403
    )
    client.force_login(world["users"]["employee"])
    me = client.get(reverse("incentives:me")).content.decode()
    assert "您已列入臺南市政府101年度數位學習推廣計畫「建置數位人才資料庫」，擔任種籽教師。" in me
    assert client.get(reverse("programs:talents", args=[world["registry"].pk])).status_code == 403


def test_hr_of_another_government_cannot_select(world, client):
    client.force_login(world["users"]["rad_hr"])
    # Another government's plan is not found for them (plans_run_by: an officer serves one government).
    assert _select(client, world, "得獎丙", "x").status_code in (403, 404)
    assert SeedTeacher.objects.count() == 0


# -- 3. The showcase ---------------------------------------------------------------------------


def test_showcase_capacity_300_the_300th_place_is_taken_and_the_301st_refused(world, client):
    showcase = world["showcase"]
    others = [EmployeeFactory(unit=UnitFactory(agency=world["education"])) for _ in range(299)]
    ShowcaseRegistration.objects.bulk_create([ShowcaseRegistration(activity=showcase, employee=e) for e in others])
    contract = EmployeeFactory(
        unit=UnitFactory(agency=world["hr_office"]), name="約僱己", employment_type=EmploymentType.CONTRACT
    )
    late = EmployeeFactory(unit=UnitFactory(agency=world["hr_office"]), name="晚到庚")
    client.force_login(world["users"]["coordinator_a"])
    page = client.post(reverse("programs:showcase", args=[showcase.pk]), {"employee": [contract.pk, late.pk]})
    assert [(o.employee.name, o.accepted, o.reason) for o in page.context["outcomes"]] == [
        ("約僱己", True, ""),
        ("晚到庚", False, "名額已滿（300 名）"),
    ]
    assert (page.context["capacity"], page.context["taken"], page.context["left"]) == (300, 300, 0)
    assert ShowcaseRegistration.objects.filter(activity=showcase).count() == 300
    # The coordinator sees only their own agency's registration among the 300.
    assert [r.employee.name for r in page.context["registrations"]] == ["約僱己"]
    # A place freed by a cancellation can be taken again.
    registration = ShowcaseRegistration.objects.get(employee=contract)
    client.post(reverse("programs:showcase-cancel", args=[showcase.pk, registration.pk]))
    again = client.post(reverse("programs:showcase", args=[showcase.pk]), {"employee": [late.pk]})
    assert [(o.employee.name, o.accepted) for o in again.context["outcomes"]] == [("晚到庚", True)]


def test_showcase_refuses_a_second_registration_and_other_agencies_staff(world, client):
    showcase = world["showcase"]
    client.force_login(world["users"]["coordinator_a"])
    person = world["people"]["種籽甲"]
    client.post(reverse("programs:showcase", args=[showcase.pk]), {"employee": [person.pk]})
    twice = client.post(reverse("programs:showcase", args=[showcase.pk]), {"employee": [person.pk]})
    assert [(o.accepted, o.reason) for o in twice.context["outcomes"]] == [(False, "已報名")]
    stranger = client.post(
        reverse("programs:showcase", args=[showcase.pk]), {"employee": [world["people"]["得獎丙"].pk]}
    )
    assert stranger.status_code == 403


def test_hr_sees_every_registration_and_prints_the_sign_in_sheet(world, client):
    showcase = world["showcase"]
    client.force_login(world["users"]["coordinator_a"])
    client.post(reverse("programs:showcase", args=[showcase.pk]), {"employee": [world["people"]["種籽甲"].pk]})
    client.force_login(world["users"]["coordinator_e"])
    client.post(reverse("programs:showcase", args=[showcase.pk]), {"employee": [world["people"]["得獎丙"].pk]})
    client.force_login(world["users"]["rad_hr"])  # RAD's HR: the plan's own, sees what every government registers
    page = client.get(reverse("programs:showcase", args=[showcase.pk]))
    assert [r.employee.name for r in page.context["registrations"]] == ["種籽甲", "得獎丙"]  # by agency
    pdf = client.get(reverse("programs:showcase-signin", args=[showcase.pk]))
    lines = pdf_text(pdf.content)
    assert lines[:5] == [
        "地方行政研習中心數位學習推動計畫",
        "數位學習成果發表會簽到表",
        "日期：101年11月20日\u3000地點：本中心\u3000報名 2 人（名額 300 人）",
        "編號 機關（單位） 職稱 姓名 簽名",
        "1 臺南市政府人事處（考訓科） 科員 種籽甲",
    ]
    assert lines[5] == "2 臺南市政府教育局（學管科） 科員 得獎丙"


# -- 4. Reflections ------------------------------------------------------------------------


def _write(client, activity, text, kind="book", item="原子習慣"):
    return client.post(
        reverse("programs:my-reflections"), {"activity": activity.pk, "kind": kind, "item": item, "text": text}
    )


@pytest.mark.parametrize(
    "text, error",
    [
        ("學" * 300, None),
        ("ａ" * 150 + "a" * 150, None),
        ("學" * 150 + "\r\n" * 5 + "學" * 150, None),
        ("學" * 301, "心得最多 300 字（目前 301 字）。"),
        ("學" * 299 + "  ", "心得最多 300 字（目前 301 字）。"),
    ],
)
def test_an_employee_writes_a_micro_reflection_of_at_most_300_characters(world, client, text, error):
    client.force_login(world["users"]["employee"])
    response = _write(client, world["micro"], text)
    if error is None:
        assert response.status_code == 302
        assert list(Reflection.objects.values_list("characters", "kind", "item")) == [(300, "book", "原子習慣")]
    else:
        assert response.context["errors"] == {"text": [error]}
        assert Reflection.objects.count() == 0


@pytest.mark.parametrize(
    "text, error",
    [
        ("字" * 1000, None),
        ("字" * 500 + "\n" + "ｘ" * 250 + "x" * 250, None),
        ("字" * 999, "閱讀心得至少 1,000 字（目前 999 字）。"),
        ("字" * 999 + "\r\n", "閱讀心得至少 1,000 字（目前 999 字）。"),
    ],
)
def test_i_writing_takes_reading_notes_of_at_least_1000_characters(world, client, text, error):
    client.force_login(world["users"]["employee"])
    response = _write(client, world["i_writing"], text)
    if error is None:
        assert response.status_code == 302
        assert list(Reflection.objects.values_list("characters", flat=True)) == [1000]
    else:
        assert response.context["errors"] == {"text": [error]}


def test_hr_sees_and_exports_reflections(world, client):
    from openpyxl import load_workbook

    client.force_login(world["users"]["employee"])
    _write(client, world["i_writing"], "字" * 1000, kind="ebook", item="數位轉型")
    client.force_login(world["users"]["hr"])
    page = client.get(reverse("programs:reflections"))
    assert [(r.employee.name, r.item, r.characters) for r in page.context["reflections"]] == [
        ("得獎丙", "數位轉型", 1000)
    ]
    export = client.get(reverse("programs:reflections"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(rows) if row[:2] == ["計畫", "活動"])
    assert rows[header + 1][:8] == [
        "臺南市政府101年度數位學習推廣計畫",
        "數位閱讀多元學習",
        "臺南市政府教育局",
        "學管科",
        "得獎丙",
        "電子書",
        "數位轉型",
        1000,
    ]
    # Coordinators and employees do not get HR's list.
    client.force_login(world["users"]["coordinator_e"])
    assert client.get(reverse("programs:reflections")).status_code == 403


def test_hr_of_another_government_sees_no_names_of_the_registry_on_the_kpi_pages(world, client):
    client.force_login(world["users"]["hr"])
    _select(client, world, "得獎丙", "競賽第一名")
    client.force_login(world["users"]["rad_hr"])
    # Another government's plan pages are not found for them at all, registry names included.
    dashboard = client.get(reverse("incentives:kpi", args=["tainan-101"]))
    assert dashboard.status_code == 404 and "得獎丙" not in dashboard.content.decode()
    pdf = client.get(reverse("incentives:kpi-pdf", args=["tainan-101"]))
    assert pdf.status_code == 404 and "得獎丙".encode() not in pdf.content


# -- 2. The reading bid (Kaohsiung 103 陸、五) ---------------------------------------------------


@pytest.fixture
def bid_world(db, settings):
    settings.PORTAL_TODAY = "2014-06-10"
    kaohsiung = AgencyFactory(name="高雄市政府")
    education = AgencyFactory(name="高雄市政府教育局", parent=kaohsiung)
    social = AgencyFactory(name="高雄市政府社會局", parent=kaohsiung)
    plan = PlanFactory(slug="kaohsiung-103", issuer=kaohsiung, roc_year=103, title="高雄市政府103年度數位學習推動計畫")
    bid = ActivityFactory(
        plan=plan,
        slug="reading-bid",
        kind="reading_bid",
        name="數位閱讀計畫競標活動",
        starts_on=dt.date(2014, 5, 1),
        ends_on=dt.date(2014, 9, 30),
        details={"application_window": {"start": "2014-05-01", "end": "2014-06-30"}},
    )
    return {
        "activity": bid,
        "education": education,
        "hr": UserFactory(role=Role.HR, agencies=[kaohsiung]),
        "coordinator": UserFactory(role=Role.COORDINATOR, agencies=[education]),
        "other": UserFactory(role=Role.COORDINATOR, agencies=[social]),
        "outsider_hr": UserFactory(role=Role.HR, agencies=[AgencyFactory(name="臺南市政府")]),
    }


BID = {
    "title": "教育局共讀e起來",
    "activities": "每月讀書會；線上討論",
    "materials": "e學中心電子書「原子習慣」",
    "forum": "教育局數位閱讀社群",
    "starts_on": "103/07/01",
    "ends_on": "103/09/30",
}


def _send_bid(client, bid_world, **changes):
    data = {**BID, "agency": bid_world["education"].pk, **changes, "submit": "1"}
    return client.post(reverse("programs:reading-bid-new", args=[bid_world["activity"].pk]), data, follow=True)


def test_a_coordinator_sends_a_reading_bid_within_the_window_and_hr_scores_and_selects_it(bid_world, client, settings):
    from programs.models import ReadingBid

    client.force_login(bid_world["coordinator"])
    sent = _send_bid(client, bid_world)
    assert _messages(sent) == ["活動計畫已送出，待人事處評選。"]
    bid = ReadingBid.objects.get()
    assert (bid.status, bid.agency, bid.starts_on, bid.ends_on, bid.forum) == (
        "submitted",
        bid_world["education"],
        dt.date(2014, 7, 1),
        dt.date(2014, 9, 30),
        "教育局數位閱讀社群",
    )
    # Another agency's coordinator does not find it; HR of another government cannot decide it.
    client.force_login(bid_world["other"])
    assert client.get(reverse("programs:reading-bid", args=[bid.pk])).status_code == 404
    client.force_login(bid_world["outsider_hr"])
    assert (
        client.post(
            reverse("programs:reading-bid-decide", args=[bid.pk]), {"action": "select", "score": "90"}
        ).status_code
        == 404
    )
    client.force_login(bid_world["hr"])
    refused = client.post(
        reverse("programs:reading-bid-decide", args=[bid.pk]), {"action": "select", "score": "100.5"}, follow=True
    )
    assert _messages(refused) == ["教育局共讀e起來：請填寫 0 到 100 的評分（至多一位小數）。"]
    decided = client.post(
        reverse("programs:reading-bid-decide", args=[bid.pk]),
        {"action": "select", "score": "88.5", "note": "主題明確"},
        follow=True,
    )
    assert _messages(decided) == ["「教育局共讀e起來」：入選（88.5 分）"]
    again = client.post(
        reverse("programs:reading-bid-decide", args=[bid.pk]), {"action": "not_select", "score": "10"}, follow=True
    )
    assert _messages(again) == ["教育局共讀e起來：「教育局共讀e起來」目前為入選，不能再評選。"]
    # The agency sees the outcome, and prints the form.
    client.force_login(bid_world["coordinator"])
    page = client.get(reverse("programs:reading-bid", args=[bid.pk]))
    assert (page.context["bid"].status, str(page.context["bid"].score), page.context["bid"].review_note) == (
        "selected",
        "88.5",
        "主題明確",
    )
    lines = pdf_text(client.get(reverse("programs:reading-bid-pdf", args=[bid.pk])).content)
    assert lines[:3] == ["高雄市政府103年度數位學習推動計畫", "數位閱讀計畫競標活動活動計畫", "機關 高雄市政府教育局"]
    assert "評選結果 入選（評分 88.5）：主題明確" in lines


def test_a_reading_bid_outside_the_window_or_incomplete_stays_a_draft(bid_world, client, settings):
    from programs.models import ReadingBid

    client.force_login(bid_world["coordinator"])
    assert _messages(_send_bid(client, bid_world, forum="")) == ["草稿已儲存，但還不能送出：尚未填寫：成立之社群論壇"]
    settings.PORTAL_TODAY = "2014-07-01"  # the day after the window's last day (103/06/30)
    bid = ReadingBid.objects.get()
    late = client.post(
        reverse("programs:reading-bid", args=[bid.pk]),
        {**BID, "agency": bid_world["education"].pk, "submit": "1"},
        follow=True,
    )
    assert _messages(late) == ["草稿已儲存，但還不能送出：不在受理申請期間（103年5月1日至103年6月30日）。"]
    assert list(ReadingBid.objects.values_list("status", "forum")) == [("draft", "教育局數位閱讀社群")]
    settings.PORTAL_TODAY = "2014-06-30"  # the last day is inside
    ok = client.post(
        reverse("programs:reading-bid", args=[bid.pk]),
        {**BID, "agency": bid_world["education"].pk, "submit": "1"},
        follow=True,
    )
    assert _messages(ok) == ["活動計畫已送出，待人事處評選。"]


def test_hr_creates_a_showcase_and_edits_its_date_place_and_capacity_on_pages(world, client):
    client.force_login(world["users"]["rad_hr"])
    listing = client.get(reverse("programs:showcase-list")).content.decode()
    assert f'href="{reverse("programs:showcase-new")}"' in listing
    new = client.post(
        reverse("programs:showcase-new"),
        {
            "plan": world["showcase"].plan_id,
            "name": "第二場成果發表會",
            "starts_on": "101/12/05",
            "venue": "南投院區",
            "capacity": "2",
        },
    )
    created = Activity.objects.get(name="第二場成果發表會")
    assert new["Location"] == reverse("programs:showcase", args=[created.pk])
    assert (created.slug, created.kind, created.starts_on, created.ends_on, created.details) == (
        "showcase-1",
        "showcase",
        dt.date(2012, 12, 5),
        dt.date(2012, 12, 5),
        {"venue": "南投院區", "capacity": 2},
    )
    page = client.get(reverse("programs:showcase", args=[created.pk]))
    assert (page.context["capacity"], page.context["venue"]) == (2, "南投院區")
    edit = reverse("programs:showcase-edit", args=[created.pk])
    assert f'href="{edit}"' in page.content.decode()
    form = client.get(edit).context["form"]
    assert (form["starts_on"].value(), form["capacity"].value()) == (dt.date(2012, 12, 5), 2)
    assert 'value="101/12/05"' in client.get(edit).content.decode()
    # Two registered: the capacity cannot fall below them.
    client.force_login(world["users"]["coordinator_a"])
    client.post(
        reverse("programs:showcase", args=[created.pk]),
        {"employee": [world["people"]["種籽甲"].pk, world["people"]["進階乙"].pk]},
    )
    client.force_login(world["users"]["rad_hr"])
    data = {"name": "第二場成果發表會", "starts_on": "101/12/06", "venue": "臺北院區", "capacity": "1"}
    refused = client.post(edit, data)
    assert refused.context["form"].non_field_errors() == ["已有 2 人報名，名額不得少於報名人數。"]
    client.post(edit, {**data, "capacity": "3"})
    created.refresh_from_db()
    assert (created.starts_on, created.details) == (dt.date(2012, 12, 6), {"venue": "臺北院區", "capacity": 3})
    # A coordinator, and HR of another government, have no such page.
    client.force_login(world["users"]["coordinator_a"])
    assert client.get(edit).status_code == 403
    assert client.get(reverse("programs:showcase-new")).status_code == 403
    client.force_login(world["users"]["hr"])
    assert client.get(edit).status_code == 404
    assert client.post(reverse("programs:showcase-new"), {**data, "plan": world["showcase"].plan_id}).status_code == 200
    assert Activity.objects.filter(kind="showcase").count() == 2
