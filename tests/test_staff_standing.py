import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from incentives.models import Decision
from portal import nationalid
from portal.exporters import safe_cell
from portal.models import Role
from tests.factories import (
    AgencyFactory,
    ClassHistoryFactory,
    ContestEntryFactory,
    CourseFactory,
    EmployeeFactory,
    ForumTallyFactory,
    LearningRecordFactory,
    PlanFactory,
    UnitFactory,
    UserFactory,
)

RULE = {
    "code": "forum-posts",
    "kind": "threshold_tiers",
    "window": {"start": "2012-01-01", "end": "2012-08-31"},
    "tiers": [{"award": "commendation", "count": 1, "any_of": [{"all_of": [{"metric": "forum_posts", "min": 200}]}]}],
}


@pytest.fixture
def world(db):
    government = AgencyFactory(name="臺南市政府")
    agency = AgencyFactory(name="臺南市政府人事處", parent=government)
    other = AgencyFactory(name="臺南市政府教育局", parent=government)
    plan = PlanFactory(
        slug="tainan-101",
        issuer=government,
        roc_year=101,
        ends_on=dt.date(2012, 12, 31),
        parameters={"rules": [RULE]},
    )
    people = [EmployeeFactory(unit=UnitFactory(agency=agency), name=n) for n in ("=HYPERLINK(1)", "林美玲", "陳大文")]
    stranger = EmployeeFactory(unit=UnitFactory(agency=other), name="他局人員")
    for person, posts in zip(people + [stranger], (250, 170, 10, 300)):
        ForumTallyFactory(
            employee=person,
            forum="論壇",
            window_start=dt.date(2012, 1, 1),
            window_end=dt.date(2012, 8, 31),
            posts=posts,
            replies=0,
        )
    return {
        "plan": plan,
        "people": people,
        "stranger": stranger,
        "coordinator": UserFactory(role=Role.COORDINATOR, agencies=[agency]),
    }


def test_staff_standing_filters_met_and_nearly_met(world, client):
    client.force_login(world["coordinator"])
    url = reverse("incentives:staff", args=["tainan-101"])
    assert [r.name for r in client.get(url).context["results"]] == ["=HYPERLINK(1)", "林美玲", "陳大文"]
    assert [r.name for r in client.get(url, {"status": "met"}).context["results"]] == ["=HYPERLINK(1)"]
    assert [r.name for r in client.get(url, {"status": "near"}).context["results"]] == ["林美玲"]


def test_coordinator_files_requests_for_chosen_staff(world, client):
    client.force_login(world["coordinator"])
    url = reverse("incentives:staff", args=["tainan-101"])
    client.post(url, {"employee": [world["people"][0].pk]})
    assert list(Decision.objects.values_list("employee__name", "status")) == [("=HYPERLINK(1)", "requested")]
    page = client.post(url, {"employee": [world["stranger"].pk]})
    assert page.status_code == 403
    assert Decision.objects.count() == 1


def test_staff_standing_xlsx_neutralises_formulas(world, client):
    client.force_login(world["coordinator"])
    response = client.get(reverse("incentives:staff", args=["tainan-101"]), {"format": "xlsx", "status": "met"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:4] == ["機關", "單位", "姓名", "嘉獎"]
    assert sheet["C2"].value == "'=HYPERLINK(1)"
    assert sheet["D2"].value == 1


@pytest.mark.parametrize(
    "value, expected", [("=1+1", "'=1+1"), ("+886", "'+886"), ("-2", "'-2"), ("@x", "'@x"), ("正常", "正常"), (3, 3)]
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_kpi_dashboard_for_hr_with_targets_and_per_agency_figures(world, client):

    plan = world["plan"]
    plan.kpis = [
        {"code": "digital_5h_share", "label": "數位學習達 5 小時比率", "target": 95, "unit": "%"},
        {"code": "average_hours", "label": "平均學習時數", "target": 80, "unit": "小時"},
    ]
    plan.starts_on, plan.ends_on = dt.date(2012, 1, 1), dt.date(2012, 12, 31)
    plan.save()
    for person, hours in zip(world["people"], (6, 2, 100)):
        LearningRecordFactory(
            employee=person,
            course_name="課",
            course_key="課",
            hours=hours,
            digital_hours=hours,
            completed_on=dt.date(2012, 5, 1),
        )
    client.force_login(UserFactory(role=Role.HR, is_staff=True))
    page = client.get(reverse("incentives:kpi", args=["tainan-101"]))
    assert page.context["overall"]["digital_5h_share"] == 50.0  # 2 of 4 covered people
    assert page.context["overall"]["average_hours"] == 27.0  # 108 hours / 4 people
    assert [(k["actual"], k["met"]) for k in page.context["kpis"]] == [(50.0, False), (27.0, False)]
    assert [(a.name, a.staff, a.with_5_digital) for a in page.context["agencies"]] == [
        ("臺南市政府人事處", 3, 2),
        ("臺南市政府教育局", 1, 0),
    ]
    assert "<svg" in page.content.decode()
    client.force_login(world["coordinator"])
    assert client.get(reverse("incentives:kpi", args=["tainan-101"])).status_code == 403


def test_roster_pdf_lists_requested_awards_of_the_coordinators_agencies(world, client):
    from pypdf import PdfReader

    client.force_login(world["coordinator"])
    client.post(reverse("incentives:staff", args=["tainan-101"]), {"employee": [world["people"][0].pk]})
    response = client.get(reverse("incentives:roster", args=["tainan-101"]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    for expected in ["敘獎名冊", "臺南市政府人事處", "=HYPERLINK(1)", "嘉獎1次", "論壇發表及回應篇數 250 篇"]:
        assert expected in text, expected
    assert "他局人員" not in text


def test_tally_sheet_pdf_for_plans_that_ask_for_one(world, client, settings):
    from pypdf import PdfReader

    settings.PORTAL_TODAY = "2012-10-01"  # filed before the rule's filing deadline

    plan = world["plan"]
    plan.parameters = {"rules": [dict(RULE, tally_sheet="附件1", filing_deadline="2012-10-15")]}
    plan.save()
    client.force_login(world["coordinator"])
    client.post(reverse("incentives:staff", args=["tainan-101"]), {"employee": [world["people"][0].pk]})
    assert Decision.objects.get().facts["tally_sheet"] == "附件1"
    response = client.get(reverse("incentives:tally", args=["tainan-101"]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    for expected in ["發表及回應意見篇數統計表（附件1）", "101年1月1日", "林美玲", "250", "嘉獎1次", "101年10月15日"]:
        assert expected in text, expected
    assert "他局人員" not in text


@pytest.fixture
def results(world):
    """Learning, a class, a passed work and an accepted case report under the plan."""
    from programs.models import CaseReport

    plan = world["plan"]
    plan.starts_on, plan.ends_on = dt.date(2012, 1, 1), dt.date(2012, 12, 31)
    plan.save()
    for person, hours in zip(world["people"] + [world["stranger"]], (6, 2, 100, 8)):
        LearningRecordFactory(
            employee=person,
            course_name="課",
            course_key="課",
            hours=hours,
            digital_hours=hours,
            completed_on=dt.date(2012, 5, 1),
        )
    ClassHistoryFactory(
        employee=world["people"][1],
        class_slug="basic",
        class_name="自製數位教材基礎班",
        attended_on=dt.date(2012, 4, 2),
    )
    work = ContestEntryFactory(plan=plan, title="=cmd|' /C calc'!A0", review="通過", placing="佳作")
    work.authors.set([world["people"][2], world["stranger"]])
    CaseReport.objects.create(
        plan=plan, employee=world["stranger"], title="他局報告", submitted_on=dt.date(2012, 8, 1), accepted=True
    )
    return world


def test_kpi_dashboard_links_each_agency_figure_to_its_people(results, client):
    client.force_login(UserFactory(role=Role.HR, is_staff=True))
    page = client.get(reverse("incentives:kpi", args=["tainan-101"]))
    agency = page.context["agencies"][0]
    assert (
        agency.name,
        agency.staff,
        agency.with_5_digital,
        agency.under_5_digital,
        agency.talents,
        agency.materials,
        agency.case_reports,
    ) == ("臺南市政府人事處", 3, 2, 1, 1, 1, 0)
    assert f"/incentives/plan/tainan-101/kpi/digital-under-5h/?agency={agency.agency_id}" in page.content.decode()


def test_kpi_people_for_hr_show_full_ids_and_each_figures_facts(results, client):
    client.force_login(UserFactory(role=Role.HR, is_staff=True))
    url = lambda figure: reverse("incentives:kpi-people", args=["tainan-101", figure])  # noqa: E731
    agency = results["people"][0].agency_id
    under = client.get(url("digital-under-5h"), {"agency": agency})
    assert [(p.employee.name, p.digital) for p in under.context["people"]] == [("林美玲", 2)]
    assert results["people"][1].national_id in under.content.decode()
    assert [(p.employee.name, p.hours) for p in client.get(url("hours")).context["people"]] == [
        ("陳大文", 100),
        ("他局人員", 8),
        ("=HYPERLINK(1)", 6),
        ("林美玲", 2),
    ]
    assert [(p.employee.name, p.item, p.result) for p in client.get(url("materials")).context["people"]] == [
        ("陳大文", "=cmd|' /C calc'!A0", "佳作"),
        ("他局人員", "=cmd|' /C calc'!A0", "佳作"),
    ]
    assert [(p.employee.name, p.item, p.day) for p in client.get(url("digital-talents")).context["people"]] == [
        ("林美玲", "自製數位教材基礎班", dt.date(2012, 4, 2))
    ]
    assert [p.employee.name for p in client.get(url("case-reports")).context["people"]] == ["他局人員"]
    assert client.get(url("no-such-figure")).status_code == 404


def test_kpi_people_for_a_coordinator_show_only_their_agency_masked(results, client):
    client.force_login(results["coordinator"])
    url = reverse("incentives:kpi-people", args=["tainan-101", "staff"])
    page = client.get(url)
    assert [p.employee.name for p in page.context["people"]] == ["=HYPERLINK(1)", "林美玲", "陳大文"]
    body = page.content.decode()
    assert results["people"][1].national_id not in body
    assert results["people"][1].national_id[:3] + "****" + results["people"][1].national_id[-3:] in body
    assert client.get(url, {"agency": results["stranger"].agency_id}).status_code == 404
    client.force_login(UserFactory(role=Role.EMPLOYEE, employee=results["people"][0]))
    assert client.get(url).status_code == 403


def test_kpi_people_download_as_xlsx_and_pdf(results, client):
    from pypdf import PdfReader

    client.force_login(UserFactory(role=Role.HR, is_staff=True))
    url = reverse("incentives:kpi-people", args=["tainan-101", "materials"])
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content)).active
    assert [c.value for c in sheet[1]] == ["機關", "單位", "職稱", "姓名", "身分證字號", "作品", "審查結果"]
    assert [c.value for c in sheet[2]][3:] == [
        "陳大文",
        results["people"][2].national_id,
        "'=cmd|' /C calc'!A0",
        "佳作",
    ]
    response = client.get(url, {"format": "pdf"})
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert (response["Content-Type"], "自製數位教材暨行銷短片（審查通過）" in text, "陳大文" in text) == (
        "application/pdf",
        True,
        True,
    )


def test_staff_standing_filters_by_rule_and_sorts_by_column(world, client):
    plan = world["plan"]
    plan.parameters = {
        "rules": [
            RULE,
            {
                "code": "case-reports",
                "kind": "case_reports",
                "deadline": "2012-08-05",
                "tiers": [{"min": 1, "award": "commendation", "count": 1}],
            },
        ]
    }
    plan.save()
    client.force_login(world["coordinator"])
    url = reverse("incentives:staff", args=["tainan-101"])
    assert [r.name for r in client.get(url, {"rule": "forum-posts", "status": "met"}).context["results"]] == [
        "=HYPERLINK(1)"
    ]
    assert [r.name for r in client.get(url, {"rule": "case-reports", "status": "met"}).context["results"]] == []
    assert [r.name for r in client.get(url, {"sort": "progress"}).context["results"]] == [
        "林美玲",
        "陳大文",
        "=HYPERLINK(1)",
    ]
    page = client.get(url, {"rule": "forum-posts", "sort": "awards"})
    assert [r.name for r in page.context["results"]] == ["=HYPERLINK(1)", "林美玲", "陳大文"]
    assert 'href="?rule=forum-posts&amp;sort=name"' in page.content.decode()
    assert (
        '<th scope="col" class="num" aria-sort="descending"><a href="?rule=forum-posts&amp;sort=awards">嘉獎</a></th>'
        in page.content.decode()
    )


def test_coordinator_files_every_eligible_person_of_the_filter_in_one_go(world, client):
    client.force_login(world["coordinator"])
    url = reverse("incentives:staff", args=["tainan-101"])
    page = client.post(url + "?status=near", {"all": "1"}, follow=True)
    assert [str(m) for m in page.context["messages"]] == ["請至少勾選一位符合獎勵的人員。"]
    page = client.post(url, {"all": "1"}, follow=True)
    assert [str(m) for m in page.context["messages"]] == ["已提報 1 件獎勵案。"]
    assert list(Decision.objects.values_list("employee__name", "status")) == [("=HYPERLINK(1)", "requested")]
    assert '<span class="badge status-requested">已提報</span>' in page.content.decode()
    assert (page.context["eligible"], f'name="employee" value="{world["people"][0].pk}"' in page.content.decode()) == (
        0,
        False,
    )
    page = client.post(url, {"all": "1"}, follow=True)
    assert [str(m) for m in page.context["messages"]] == ["請至少勾選一位符合獎勵的人員。"]


def test_staff_standing_as_pdf_masks_ids_for_a_coordinator(world, client):
    from pypdf import PdfReader

    client.force_login(world["coordinator"])
    response = client.get(reverse("incentives:staff", args=["tainan-101"]), {"format": "pdf"})
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    person = world["people"][1]
    assert (
        "人員達成情形" in text,
        "林美玲" in text,
        person.national_id in text,
        person.national_id[:3] + "****" + person.national_id[-3:] in text,
        "他局人員" in text,
    ) == (True, True, False, True, False)


def test_tainan_80_hour_kpi_is_the_average_of_digital_hours_on_the_headline_and_chart(world, client):
    """臺南 101 捌、一、（二）: 全年每人數位學習時數平均 — digital hours, not all learning hours."""

    plan = world["plan"]
    plan.kpis = [{"code": "average_digital_hours", "label": "全年每人數位學習時數平均", "target": 80, "unit": "小時"}]
    plan.starts_on, plan.ends_on = dt.date(2012, 1, 1), dt.date(2012, 12, 31)
    plan.save()
    for person in world["people"] + [world["stranger"]]:
        LearningRecordFactory(
            employee=person,
            course_name="課",
            course_key="課",
            hours=100,
            digital_hours=20,
            completed_on=dt.date(2012, 5, 1),
        )
    client.force_login(UserFactory(role=Role.HR, is_staff=True))
    page = client.get(reverse("incentives:kpi", args=["tainan-101"]))
    assert [(k["actual"], k["met"]) for k in page.context["kpis"]] == [(20.0, False)]
    assert page.context["hours_chart"]["label"] == "各機關平均數位學習時數"
    text = page.content.decode()
    assert "平均數位學習時數" in text and "各機關平均數位學習時數" in text


def test_staff_standing_sorts_by_name_whatever_the_national_ids(world, client):
    """The 姓名 column's arrow means what it says: rows by name, by default and when clicked, not by ID."""
    people = world["people"]
    # National IDs in the reverse order of the names, so an ID sort cannot pass for a name sort.
    for person, letter in zip(people, "ZYX"):
        person.national_id = nationalid.make(letter + "1", 2345678)
        person.save()
    client.force_login(world["coordinator"])
    url = reverse("incentives:staff", args=["tainan-101"])
    expected = sorted(p.name for p in people)
    for query in ({}, {"sort": "name"}):
        page = client.get(url, query)
        assert [r.name for r in page.context["results"]] == expected
        assert [row[0].name for row in page.context["rows"]] == expected
    html = client.get(url).content.decode()
    # The arrow is the stylesheet's (th[aria-sort] a::after), once: no second one in the text.
    assert '<th scope="col" aria-sort="ascending"><a href="?sort=name">姓名</a></th>' in html
    assert html.index("=HYPERLINK(1)") < html.index("林美玲") < html.index("陳大文")
    by_unit = client.get(url, {"sort": "unit"}).context["results"]
    assert [r.name for r in by_unit] == [r.name for r in sorted(by_unit, key=lambda r: (r.agency, r.unit, r.name))]


def test_staff_standing_shows_hours_and_a_short_shortfall_that_opens(world, client):
    world["plan"].parameters = {
        "rules": [
            {
                "code": "hours",
                "kind": "threshold_tiers",
                "tiers": [
                    {"award": "commendation", "count": 1, "any_of": [{"all_of": [{"metric": "hours", "min": 20}]}]}
                ],
            }
        ]
    }
    world["plan"].starts_on = dt.date(2012, 1, 1)
    world["plan"].save()
    person = world["people"][1]
    LearningRecordFactory(
        employee=person,
        course_name="公務倫理",
        course_key="公務倫理",
        hours=5,
        digital_hours=3,
        completed_on=dt.date(2012, 3, 3),
    )
    LearningRecordFactory(
        employee=person,
        course_name="去年課程",
        course_key="去年課程",
        hours=7,
        digital_hours=7,
        completed_on=dt.date(2011, 3, 3),
    )
    client.force_login(world["coordinator"])
    page = client.get(reverse("incentives:staff", args=["tainan-101"]))
    row = next(row for row in page.context["rows"] if row[0].employee_id == person.pk)
    hours, short = row[4], row[5]
    assert (hours.total, hours.digital) == (5, 3)
    assert short.summary == "尚缺 15 小時"
    html = page.content.decode()
    assert '<details class="shortfall"><summary>尚缺 15 小時</summary><ul><li>' in html
    assert '<td data-label="學習時數" class="num">5</td><td data-label="數位時數" class="num">3</td>' in html
    # The workbook carries the same hours under the same labels.
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("incentives:staff", args=["tainan-101"]), {"format": "xlsx"}).content)
    ).active
    header = [c.value for c in sheet[1]]
    assert header[6:9] == ["補休時數", "學習時數", "數位時數"]
    line = next(row for row in sheet.iter_rows(min_row=2, values_only=True) if row[2] == person.name)
    assert line[7:9] == (5, 3)


def test_the_short_shortfall_counts_the_courses_and_hours_of_the_next_award(db, client):
    from courses.models import Bundle, BundleCourse

    government = AgencyFactory(name="高雄市政府")
    agency = AgencyFactory(name="高雄市政府教育局", parent=government)
    plan = PlanFactory(
        slug="bundles",
        issuer=government,
        roc_year=103,
        title="套餐計畫",
        ends_on=dt.date(2014, 12, 31),
        parameters={
            "rules": [
                {
                    "code": "bundle-reward",
                    "kind": "bundle_completion",
                    "deadline": "2014-08-31",
                    "main_by_rank": True,
                    "tiers": [
                        {"side": "happy", "award": "commendation", "count": 1},
                        {"side": "deluxe", "award": "commendation", "count": 2},
                    ],
                }
            ]
        },
    )
    person = EmployeeFactory(unit=UnitFactory(agency=agency), rank="薦任", name="王小明")
    for slug, name, kind, rank, courses in [
        ("main", "薦任主餐", "main", "薦任", ["甲", "乙"]),
        ("light", "窈窕精緻餐", "side", "", ["丙"]),
        ("happy", "幸福嚴選餐", "side", "", ["丁", "戊"]),
        ("deluxe", "豪華主廚餐", "side", "", ["己", "庚", "辛"]),
    ]:
        bundle = Bundle.objects.create(plan=plan, slug=slug, name=name, kind=kind, rank=rank, hours=3 * len(courses))
        for course in courses:
            BundleCourse.objects.create(bundle=bundle, course=CourseFactory(name=course, hours=3), hours=3)
    LearningRecordFactory(
        employee=person, course_name="甲", course_key="甲", hours=3, digital_hours=3, completed_on=dt.date(2014, 3, 3)
    )
    client.force_login(UserFactory(role=Role.COORDINATOR, agencies=[agency]))
    row = client.get(reverse("incentives:staff", args=["bundles"])).context["rows"][0]
    # The main's 乙 and the happy side's 丁、戊 (the next award), not the light side that earns no award.
    assert row[5].summary == "尚缺 3 門／9 小時"
    assert len(row[5].details) == 1
