"""A coordinator's lists — nominations, proposals, contest entries — on screen, as XLSX with
formulas neutralised and as PDF, each showing only the coordinator's agencies."""

import io

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from portal.models import Role
from programs.models import CampNomination, Nomination
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    ContestEntryFactory,
    EmployeeFactory,
    PlanFactory,
    ProposalFactory,
    SessionFactory,
    TrainingClassFactory,
    UnitFactory,
    UserFactory,
)

FORMULA = '=HYPERLINK("http://x")'


@pytest.fixture
def world(db):
    government = AgencyFactory(name="花蓮縣政府")
    ours = AgencyFactory(name="花蓮縣政府人事處", parent=government)
    theirs = AgencyFactory(name="花蓮縣政府教育處", parent=government)
    plan = PlanFactory(slug="hualien-106", issuer=government, roc_year=106, title="花蓮縣一〇六年度計畫")
    classes = ActivityFactory(plan=plan, slug="classes", kind="training_class", name="研習班")
    session = SessionFactory(
        training_class=TrainingClassFactory(activity=classes, slug="basic", name="基礎班"),
        number=1,
        capacity=30,
    )
    camp = ActivityFactory(plan=plan, slug="camp", kind="english_camp", name="線上英語營")
    yixing = ActivityFactory(plan=plan, slug="yixing", kind="yixing", name="熠星方案")
    mine = EmployeeFactory(unit=UnitFactory(agency=ours), name=FORMULA)
    other = EmployeeFactory(unit=UnitFactory(agency=theirs), name="他處人員")
    for person in (mine, other):
        Nomination.objects.create(session=session, employee=person, priority_label="熠星方案參與者")
        CampNomination.objects.create(
            activity=camp, employee=person, government=government, circle="+圈", is_circle_leader=True
        )
        ProposalFactory(
            activity=yixing,
            agency=person.agency,
            title=f"@{person.agency.name}提案",
            leader=person,
            status="rated",
            rating="優等",
        )
        entry = ContestEntryFactory(
            plan=plan, title=f"-{person.agency.name}作品", agency=person.agency, review="通過", placing="1"
        )
        entry.authors.set([person])
    return {"mine": mine, "coordinator": UserFactory(role=Role.COORDINATOR, agencies=[ours])}


def sheet(response):
    return [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows()]


def test_nominations_xlsx_lists_classes_and_camp_with_formulas_neutralised(world, client):
    client.force_login(world["coordinator"])
    rows = sheet(client.get(reverse("programs:nominations"), {"format": "xlsx"}))
    masked = world["mine"].national_id[:3] + "****" + world["mine"].national_id[-3:]
    assert rows == [
        ["班期／活動", "機關", "單位", "姓名", "身分證字號", "優先身分／圈長", "狀態", "說明／英語圈"],
        [
            "基礎班 第1期",
            "花蓮縣政府人事處",
            world["mine"].unit.name,
            "'" + FORMULA,
            masked,
            "熠星方案參與者",
            "已推薦",
            None,
        ],
        ["線上英語營", "花蓮縣政府人事處", world["mine"].unit.name, "'" + FORMULA, masked, "圈長", "已推薦", "'+圈"],
    ]


def test_proposals_and_entries_xlsx_show_only_the_coordinators_agency(world, client):
    client.force_login(world["coordinator"])
    proposals = sheet(client.get(reverse("programs:proposals"), {"format": "xlsx"}))
    assert [r[:8] for r in proposals] == [
        ["計畫", "機關", "計畫名稱", "主持人", "成員人數", "類別", "狀態", "評等"],
        [
            "花蓮縣一〇六年度計畫",
            "花蓮縣政府人事處",
            "'@花蓮縣政府人事處提案",
            "'" + FORMULA,
            0,
            "新申請",
            "已評等",
            "優等",
        ],
    ]
    entries = sheet(client.get(reverse("programs:entries"), {"format": "xlsx"}))
    assert entries == [
        ["計畫", "作品", "機關", "作者", "審查", "名次"],
        ["花蓮縣一〇六年度計畫", "'-花蓮縣政府人事處作品", "花蓮縣政府人事處", "'" + FORMULA, "通過", "第一名"],
    ]


@pytest.mark.parametrize("url", ["programs:nominations", "programs:proposals", "programs:entries"])
def test_each_list_prints_as_pdf(world, client, url):
    client.force_login(world["coordinator"])
    response = client.get(reverse(url), {"format": "pdf"})
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert (response["Content-Type"], "花蓮縣政府人事處" in text, "花蓮縣政府教育處" in text, "他處人員" in text) == (
        "application/pdf",
        True,
        False,
        False,
    )


def test_entries_page_is_for_coordinators_and_hr(world, client):
    client.force_login(UserFactory(role=Role.EMPLOYEE, employee=world["mine"]))
    assert client.get(reverse("programs:entries")).status_code == 403
    client.force_login(world["coordinator"])
    page = client.get(reverse("programs:entries"))
    assert [e.title for e in page.context["entries"]] == ["-花蓮縣政府人事處作品"]


def test_home_lists_the_plans_a_coordinator_works_on(world, client):
    PlanFactory(
        slug="rad-104",
        issuer=AgencyFactory(name="研習中心"),
        roc_year=104,
        title="中央計畫",
        parameters={"coverage_scope": "all"},
    )
    PlanFactory(slug="tainan-101", issuer=AgencyFactory(name="臺南市政府"), roc_year=101, title="臺南計畫")
    client.force_login(world["coordinator"])
    page = client.get(reverse("home"))
    assert [p.slug for p in page.context["plans"]] == ["hualien-106", "rad-104"]
    assert reverse("incentives:staff", args=["hualien-106"]) in page.content.decode()
