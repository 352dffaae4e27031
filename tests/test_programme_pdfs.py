"""The annual plan and the 熠星 proposal as printed documents: exact text, A4, page numbers, ROC date."""

import datetime as dt
import io
import re

import pytest
import yaml
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from portal import rocdate
from portal.models import Role
from programs.loader import load_plan
from programs.reports import period_text, render_plan_pdf, render_proposal_pdf
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    EmployeeFactory,
    PlanFactory,
    ProposalFactory,
    SessionFactory,
    TrainingClassFactory,
    UnitFactory,
    UserFactory,
)

A4 = (595, 842)


def pdf_lines(data: bytes) -> tuple[list[str], list[tuple[int, int]]]:
    reader = PdfReader(io.BytesIO(data))
    lines = [line for page in reader.pages for line in page.extract_text().splitlines()]
    sizes = [(round(page.mediabox.width), round(page.mediabox.height)) for page in reader.pages]
    return lines, sizes


def footer(page: int, pages: int) -> str:
    return f"第 {page} 頁，共 {pages} 頁 列印日期：{rocdate.to_roc_long(dt.date.today())}"


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (dt.date(2015, 3, 1), dt.date(2015, 7, 31), "104年3月至7月"),
        (dt.date(2015, 11, 1), dt.date(2015, 11, 30), "104年11月"),
        (dt.date(2014, 12, 1), dt.date(2015, 2, 28), "103年12月至104年2月"),
        (dt.date(2015, 4, 23), dt.date(2015, 4, 23), "104年4月23日"),
        (dt.date(2015, 1, 19), dt.date(2015, 1, 23), "104年1月19日至1月23日"),
        (dt.date(2015, 2, 1), None, "104年2月起"),
        (dt.date(2015, 2, 5), None, "104年2月5日起"),
        (None, dt.date(2017, 9, 30), "至106年9月30日止"),
        (None, None, ""),
    ],
)
def test_period_text_reads_like_the_plans(start, end, expected):
    assert period_text(start, end) == expected


@pytest.fixture
def small_plan(db):
    government = AgencyFactory(name="示範市政府")
    police = AgencyFactory(name="示範市警察局", parent=government)
    plan = PlanFactory(
        slug="demo-104",
        issuer=government,
        roc_year=104,
        title="示範市政府104年度數位學習推動計畫",
        slogan="e學好樂",
        issued_on=dt.date(2015, 1, 20),
        reference="示府人考字第1040000001號",
        basis=["組織法。", "培訓方案。"],
        goals=["帶動知識分享。"],
        starts_on=dt.date(2015, 1, 1),
        ends_on=dt.date(2015, 12, 31),
        coverage_text="本府所屬公務人員。",
        kpis=[
            {"code": "digital_5h_share", "label": "數位學習達5小時比率", "target": 95, "unit": "%", "clause": "玖、一"}
        ],
        parameters={
            "rules": [
                {
                    "code": "forum-posts",
                    "kind": "threshold_tiers",
                    "clause": "捌、一",
                    "text": "發表及回應達200篇者嘉獎1次。",
                    "window": {"start": "2015-01-01", "end": "2015-08-31"},
                    "filing_deadline": "2015-10-15",
                    "tally_sheet": "附件1",
                }
            ]
        },
    )
    plan.excluded_agencies.set([police])
    classes = ActivityFactory(
        plan=plan,
        slug="classes",
        kind="training_class",
        name="提升數位能力",
        clause="柒、一",
        description="培育數位種籽人才。",
        position=0,
    )
    basic = TrainingClassFactory(
        activity=classes,
        slug="basic",
        name="自製數位教材基礎班",
        eligibility="本府公務人員。",
        planned_sessions=2,
        days_per_session=3,
        venue="本中心",
        starts_on=dt.date(2015, 3, 1),
        ends_on=dt.date(2015, 7, 31),
    )
    SessionFactory(training_class=basic, number=1, starts_on=dt.date(2015, 3, 2), ends_on=dt.date(2015, 3, 4))
    SessionFactory(
        training_class=basic, number=2, starts_on=dt.date(2015, 7, 1), ends_on=dt.date(2015, 7, 3), venue="臺南"
    )
    ActivityFactory(
        plan=plan,
        slug="camp",
        kind="english_camp",
        name="線上英語營",
        clause="柒、二",
        position=1,
        starts_on=dt.date(2015, 2, 1),
        ends_on=dt.date(2015, 11, 30),
        participants="有興趣之同仁。",
        description="組成英語學習圈。",
    )
    return plan


def test_plan_pdf_prints_every_section_with_the_official_numbering(small_plan):
    lines, sizes = pdf_lines(render_plan_pdf(small_plan))
    assert sizes == [A4, A4]
    assert lines == [
        "e學好樂",
        "示範市政府104年度數位學習推動計畫",
        "104年1月20日示府人考字第1040000001號函訂",
        "壹、依據",
        "一、組織法。",
        "二、培訓方案。",
        "貳、目標",
        "一、帶動知識分享。",
        "參、實施期間：104年1月1日至104年12月31日。",
        "肆、實施對象：本府所屬公務人員。",
        "不適用機關：示範市警察局。",
        "伍、實施內容",
        "一、提升數位能力（原計畫柒、一）",
        "培育數位種籽人才。",
        "（一）自製數位教材基礎班",
        "1、參加對象：本府公務人員。",
        "2、辦理時間：104年3月至7月",
        "3、辦理地點：本中心",
        "4、辦理期數：預定辦理2期，每期3天。",
        "（1）第1期：104年3月2日至3月4日",
        "（2）第2期：104年7月1日至7月3日：臺南",
        "二、線上英語營（原計畫柒、二）",
        "（一）辦理期間：104年2月至11月",
        "（二）參加對象：有興趣之同仁。",
        "（三）辦理方式：組成英語學習圈。",
        "陸、獎勵措施",
        "一、發表及回應達200篇者嘉獎1次。（原計畫捌、一）",
        "（一）計算期間：104年1月至8月",
        "（二）提報期限：104年10月15日前，檢附附件1統計表",
        footer(1, 2),
        "柒、績效指標",
        "一、數位學習達5小時比率：95%（原計畫玖、一）",
        footer(2, 2),
    ]


def test_plan_pdf_of_hualien_follows_its_sections_in_order(db):
    data = yaml.safe_load((settings.BASE_DIR / "fixtures" / "plans" / "hualien-106.yaml").read_text(encoding="utf-8"))
    lines, sizes = pdf_lines(render_plan_pdf(load_plan(data)))
    assert sizes == [A4] * 3
    assert [line for line in lines if re.match(r"[壹貳參肆伍陸柒捌玖拾]+、", line)] == [
        "壹、依據",
        "貳、目標",
        "參、實施期間：106年1月1日至106年12月31日。",
        "肆、實施對象：本府及所屬一、二級機關學校（警察局除外）依法任用之有給專",
        "伍、實施內容",
        "陸、獎勵措施",
    ]
    activities = lines[lines.index("伍、實施內容") : lines.index("陸、獎勵措施")]
    assert [line for line in activities if re.match(r"[一二三四五六七八九十]+、", line)] == [
        "一、深耕數位，建置自助餐課程（原計畫陸、一）",
        "二、推動數位學習熠星方案（原計畫陸、二）",
        "三、熠星方案課程內容（原計畫陸、二、（三））",
        "四、提升英語力-線上英語營（原計畫陸、三）",
        "五、推廣MOOCs(磨課師)學習（原計畫陸、四）",
    ]
    # 陸、二、（四）: the team rewards by rating, as the plan's data holds them.
    assert lines[lines.index("二、推動數位學習熠星方案：1、特優：專案小組主持人記功一次、小組成") + 3 :][:3] == [
        "（一）特優：主持人記功1次、成員嘉獎2次",
        "（二）優等：主持人嘉獎2次、成員嘉獎1次",
        "（三）良好：主持人嘉獎1次",
    ]
    assert [lines[i] for i in (-1, len(lines) - 1 - lines[::-1].index(footer(1, 3)))] == [footer(3, 3), footer(1, 3)]


@pytest.fixture
def proposal(db):
    government = AgencyFactory(name="花蓮縣政府")
    agency = AgencyFactory(name="花蓮縣政府人事處", parent=government)
    plan = PlanFactory(
        slug="hualien-106", issuer=government, roc_year=106, title="花蓮縣一〇六年度推動公務人員數位學習實施計畫"
    )
    activity = ActivityFactory(
        plan=plan,
        slug="yixing",
        kind="yixing",
        name="推動數位學習熠星方案",
        details={"proposal_form": {"attachment": "附件1", "title": "106年度推動數位學習熠星方案實施計畫(參考用表格)"}},
    )
    leader = EmployeeFactory(name="林志明", unit=UnitFactory(agency=agency))
    proposal = ProposalFactory(
        activity=activity,
        agency=agency,
        title="花蓮好學數位傳承計畫",
        leader=leader,
        fields={
            "contact": "王小明",
            "contact_title": "科員",
            "phone": "03-8227171",
            "email": "hr@hl.gov.tw",
            "address": "花蓮市府前路17號",
            "goals": "完成三門在地課程。",
            "topics": "防災知識傳承。",
            "participants": "防災業務同仁。",
            "strategy": "分階段推動。",
            "schedule": "4月組成小組，12月發表。",
            "materials": "颱風應變課程。",
            "forums": "防災知識社群。",
            "kpis": "教材2門。",
            "rewards": "依成果獎勵。",
            "notes": "首次結合防災與觀光。",
        },
    )
    proposal.members.set([EmployeeFactory(name="陳美華", agency=agency, unit=leader.unit)])
    return proposal


def test_proposal_pdf_fills_hualien_form_in_its_order(proposal):
    lines, sizes = pdf_lines(render_proposal_pdf(proposal))
    assert sizes == [A4]
    assert lines == [
        "附件1：",
        "106年度推動數位學習熠星方案實施計畫",
        "縣市別 花蓮縣政府 推動機關(單位) 花蓮縣政府人事處",
        "聯 絡 人 王小明 職\u3000\u3000稱 科員",
        "電話 03-8227171",
        "e-mail hr@hl.gov.tw",
        "地址 花蓮市府前路17號",
        "計畫名稱 花蓮好學數位傳承計畫",
        "計畫內容：",
        "一、目標：完成三門在地課程。",
        "二、推動議題：防災知識傳承。",
        "三、參加對象：防災業務同仁。",
        "四、實施作法",
        "（一）策略：分階段推動。",
        "（二）組成專案小組：主持人林志明；成員陳美華",
        "五、實施內容（含時程）：4月組成小組，12月發表。",
        "（一）製作數位素材提升管理效能或服務品質：颱風應變課程。",
        "（二）建立社群論壇強化知識社群運用能力：防災知識社群。",
        "六、關鍵績效指標（KPI）：教材2門。",
        "七、獎勵方式：依成果獎勵。",
        "其他補充說明：",
        "首次結合防災與觀光。",
        "備註：計畫撰寫體例：1.以Ａ４紙張，雙面、直式、橫書繕打，計畫內容及所有附件以黑白印刷即可，",
        "採左側裝訂。2.字體規格：(1)以14號字標楷體為原則。(2)數字標號：依序為壹、一、（一）、1、",
        "（1）。",
        "狀態：草稿",
        footer(1, 1),
    ]


def test_a_long_proposal_runs_over_pages_that_are_all_numbered(proposal):
    proposal.fields["strategy"] = "需求導向、分階段、分層級推動數位學習。" * 120
    lines, sizes = pdf_lines(render_proposal_pdf(proposal))
    assert sizes == [A4] * 4
    assert [line for line in lines if line.startswith("第 ")] == [footer(n, 4) for n in (1, 2, 3, 4)]
    assert lines[-2:] == ["狀態：草稿", footer(4, 4)]


@pytest.mark.parametrize(
    "role, status", [("hr", 200), ("coordinator_own", 200), ("coordinator_other", 404), ("employee", 403)]
)
def test_proposal_pdf_is_scoped_like_the_proposal(proposal, client, role, status):
    other = AgencyFactory(name="秀林鄉公所", parent=proposal.agency.parent)
    users = {
        "hr": UserFactory(role=Role.HR),
        "coordinator_own": UserFactory(role=Role.COORDINATOR, agencies=[proposal.agency]),
        "coordinator_other": UserFactory(role=Role.COORDINATOR, agencies=[other]),
        "employee": UserFactory(role=Role.EMPLOYEE, employee=proposal.leader),
    }
    client.force_login(users[role])
    response = client.get(reverse("programs:proposal-pdf", args=[proposal.pk]))
    assert (response.status_code, response.get("Content-Type")) == (
        status,
        "application/pdf" if status == 200 else response.get("Content-Type"),
    )
    if status == 200:
        assert response["Content-Disposition"] == f'inline; filename="proposal-{proposal.pk}.pdf"'
        assert pdf_lines(response.content)[0][2] == "縣市別 花蓮縣政府 推動機關(單位) 花蓮縣政府人事處"


def test_proposal_pages_link_to_the_pdf(proposal, client):
    client.force_login(UserFactory(role=Role.COORDINATOR, agencies=[proposal.agency]))
    url = reverse("programs:proposal-pdf", args=[proposal.pk])
    assert f'href="{url}"' in client.get(reverse("programs:proposals")).content.decode()
    assert f'href="{url}"' in client.get(reverse("programs:proposal", args=[proposal.pk])).content.decode()


def test_plan_pdf_is_linked_and_served_to_an_employee(small_plan, client):
    client.force_login(UserFactory(role=Role.EMPLOYEE, employee=EmployeeFactory()))
    url = reverse("programs:plan-pdf", args=[small_plan.slug])
    assert f'href="{url}"' in client.get(reverse("programs:plan", args=[small_plan.slug])).content.decode()
    response = client.get(url)
    assert (response.status_code, response["Content-Type"], response["Content-Disposition"]) == (
        200,
        "application/pdf",
        'inline; filename="demo-104-plan.pdf"',
    )
    assert pdf_lines(response.content)[0][1] == "示範市政府104年度數位學習推動計畫"
