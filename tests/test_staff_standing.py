import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from courses.models import ForumTally
from incentives.models import Decision
from portal.exporters import safe_cell
from portal.models import Role
from programs.models import Plan
from tests.factories import AgencyFactory, EmployeeFactory, UnitFactory, UserFactory

RULE = {"code": "forum-posts", "kind": "threshold_tiers", "window": {"start": "2012-01-01", "end": "2012-08-31"},
        "tiers": [{"award": "commendation", "count": 1, "any_of": [{"all_of": [{"metric": "forum_posts", "min": 200}]}]}]}


@pytest.fixture
def world(db):
    government = AgencyFactory(name="臺南市政府")
    agency = AgencyFactory(name="臺南市政府人事處", parent=government)
    other = AgencyFactory(name="臺南市政府教育局", parent=government)
    plan = Plan.objects.create(slug="tainan-101", issuer=government, roc_year=101, title="計畫",
                               ends_on=dt.date(2012, 12, 31), parameters={"rules": [RULE]})
    people = [EmployeeFactory(unit=UnitFactory(agency=agency), name=n) for n in ("=HYPERLINK(1)", "林美玲", "陳大文")]
    stranger = EmployeeFactory(unit=UnitFactory(agency=other), name="他局人員")
    for person, posts in zip(people + [stranger], (250, 170, 10, 300)):
        ForumTally.objects.create(employee=person, forum="論壇", window_start=dt.date(2012, 1, 1),
                                  window_end=dt.date(2012, 8, 31), posts=posts, replies=0)
    return {"plan": plan, "people": people, "stranger": stranger,
            "coordinator": UserFactory(role=Role.COORDINATOR, agencies=[agency])}


def test_staff_standing_filters_met_and_nearly_met(world, client):
    client.force_login(world["coordinator"])
    url = reverse("incentives:staff", args=["tainan-101"])
    assert [r.name for r in client.get(url).context["results"]] == [p.name for p in sorted(world["people"], key=lambda p: p.national_id)]
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


@pytest.mark.parametrize("value, expected", [("=1+1", "'=1+1"), ("+886", "'+886"), ("-2", "'-2"), ("@x", "'@x"), ("正常", "正常"), (3, 3)])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_kpi_dashboard_for_hr_with_targets_and_per_agency_figures(world, client):
    from courses.models import LearningRecord

    plan = world["plan"]
    plan.kpis = [{"code": "digital_5h_share", "label": "數位學習達 5 小時比率", "target": 95, "unit": "%"},
                 {"code": "average_hours", "label": "平均學習時數", "target": 80, "unit": "小時"}]
    plan.starts_on, plan.ends_on = dt.date(2012, 1, 1), dt.date(2012, 12, 31)
    plan.save()
    for person, hours in zip(world["people"], (6, 2, 100)):
        LearningRecord.objects.create(employee=person, course_name="課", course_key="課", hours=hours, digital_hours=hours,
                                      completed_on=dt.date(2012, 5, 1))
    client.force_login(UserFactory(role=Role.HR, is_staff=True))
    page = client.get(reverse("incentives:kpi", args=["tainan-101"]))
    assert page.context["overall"]["digital_5h_share"] == 50.0      # 2 of 4 covered people
    assert page.context["overall"]["average_hours"] == 27.0         # 108 hours / 4 people
    assert [(k["actual"], k["met"]) for k in page.context["kpis"]] == [(50.0, False), (27.0, False)]
    assert [(a.name, a.staff, a.with_5_digital) for a in page.context["agencies"]] == [
        ("臺南市政府人事處", 3, 2), ("臺南市政府教育局", 1, 0)]
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


def test_tally_sheet_pdf_for_plans_that_ask_for_one(world, client):
    from pypdf import PdfReader

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
