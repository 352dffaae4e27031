"""Issue 20: pages that do not grow with the agency, long documents in parts, large imports.

The staff page paginates in SQL and filters on stored standings; the stored standings follow
imports and rule changes; 「全部」 is a background document; a long roster is rendered in parts
and joined with 編號 running on and one set of signature boxes; CSV files are read in place.
"""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from courses.models import ForumTally
from incentives.models import Decision, RuleVersion, StandingRefresh, StoredStanding
from portal import admin_display
from portal.imports.readers import FileFormatError, read_table, text_encoding
from portal.models import GeneratedDocument, ImportBatch, Role
from programs.models import Plan
from tests.factories import AgencyFactory, EmployeeFactory, UnitFactory, UserFactory

RULE = {
    "code": "forum-posts",
    "kind": "threshold_tiers",
    "clause": "柒、一",
    "window": {"start": "2012-01-01", "end": "2012-08-31"},
    "tiers": [{"award": "commendation", "count": 1, "any_of": [{"all_of": [{"metric": "forum_posts", "min": 200}]}]}],
}


@pytest.fixture
def setting(db):
    government = AgencyFactory(name="臺南市政府")
    agency = AgencyFactory(name="臺南市政府人事處", parent=government)
    plan = Plan.objects.create(
        slug="tainan-101",
        issuer=government,
        roc_year=101,
        title="計畫",
        ends_on=dt.date(2012, 12, 31),
        parameters={"rules": [RULE]},
    )
    return {
        "plan": plan,
        "agency": agency,
        "unit": UnitFactory(agency=agency, name="人事室"),
        "coordinator": UserFactory(role=Role.COORDINATOR, agencies=[agency]),
    }


def add_staff(setting, posts: list[int]) -> list:
    people = EmployeeFactory.create_batch(len(posts), unit=setting["unit"])
    ForumTally.objects.bulk_create(
        ForumTally(
            employee=person,
            forum="論壇",
            window_start=dt.date(2012, 1, 1),
            window_end=dt.date(2012, 8, 31),
            posts=n,
            replies=0,
        )
        for person, n in zip(people, posts)
    )
    return people


def staff_url(plan, **query) -> str:
    url = reverse("incentives:staff", args=[plan.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_staff_page_makes_the_same_queries_for_10_and_300_people(setting, client):
    plan = setting["plan"]
    client.force_login(setting["coordinator"])
    add_staff(setting, [250] * 5 + [10] * 5)
    call_command("refresh_standings", plan.slug)
    client.get(staff_url(plan))  # once per process, PostgreSQL is asked for its stroke collation
    with CaptureQueriesContext(connection) as ten:
        page = client.get(staff_url(plan, status="met"))
    assert (page.context["count"], len(page.context["rows"]), page.context["eligible"]) == (5, 5, 5)
    add_staff(setting, [250] * 145 + [10] * 145)
    call_command("refresh_standings", plan.slug)
    with CaptureQueriesContext(connection) as three_hundred:
        page = client.get(staff_url(plan, status="met"))
    assert (page.context["count"], len(page.context["rows"]), page.context["eligible"]) == (150, 50, 150)
    assert len(three_hundred.captured_queries) == len(ten.captured_queries)


def test_staff_page_paginates_with_a_page_size_choice_and_counts_that_agree(setting, client):
    plan = setting["plan"]
    client.force_login(setting["coordinator"])
    add_staff(setting, [250] * 60 + [170] * 40 + [10] * 20)
    call_command("refresh_standings", plan.slug)
    first = client.get(staff_url(plan))
    assert (first.context["count"], first.context["page"].paginator.num_pages, len(first.context["rows"])) == (
        120,
        3,
        50,
    )
    last = client.get(staff_url(plan, page=3))
    assert len(last.context["rows"]) == 20
    seen = {r.employee_id for p in (1, 2, 3) for r in client.get(staff_url(plan, page=p)).context["results"]}
    assert len(seen) == 120
    by_25 = client.get(staff_url(plan, per=25, status="near"))
    assert (by_25.context["count"], by_25.context["page"].paginator.num_pages, len(by_25.context["rows"])) == (
        40,
        2,
        25,
    )
    assert "第 1 頁，共 2 頁" in by_25.content.decode()
    odd_size = client.get(staff_url(plan, per=7))
    assert (odd_size.context["per"], len(odd_size.context["rows"])) == (50, 50)


def test_staff_page_sorts_by_awards_in_sql(setting, client):
    plan = setting["plan"]
    client.force_login(setting["coordinator"])
    people = add_staff(setting, [10, 250, 30])
    call_command("refresh_standings", plan.slug)
    page = client.get(staff_url(plan, sort="awards"))
    assert [r.employee_id for r in page.context["results"]][0] == people[1].pk
    nearest = client.get(staff_url(plan, sort="progress"))
    # Closest to the next award first; who has every tier has nothing left to approach.
    assert [r.employee_id for r in nearest.context["results"]] == [people[2].pk, people[0].pk, people[1].pk]


def test_stored_standings_hold_one_row_per_person_and_one_per_rule(setting):
    people = add_staff(setting, [250, 170])
    call_command("refresh_standings", setting["plan"].slug)
    rows = {
        (s.employee_id, s.rule_code): (s.met, s.near, s.awards, s.weight)
        for s in StoredStanding.objects.filter(plan=setting["plan"])
    }
    assert rows == {
        (people[0].pk, ""): (True, False, 1, 1),
        (people[0].pk, "forum-posts"): (True, False, 1, 1),
        (people[1].pk, ""): (False, True, 0, 0),
        (people[1].pk, "forum-posts"): (False, True, 0, 0),
    }


def test_an_import_makes_the_stored_standings_stale_and_the_page_refreshes_them(setting, client, settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # no worker: the page refreshes a stale plan itself
    plan = setting["plan"]
    person = add_staff(setting, [10])[0]
    call_command("refresh_standings", plan.slug)
    client.force_login(setting["coordinator"])
    assert client.get(staff_url(plan, status="met")).context["count"] == 0
    changes = StandingRefresh.objects.get(plan=plan).changes
    tally = tmp_path / "forum.csv"
    tally.write_text(
        "身分證字號,姓名,論壇名稱,統計起日,統計迄日,發表篇數,回應篇數\n"
        f"{person.national_id},{person.name},市民論壇,101/01/01,101/08/31,300,0\n",
        encoding="utf-8",
    )
    call_command("import_forum", str(tally))
    refresh = StandingRefresh.objects.get(plan=plan)
    assert (refresh.changes, refresh.stale) == (changes + 1, True)
    page = client.get(staff_url(plan, status="met"))
    assert [r.employee_id for r in page.context["results"]] == [person.pk]
    assert StandingRefresh.objects.get(plan=plan).stale is False
    taken = admin_display.roc_datetime(StandingRefresh.objects.get(plan=plan).refreshed_at)  # 115/12/01 12:50
    assert f"篩選與排序依 {taken} 整理的評估結果" in page.content.decode()


def test_a_rule_change_makes_its_plans_standings_stale(setting, client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # no worker: the page refreshes a stale plan itself
    from incentives import services

    plan = setting["plan"]
    add_staff(setting, [170])
    call_command("refresh_standings", plan.slug)
    hr = UserFactory(role=Role.HR, is_staff=True)
    lower = {**RULE, "tiers": [{**RULE["tiers"][0], "any_of": [{"all_of": [{"metric": "forum_posts", "min": 150}]}]}]}
    services.update_rule(hr, plan, lower)
    assert StandingRefresh.objects.get(plan=plan).stale is True
    client.force_login(setting["coordinator"])
    assert client.get(staff_url(plan, status="met")).context["count"] == 1


def test_the_refresh_button_refreshes_now_without_a_worker(setting, client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # no worker: the page refreshes a stale plan itself
    plan = setting["plan"]
    add_staff(setting, [250])
    client.force_login(setting["coordinator"])
    response = client.post(staff_url(plan), {"refresh": "1"})
    assert (response.status_code, StoredStanding.objects.filter(plan=plan, rule_code="", met=True).count()) == (302, 1)


def test_everyone_over_the_threshold_is_a_background_xlsx(setting, client, settings, tmp_path):
    settings.STANDING_BACKGROUND_THRESHOLD = 2
    settings.MEDIA_ROOT = tmp_path
    plan = setting["plan"]
    add_staff(setting, [250, 170, 10])
    call_command("refresh_standings", plan.slug)
    client.force_login(setting["coordinator"])
    offer = client.get(staff_url(plan, format="xlsx"))
    assert (offer.templates[0].name, offer.context["count"]) == ("incentives/standing_background.html", 3)
    response = client.post(staff_url(plan), {"export": "xlsx"})
    document = GeneratedDocument.objects.get()
    assert (response.url, document.status, document.file_name) == (
        reverse("document", args=[document.pk]),
        "ready",
        "tainan-101-standing.xlsx",
    )
    download = client.get(reverse("document-download", args=[document.pk]))
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert (len(rows), rows[0][:3], sorted(r[3] for r in rows[1:])) == (4, ("機關", "單位", "姓名"), [0, 0, 1])


def test_a_long_roster_is_rendered_in_parts_with_one_numbering_and_one_set_of_signatures(db, settings, monkeypatch):
    from incentives.reports import render_roster_pdf
    from portal import pdf

    settings.ROSTER_BACKGROUND_THRESHOLD = 5
    monkeypatch.setattr(pdf, "PART_ROWS", 4)
    government = AgencyFactory(name="高雄市政府")
    unit = UnitFactory(agency=AgencyFactory(name="高雄市政府人事處", parent=government))
    plan = Plan.objects.create(
        slug="kaohsiung-103", issuer=government, roc_year=103, title="計畫", parameters={"rules": [RULE]}
    )
    version = RuleVersion.objects.create(plan=plan, number=1, rules=[RULE])
    for person in EmployeeFactory.create_batch(10, unit=unit):
        Decision.objects.create(
            plan=plan,
            employee=person,
            rule_code="forum-posts",
            rule_version=version,
            award="commendation",
            count=1,
            reason="論壇發表",
            status=Decision.Status.REQUESTED,
        )
    parts_seen = []
    data = render_roster_pdf(plan, None, "全部", progress=parts_seen.append)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    text = "\n".join(pages)
    numbers = [int(n) for n in re.findall(r"^(\d+) ", text, flags=re.MULTILINE)]
    assert numbers == list(range(1, 11))
    assert (text.count("敘獎名冊"), text.count("承辦人"), text.count("人事主管")) == (1, 1, 1)
    assert [f"第 {n} 頁，共 {len(pages)} 頁" in page for n, page in enumerate(pages, 1)] == [True] * len(pages)
    assert len(pages) >= 3 and parts_seen[-1] == 95


def test_a_csv_is_read_from_its_file_in_pieces(tmp_path, monkeypatch):
    from portal.imports import readers

    monkeypatch.setattr(readers, "PIECE", 16)
    path = tmp_path / "big5.csv"
    path.write_bytes("姓名,課程\n".encode("cp950") + "王小明,公務倫理\n".encode("cp950") * 20)
    with path.open("rb") as handle:
        assert text_encoding(handle) == "cp950"
        table = read_table(handle, "big5.csv")
        rows = list(table.rows)
        assert (table.headers, table.total, len(rows), rows[-1]) == (
            ["姓名", "課程"],
            20,
            20,
            (21, ["王小明", "公務倫理"]),
        )
        assert handle.closed is False
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"a,b\n" * 10 + b"c,\x81\xff\n")
    with bad.open("rb") as handle, pytest.raises(FileFormatError) as refused:
        text_encoding(handle)
    assert str(refused.value).startswith("第 11 列含有無法辨識的字元")


def test_an_upload_over_the_memory_size_goes_to_disk_and_imports(db, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64
    client.force_login(UserFactory(role=Role.HR, is_staff=True))
    roster = (
        "身分證字號,姓名,機關名稱,人員類別\n"
        + "A123456789,王小明,甲機關,編制內\n"
        + "F234567898,林美玲,甲機關,編制內\n"
    )
    response = client.post(
        reverse("import-new"),
        {"kind": "roster", "file": SimpleUploadedFile("roster.csv", roster.encode(), content_type="text/csv")},
    )
    batch = ImportBatch.objects.get()
    assert (response.status_code, batch.status, batch.created_count) == (302, "applied", 2)


def test_the_upload_limit_is_two_gigabytes_unless_configured(settings):
    from portal.services import too_large_message

    assert too_large_message() == "檔案過大（上限 2 GB）。"
    settings.IMPORT_MAX_BYTES = 100 * 1024 * 1024
    assert too_large_message() == "檔案過大（上限 100 MB）。"


def test_the_refresh_tasks_store_standings_and_run_nightly(setting, settings):
    from incentives import tasks

    add_staff(setting, [250, 10])
    assert tasks.refresh_standings(setting["plan"].pk) == 2
    assert tasks.refresh_standings_everywhere() == 2
    assert StoredStanding.objects.filter(plan=setting["plan"], rule_code="").count() == 2
    assert settings.CELERY_BEAT_SCHEDULE["standings-refresh"]["task"] == "incentives.refresh_standings_everywhere"


def test_with_a_worker_an_import_queues_the_refresh(setting, settings, monkeypatch, django_capture_on_commit_callbacks):
    from incentives.refresh import standings_changed
    from portal.celery import app

    queued = []
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(app, "send_task", lambda name, args: queued.append((name, args)))
    with django_capture_on_commit_callbacks(execute=True):
        standings_changed()
    assert queued == [("incentives.refresh_standings", [setting["plan"].pk])]


def test_with_workers_a_small_plan_is_refreshed_by_the_page_and_a_large_one_is_queued(
    setting, client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from portal.celery import app

    queued = []
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(app, "send_task", lambda name, args: queued.append((name, args)))
    plan = setting["plan"]
    add_staff(setting, [250, 10, 10])
    client.force_login(setting["coordinator"])
    settings.STANDING_REFRESH_IN_REQUEST = 2  # the plan covers 3 people: the workers' job
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(staff_url(plan, status="met"))
    assert (page.context["count"], StoredStanding.objects.filter(plan=plan).count()) == (0, 0)
    assert queued == [("incentives.refresh_standings", [plan.pk])]
    settings.STANDING_REFRESH_IN_REQUEST = 3  # small enough: refreshed within the request
    assert client.get(staff_url(plan, status="met")).context["count"] == 1
    assert StoredStanding.objects.filter(plan=plan, rule_code="", met=True).count() == 1
