"""The KPI report: the dashboard's targets, figures and charts as a printed A4 document, for HR."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from incentives.kpis import bar_charts
from incentives.reports import render_kpi_report_pdf
from portal import rocdate
from portal.models import Role
from tests.factories import AgencyFactory, EmployeeFactory, LearningRecordFactory, PlanFactory, UnitFactory, UserFactory


@pytest.fixture
def plan(db):
    government = AgencyFactory(name="臺南市政府")
    hr_office = AgencyFactory(name="臺南市政府人事處", parent=government)
    education = AgencyFactory(name="臺南市政府教育局", parent=government)
    plan = PlanFactory(
        slug="tainan-101",
        issuer=government,
        roc_year=101,
        title="臺南市政府101年度數位學習推廣計畫",
        starts_on=dt.date(2012, 1, 1),
        ends_on=dt.date(2012, 12, 31),
        kpis=[
            {
                "code": "digital_5h_share",
                "label": "數位學習達5小時比率",
                "target": 95,
                "unit": "%",
                "clause": "捌、一、（一）",
            },
            {
                "code": "average_hours",
                "label": "每人學習時數平均",
                "target": 30,
                "unit": "小時",
                "clause": "捌、一、（二）",
            },
            {"code": "materials", "label": "自製數位教材", "target": 15, "unit": "門", "clause": "捌、一、（四）"},
        ],
    )
    unit = UnitFactory(agency=hr_office)
    for name, hours in (("甲", 6), ("乙", 2), ("丙", 100)):
        person = EmployeeFactory(unit=unit, name=name)
        LearningRecordFactory(
            employee=person,
            course_name="課",
            course_key="課",
            hours=hours,
            digital_hours=hours,
            completed_on=dt.date(2012, 5, 1),
        )
    EmployeeFactory(unit=UnitFactory(agency=education), name="丁")
    return plan


def test_kpi_report_sets_targets_against_figures_overall_and_per_agency(plan):
    reader = PdfReader(io.BytesIO(render_kpi_report_pdf(plan)))
    assert [(round(p.mediabox.width), round(p.mediabox.height)) for p in reader.pages] == [(595, 842)]
    assert reader.pages[0].extract_text().splitlines() == [
        "臺南市政府101年度數位學習推廣計畫",
        "績效指標報告",
        "統計期間：101年1月1日至101年12月31日\u3000涵蓋 4 人",
        "一、目標與實績",
        "指標 目標 實績 達成",
        "數位學習達5小時比率（捌、一、（一）） 95% 50.0% 未達成",
        "每人學習時數平均（捌、一、（二）） 30小時 27.0小時 未達成",
        "自製數位教材（捌、一、（四）） 15門 0門 未達成",
        "數位學習達 5 小時者 50.0%；平均學習時數 27.0 小時；平均數位學習時數 27.0 小時。",
        "二、各機關實績",
        "機關 人數 數位學習達 5 小時人數 達 5 小時比率（目標 95%） 平均學習時數（目標 30小時）",
        "臺南市政府人事處 3 2 66.7%未達成 36.0小時達成",  # 108 hours / 3 people ≥ 30
        "臺南市政府教育局 1 0 0.0%未達成 0.0小時未達成",
        "三、各機關數位學習達 5 小時比率（%）",
        "虛線為目標值。",
        "四、各機關平均學習時數",
        "虛線為目標值。",
        "承辦人 單位主管 人事主管",
        # the charts' own labels and values (SVG text)
        "臺南市政府人事處 66.7",
        "臺南市政府教育局 0.0",
        "臺南市政府人事處 36.0",
        "臺南市政府教育局 0.0",
        f"第 1 頁，共 1 頁 製表日期：{rocdate.to_roc_long(dt.date.today())}",
    ]


def test_bar_charts_split_long_lists_on_one_scale_with_the_target_marked():
    values = [(f"機關{i}", float(i)) for i in range(1, 66)]
    charts = bar_charts("平均學習時數", values, "#2f855a", per_chart=30, target=80)
    assert [(len(c["bars"]), c["height"], c["target_x"]) for c in charts] == [
        (30, 790, 560.0),
        (30, 790, 560.0),
        (5, 140, 560.0),
    ]
    # The same scale in every part: 65 hours is the longest bar, the target of 80 is the top.
    assert (charts[0]["bars"][0]["width"], charts[2]["bars"][-1]["width"], charts[2]["bars"][-1]["y"]) == (
        4.5,
        292.5,
        104,
    )
    assert bar_charts("比率", [], "#0b5cab")[0]["bars"] == []


def test_kpi_report_is_for_hr_and_linked_from_the_dashboard(plan, client):
    url = reverse("incentives:kpi-pdf", args=[plan.slug])
    client.force_login(UserFactory(role=Role.COORDINATOR, agencies=[plan.issuer]))
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(role=Role.HR))
    assert f'href="{url}"' in client.get(reverse("incentives:kpi", args=[plan.slug])).content.decode()
    response = client.get(url)
    assert (response.status_code, response["Content-Type"], response["Content-Disposition"]) == (
        200,
        "application/pdf",
        'inline; filename="tainan-101-kpi.pdf"',
    )
    assert (
        PdfReader(io.BytesIO(response.content)).pages[0].extract_text().splitlines()[11]
        == "臺南市政府人事處 3 2 66.7%未達成 36.0小時達成"
    )
