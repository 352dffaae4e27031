"""The demo (`make run`): a believable government in mid-103 and something real on every
page for each demo log-in, built only through the imports, the commands and the pages;
loading it twice changes nothing."""

import ast
import datetime as dt
import io
from collections import Counter
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from courses.models import AttendancePeriod, ForumTally, LearningRecord
from incentives.models import Decision
from leave.models import Application, Entry
from portal.demo import DEMO_PASSWORD, USERS
from portal.models import AuditEntry, Employee, ImportBatch, User
from programs.models import CampNomination, CaseReport, Certificate, ContestEntry, Nomination, Proposal, Team


def counts() -> dict:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in ("portal", "courses", "incentives", "leave", "programs")
        and m._meta.label != "portal.AuditEntry"
    }


@pytest.fixture
def demo(db, settings):
    settings.PORTAL_TODAY = "2014-07-15"
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def page(client, username, name, *args, **query):
    client.force_login(User.objects.get(username=username))
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200, (username, name)
    return response


def test_demo_has_every_kind_of_thing_for_every_log_in_and_loads_twice_the_same(demo, client):
    assert "示範資料就緒：16 個機關、30 個單位、360 位人員。" in demo
    assert (
        "高雄市：學習紀錄 5718 筆、論壇統計 576 筆、獎勵案 137 件、補休核給 138 筆、補休申請 8 件、研習推薦 20 人次、英語營 10 人、熠星申請 2 件"
        in demo
    )
    assert "臺南市（101年）：學習紀錄 240 筆、論壇統計 30 筆、獎勵案 23 件、補休核給 24 筆、補休申請 3 件。" in demo
    assert "花蓮縣（106年）：學習紀錄 375 筆、證書 23 張、獎勵案 20 件。" in demo
    assert "補休失效紀錄：新增 22 筆（至 103/07/15）。" in demo
    assert set(Decision.objects.values_list("status", flat=True)) == {
        "eligible",
        "requested",
        "approved",
        "issued",
        "rejected",
        "withheld",
    }
    assert set(Application.objects.values_list("status", flat=True)) == {
        "submitted",
        "approved",
        "returned",
        "registered",
        "cancelled",
    }
    assert set(Entry.objects.values_list("kind", flat=True)) == {"grant", "use", "lapse", "reversal"}
    assert Entry.objects.filter(kind="lapse", created_by=None).count() == Entry.objects.filter(kind="lapse").count() > 0
    assert set(Nomination.objects.values_list("status", flat=True)) == {"nominated", "confirmed", "attended", "absent"}
    assert set(Proposal.objects.values_list("status", flat=True)) == {"draft", "selected", "rated"}
    assert list(Team.objects.values_list("plan__slug", "rating")) == [("hualien-106", "優等")]
    assert (
        ContestEntry.objects.filter(plan__slug="tainan-101", placing="1").count(),
        CaseReport.objects.count() > 0,
        Certificate.objects.filter(plan__slug="hualien-106").count() > 0,
        CampNomination.objects.count() > 0,
    ) == (1, True, True, True)
    assert Counter(ImportBatch.objects.filter(status="applied").values_list("kind", flat=True)) == {
        "roster": 3,
        "course-list": 4,
        "records": 10,
        "forum": 2,
        "attendance": 1,
        "certificates": 2,
        "contest": 2,
        "team-ratings": 1,
        "case-reports": 1,
    }
    assert not ImportBatch.objects.exclude(status="applied").exists()
    # 春‧悅讀 drawn on 103/06/03 from the seed published on 103/05/30: 50 winners, one win each.
    from incentives.models import Draw

    (spring,) = Draw.objects.all()
    assert (spring.status, len(spring.winners), len(set(spring.winner_ids))) == ("drawn", 50, 50)
    # Everything the other systems hold came in through an import batch.
    for model in (LearningRecord, ForumTally, AttendancePeriod):
        assert not model.objects.filter(batch=None).exists(), model
    assert (LearningRecord.objects.count(), ForumTally.objects.count(), AttendancePeriod.objects.count()) == (
        6333,
        606,
        32,
    )
    assert Counter(Decision.objects.values_list("status", flat=True)) == {
        "eligible": 129,
        "requested": 14,
        "approved": 5,
        "issued": 23,
        "rejected": 5,
        "withheld": 4,
    }
    assert Counter(Entry.objects.values_list("kind", flat=True)) == {
        "grant": 162,
        "lapse": 22,
        "use": 11,
        "reversal": 2,
    }
    # The grants were written by the grant runs after the imports, the use by the applications on the pages.
    assert not Entry.objects.filter(kind="grant").exclude(created_by=None).exists()
    steps = AuditEntry.objects.filter(
        action__in=[
            "leave_apply",
            "leave_approved",
            "leave_returned",
            "leave_registered",
            "leave_cancelled",
            "decision_requested",
            "nominate",
            "camp_nominate",
        ]
    )
    actors = set(steps.values_list("actor__username", flat=True))
    assert None not in actors and {"emp", "sup", "hr", "coord", "coord2", "hlcoord", "tncoord"} <= actors
    assert Team.objects.get().members.count() == 5
    assert not Employee.objects.filter(agency__name="花蓮縣警察局", decisions__isnull=False).exists()
    pages_for_each_log_in(client)
    before = counts()
    again = io.StringIO()
    call_command("load_demo", stdout=again)
    assert counts() == before
    assert "示範資料已存在，未重建" in again.getvalue()


def test_demo_calls_no_service():
    """No module of the demo imports a service: every step is a command, an import or a page."""
    calling = set()
    for path in (Path(__file__).resolve().parent.parent / "portal" / "demo").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == "services":
                calling.add(path.name)
            if isinstance(node, ast.ImportFrom) and any(alias.name == "services" for alias in node.names):
                calling.add(path.name)
    assert calling == set()


def pages_for_each_log_in(client):
    """Every demo log-in of the README, with its password, and something real on its pages."""
    for username, *_rest in USERS:
        client.logout()
        response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD}, follow=True)
        assert response.context["user"].username == username
    assert client.get(reverse("admin:index")).status_code == 302  # the last log-in is not HR
    assert page(client, "hr", "admin:index").context["user"].username == "hr"
    me = page(client, "emp", "incentives:me").context["me"]
    assert (me.year, me.totals["total"], me.years, me.leave.lapsed, me.leave.balance) == (
        2014,
        49,
        [2015, 2014, 2013],
        2,
        4,
    )  # 2015: RAD 104, a plan of theirs
    kaohsiung = next(p for p in me.plans if p.plan.slug == "kaohsiung-103")
    assert [b.name for b in kaohsiung.bundles][1:] == ["窈窕精緻餐", "幸福嚴選餐", "豪華主廚餐"]
    assert [d.get_status_display() for d in me.decisions] == ["已發布獎懲令"]
    assert [a.get_status_display() for a in page(client, "emp", "leave:mine").context["applications"]] == [
        "已申請",
        "人事已登記",
    ]
    approvals = page(client, "sup", "leave:approvals").context
    assert (len(approvals["pending"]), {a.status for a in approvals["decided"]}) == (
        3,
        {"approved", "returned", "registered", "cancelled"},
    )
    # covered staff, with an award, nearly there, class nominations, camp nominations
    for username, agency, figures in (
        ("coord", "高雄市政府教育局", (62, 30, 16, 17, 6)),
        ("coord2", "高雄市政府社會局", (46, 22, 12, 7, 4)),
    ):
        standing = page(client, username, "incentives:staff", "kaohsiung-103", per=100).context["results"]
        assert {r.agency for r in standing} == {agency}
        nominations = page(client, username, "programs:nominations").context
        assert (
            len(standing),
            sum(1 for r in standing if r.awards),
            len(page(client, username, "incentives:staff", "kaohsiung-103", status="near", per=100).context["results"]),
            len(nominations["nominations"]),
            len(nominations["camp"]),
        ) == figures
        assert len(page(client, username, "programs:proposals").context["proposals"]) == 1
        assert len(page(client, username, "programs:entries").context["entries"]) == 1
    hualien = page(client, "hlemp", "incentives:me").context["me"]
    team = next(r for p in hualien.plans for r in p.rules if r.code == "yixing-team")
    assert [a.text for a in team.awards] == ["熠星團隊「花蓮縣政府數位學習熠星專案小組」評等優等，擔任成員 → 嘉獎 1 次"]
    assert len(page(client, "hlcoord", "programs:proposals").context["proposals"]) == 2
    tally = page(client, "tncoord", "incentives:staff", "tainan-101", rule="forum-posts", status="met")
    assert (tally.context["tally_sheet"], len(tally.context["results"])) == ("附件1", 5)
    kpis = page(client, "hr", "incentives:kpi", "tainan-101").context["kpis"]
    assert [k["code"] for k in kpis if k["actual"]] == [
        "digital_5h_share",
        "average_digital_hours",
        "digital_talents",
        "materials",
        "case_reports",
    ]
    assert len(page(client, "hr", "incentives:kpi-people", "tainan-101", "materials").context["people"]) == 5
    assert page(client, "hr", "home").context["plans"].count() == 5
    assert dt.date(2014, 7, 15) == page(client, "emp", "leave:mine").context["today"]
