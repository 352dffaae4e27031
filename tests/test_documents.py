"""Long documents rendered by a job: a roster of thousands, its progress page and its download."""

import datetime as dt
import io
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from incentives.models import Decision, RuleVersion
from incentives.reports import ROSTER_ROWS_PER_PAGE, render_roster_pdf
from portal import rocdate
from portal.models import AuditEntry, GeneratedDocument, Role
from portal.services import build_document, purge_expired_documents, request_document
from tests.factories import AgencyFactory, DecisionFactory, EmployeeFactory, PlanFactory, UnitFactory, UserFactory


def pdf_text(data: bytes) -> list[str]:
    return [line for page in PdfReader(io.BytesIO(data)).pages for line in page.extract_text().splitlines()]


@pytest.fixture
def world(db):
    government = AgencyFactory(name="高雄市政府")
    own = AgencyFactory(name="高雄市政府人事處", parent=government)
    other = AgencyFactory(name="高雄市政府工務局", parent=government)
    plan = PlanFactory(
        slug="kaohsiung-103",
        issuer=government,
        roc_year=103,
        title="高雄市政府103年度推動數位學習實施計畫",
        parameters={"rules": [{"code": "bundle-reward", "clause": "陸、六、（三）"}]},
    )
    version = RuleVersion.objects.create(plan=plan, number=1, rules=plan.parameters["rules"])
    people = [
        EmployeeFactory(name=name, unit=UnitFactory(agency=agency))
        for name, agency in (("王小明", own), ("林美玲", own), ("陳大文", own), ("他局人員", other))
    ]
    for person in people:
        DecisionFactory(
            plan=plan,
            employee=person,
            rule_code="bundle-reward",
            rule_version=version,
            award="commendation",
            count=1,
            reason="完成主餐及幸福嚴選餐",
            status=Decision.Status.REQUESTED,
        )
    return {
        "plan": plan,
        "people": people,
        "own": own,
        "other": other,
        "coordinator": UserFactory(role=Role.COORDINATOR, agencies=[own], first_name="承辦人甲"),
        "other_coordinator": UserFactory(role=Role.COORDINATOR, agencies=[other]),
        "hr": UserFactory(role=Role.HR, is_staff=True),
    }


def test_request_document_renders_the_roster_in_the_requesters_scope(world):
    before = timezone.now()
    document = request_document(
        world["coordinator"], "roster", {"plan": "kaohsiung-103"}, title="高雄市103年度敘獎名冊"
    )
    assert (document.status, document.progress, document.file_name, document.message) == (
        "ready",
        100,
        "kaohsiung-103-roster.pdf",
        "",
    )
    assert document.expires_at - document.finished_at == dt.timedelta(days=7)
    assert before <= document.started_at <= document.finished_at
    with document.file.open("rb") as handle:
        lines = pdf_text(handle.read())
    assert lines[:2] == [
        "高雄市政府103年度推動數位學習實施計畫\u3000敘獎名冊",
        f"高雄市政府人事處\u3000製表日期：{rocdate.to_roc_long(dt.date.today())}",
    ]
    assert [line for line in lines if "嘉獎1次" in line] == [
        f"{n} 高雄市政府人事處 {e.unit.name} 科員 {e.name} 嘉獎1次 完成主餐及幸福嚴選餐 103年計畫陸、六、（三）"
        for n, e in enumerate(sorted(world["people"][:3], key=lambda e: (e.unit.name, e.name)), 1)
    ]
    assert "他局人員" not in "".join(lines)
    entry = AuditEntry.objects.get(action="document.request")
    assert (entry.actor, entry.object_id, entry.after) == (
        world["coordinator"],
        str(document.pk),
        {"kind": "roster", "plan": "kaohsiung-103"},
    )


def test_a_long_roster_reports_its_progress_page_by_page(world):
    plan, version = world["plan"], RuleVersion.objects.get()
    unit = world["people"][0].unit
    for n in range(36):
        DecisionFactory(
            plan=plan,
            employee=EmployeeFactory(unit=unit, name=f"人員{n:02d}"),
            rule_code="bundle-reward",
            rule_version=version,
            award="commendation",
            count=1,
            reason="完成主餐及幸福嚴選餐",
            status="approved",
        )
    seen = []
    pages = len(PdfReader(io.BytesIO(render_roster_pdf(plan, progress=seen.append))).pages)
    expected_pages = 40 // ROSTER_ROWS_PER_PAGE + 1
    assert (pages, expected_pages) == (4, 5)
    # collected, HTML ready, each page laid out, layout done (build_document says 100 once the file is saved)
    assert seen == [20, 40, 49, 58, 67, 76, 85]


def test_a_document_that_cannot_be_built_fails_with_a_message_and_stays_failed(world):
    document = request_document(world["hr"], "roster", {"plan": "no-such-plan"}, title="名冊")
    assert (document.status, document.message, bool(document.file)) == (
        "failed",
        "產製文件時發生系統錯誤；請稍後重試或洽系統管理者。",
        False,
    )
    assert build_document(document.pk).status == "failed"  # a job delivered twice changes nothing


def test_expired_documents_lose_their_file_but_keep_their_record(world):
    document = request_document(world["hr"], "roster", {"plan": "kaohsiung-103"}, title="名冊")
    path = document.file.path
    assert purge_expired_documents(now=document.expires_at - dt.timedelta(seconds=1)) == 0
    assert purge_expired_documents(now=document.expires_at) == 1
    document.refresh_from_db()
    assert (document.status, bool(document.file), document.message) == ("expired", False, "已逾保存期限，檔案已刪除。")
    assert not __import__("os").path.exists(path)


def test_a_short_roster_comes_at_once(world, client, settings):
    settings.ROSTER_BACKGROUND_THRESHOLD = 3
    client.force_login(world["coordinator"])
    response = client.get(reverse("incentives:roster", args=["kaohsiung-103"]))
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert GeneratedDocument.objects.count() == 0


def test_a_long_roster_goes_through_a_job_with_progress_and_a_download(world, client, settings):
    settings.ROSTER_BACKGROUND_THRESHOLD = 2
    client.force_login(world["coordinator"])
    url = reverse("incentives:roster", args=["kaohsiung-103"])
    page = client.get(url)
    assert (page.status_code, page.context["count"]) == (200, 3)
    assert "名冊共 3 件獎勵案，將於背景產製 PDF" in page.content.decode()
    response = client.post(url)
    document = GeneratedDocument.objects.get()
    assert response["Location"] == reverse("document", args=[document.pk])
    assert (document.title, document.requested_by) == (
        "高雄市政府103年度推動數位學習實施計畫 敘獎名冊（高雄市政府人事處）",
        world["coordinator"],
    )
    page = client.get(response["Location"]).content.decode()
    download = reverse("document-download", args=[document.pk])
    assert f'href="{download}"' in page
    assert 'http-equiv="refresh"' not in page  # finished: the page stops refreshing itself
    response = client.get(download)
    assert (response.status_code, response["Content-Type"], response["Content-Disposition"]) == (
        200,
        "application/pdf",
        'inline; filename="kaohsiung-103-roster.pdf"',
    )
    lines = pdf_text(b"".join(response.streaming_content))
    assert sorted(line.split()[4] for line in lines if "嘉獎1次" in line) == ["林美玲", "王小明", "陳大文"]


def test_the_progress_page_refreshes_itself_until_the_document_is_ready(world, client):
    document = GeneratedDocument.objects.create(
        kind="roster", title="名冊", requested_by=world["coordinator"], status="running", progress=40
    )
    client.force_login(world["coordinator"])
    page = client.get(reverse("document", args=[document.pk])).content.decode()
    assert ('<meta http-equiv="refresh" content="2">' in page, 'value="40"' in page) == (True, True)
    assert client.get(reverse("document-download", args=[document.pk])).status_code == 404


@pytest.mark.parametrize(
    "who, status", [("coordinator", 200), ("hr", 200), ("other_coordinator", 404), ("scoped_hr", 404)]
)
def test_only_the_requester_and_hr_see_a_document(world, client, who, status):
    document = request_document(world["coordinator"], "roster", {"plan": "kaohsiung-103"}, title="名冊")
    world["scoped_hr"] = UserFactory(role=Role.HR, agencies=[world["other"]])
    client.force_login(world[who])
    assert client.get(reverse("document", args=[document.pk])).status_code == status
    assert client.get(reverse("document-download", args=[document.pk])).status_code == status
    listed = [d.pk for d in client.get(reverse("documents")).context["documents"]]
    assert listed == ([document.pk] if status == 200 else [])


def test_an_expired_document_is_no_longer_downloadable(world, client):
    document = request_document(world["coordinator"], "roster", {"plan": "kaohsiung-103"}, title="名冊")
    GeneratedDocument.objects.filter(pk=document.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    client.force_login(world["coordinator"])
    assert client.get(reverse("document-download", args=[document.pk])).status_code == 404


def test_document_list_runs_the_same_queries_for_one_and_three_documents(world, client, django_assert_num_queries):
    client.force_login(world["hr"])
    url = reverse("documents")

    def add(n):
        for i in range(n):
            GeneratedDocument.objects.create(
                kind="roster", title=f"名冊{i}", requested_by=UserFactory(first_name=f"人{i}")
            )

    add(1)
    client.get(url)  # warm the session and the permission caches
    with django_assert_num_queries(4) as few:
        page = client.get(url)
    assert [d.title for d in page.context["documents"]] == ["名冊0"]
    add(2)
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert [d.title for d in page.context["documents"]] == ["名冊1", "名冊0", "名冊0"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_roster_document_is_built_by_a_real_worker(celery_worker_process):
    government = AgencyFactory(name="高雄市政府")
    plan = PlanFactory(
        slug="kaohsiung-103", issuer=government, roc_year=103, title="高雄市政府103年度推動數位學習實施計畫"
    )
    version = RuleVersion.objects.create(plan=plan, number=1, rules=[])
    unit = UnitFactory(agency=AgencyFactory(name="高雄市政府人事處", parent=government))
    for n in range(40):
        DecisionFactory(
            plan=plan,
            employee=EmployeeFactory(unit=unit, name=f"人員{n:02d}"),
            rule_code="bundle-reward",
            rule_version=version,
            award="commendation",
            count=1,
            reason="完成套餐",
            status="approved",
        )
    document = request_document(UserFactory(role=Role.HR), "roster", {"plan": "kaohsiung-103"}, title="名冊")
    deadline = time.monotonic() + 120
    while not document.is_finished and time.monotonic() < deadline:
        time.sleep(0.2)
        document.refresh_from_db()
    assert (document.status, document.progress) == ("ready", 100)
    with document.file.open("rb") as handle:
        names = [line.split()[4] for line in pdf_text(handle.read()) if "嘉獎1次" in line]
    assert names == [f"人員{n:02d}" for n in range(40)]
    assert "Task portal.build_document[" in celery_worker_process.log_path.read_text()
