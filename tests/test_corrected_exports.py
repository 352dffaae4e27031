"""Exports that correct earlier ones: `import_records FILE --period START:END` withdraws the
records of the file's people in the period that the file no longer holds (kept for the
audit trail, counted nowhere), reports additions, corrections and withdrawals, and previews
them on the upload page before HR applies the same file.

Run on SQLite and, with DATABASE_URL naming PostgreSQL, through the streamed COPY path."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from courses.models import LearningRecord
from incentives.standing import my_standing
from portal.models import AuditEntry, ImportBatch, Role
from portal.services import purge_expired_previews
from tests.factories import EmployeeFactory, PlanFactory, UserFactory
from tests.importing import csv_bytes, run_command

HEADER = "身分證字號,姓名,課程名稱,學習迄日,學習時數,開課機關"
PERIOD = "2014-01-01:2014-06-30"

FIRST = [
    "A123456789,王小明,公務倫理X,2014-03-10,2,e學中心",
    "A123456789,王小明,環境教育,2014-04-01,3,e學中心",
]
# The portal corrected X's completion date; everything else is as before.
SECOND = [
    "A123456789,王小明,公務倫理X,2014-03-12,2,e學中心",
    "A123456789,王小明,環境教育,2014-04-01,3,e學中心",
]


@pytest.fixture
def people(db):
    return [
        EmployeeFactory(national_id="A123456789", name="王小明"),
        EmployeeFactory(national_id="F234567898", name="林美玲"),
    ]


def records_import(tmp_path, rows, *args):
    return run_command("import_records", tmp_path, csv_bytes(HEADER, *rows), "export.csv", *args)


def counted(person) -> list[tuple[str, dt.date]]:
    return sorted(LearningRecord.objects.filter(employee=person).values_list("course_name", "completed_on"))


def year_hours(person, year: int = 2014) -> Decimal:
    return my_standing(person, year).totals["total"]


def test_a_corrected_date_replaces_the_record_and_the_old_one_is_withdrawn_and_kept(people, tmp_path):
    wang, lin = people
    assert records_import(tmp_path, FIRST + ["F234567898,林美玲,公務倫理X,2014-03-10,2,e學中心"])[0] == 0
    # Outside the period: untouched even though the file does not hold it.
    assert records_import(tmp_path, ["A123456789,王小明,資訊安全,2014-08-01,1,e學中心"])[0] == 0
    assert year_hours(wang) == Decimal("6.00")

    code, out, err = records_import(tmp_path, SECOND, "--period", PERIOD)

    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "匯入完成：共 2 列，新增 1、更新 0、未變動 1、撤回 1（其中更正 1）。",
        "更正：課程「公務倫理X」完成日期 103/03/10 → 103/03/12（王小明）",
    ]
    assert counted(wang) == [
        ("公務倫理X", dt.date(2014, 3, 12)),
        ("環境教育", dt.date(2014, 4, 1)),
        ("資訊安全", dt.date(2014, 8, 1)),
    ]
    withdrawn = LearningRecord.all_objects.get(employee=wang, completed_on=dt.date(2014, 3, 10))
    batch = ImportBatch.objects.latest("pk")
    assert (withdrawn.withdrawn_by_id, withdrawn.withdrawn_at is not None) == (batch.pk, True)
    assert list(LearningRecord.all_objects.filter(withdrawn_at__isnull=False)) == [withdrawn]
    assert (batch.withdrawn_count, batch.created_count, batch.options) == (1, 1, {"period": PERIOD})
    # X counts once in the year: 2 + 3 + 1.
    assert year_hours(wang) == Decimal("6.00")
    assert wang.learning_records.count() == 3
    # A person the file does not name keeps their record, in the period or not.
    assert counted(lin) == [("公務倫理X", dt.date(2014, 3, 10))]


def test_the_import_audit_lists_the_withdrawn_rows_with_their_values(people, tmp_path):
    wang = people[0]
    records_import(tmp_path, FIRST)
    records_import(tmp_path, SECOND, "--period", PERIOD)
    entry = AuditEntry.objects.filter(action="import_applied").latest("pk")
    assert entry.before["withdrawn_rows"] == [
        {
            "key": {
                "employee_id": wang.pk,
                "course_key": "公務倫理x",
                "completed_on": "2014-03-10",
                "provider": "e學中心",
            },
            "values": {
                "course_name": "公務倫理X",
                "hours": "2.00",
                "digital_hours": "0.00",
                "mode": "",
                "category": "",
                "job_related": False,
                "started_on": None,
                "completed_at": None,
            },
        }
    ]
    assert entry.after["withdrawn"] == 1


def test_the_same_corrected_file_again_changes_nothing(people, tmp_path):
    records_import(tmp_path, FIRST)
    records_import(tmp_path, SECOND, "--period", PERIOD)
    code, out, _err = records_import(tmp_path, SECOND, "--period", PERIOD)
    assert (code, out) == (0, "匯入完成：共 2 列，新增 0、更新 0、未變動 2、撤回 0。\n")
    assert LearningRecord.all_objects.count() == 3
    assert LearningRecord.objects.count() == 2


def test_a_withdrawn_key_coming_back_is_restored(people, tmp_path):
    wang = people[0]
    records_import(tmp_path, FIRST)
    records_import(tmp_path, SECOND, "--period", PERIOD)
    code, out, _err = records_import(tmp_path, FIRST, "--period", PERIOD)
    assert code == 0
    # 03-10 is counted again (an update: its withdrawal cleared), 03-12 withdrawn in turn.
    assert out.splitlines() == [
        "匯入完成：共 2 列，新增 0、更新 1、未變動 1、撤回 1（其中更正 1）。",
        "更正：課程「公務倫理X」完成日期 103/03/12 → 103/03/10（王小明）",
    ]
    restored = LearningRecord.objects.get(employee=wang, completed_on=dt.date(2014, 3, 10))
    assert (restored.withdrawn_at, restored.withdrawn_by_id) == (None, None)
    assert counted(wang) == [("公務倫理X", dt.date(2014, 3, 10)), ("環境教育", dt.date(2014, 4, 1))]
    # Without --period, a withdrawn key that comes back is restored too.
    records_import(tmp_path, SECOND[:1])
    assert LearningRecord.objects.filter(employee=wang).count() == 3


def test_a_dry_run_reports_the_same_and_writes_nothing(people, tmp_path):
    records_import(tmp_path, FIRST)
    before = list(LearningRecord.all_objects.values_list("pk", "completed_on", "withdrawn_at").order_by("pk"))
    code, out, err = records_import(
        tmp_path, SECOND + ["A123456789,王小明,性別主流化,2014-05-02,1.5,e學中心"], "--period", PERIOD, "--dry-run"
    )
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "試算結果：共 3 列，新增 2、更新 0、未變動 1、撤回 1（其中更正 1）。",
        "新增：王小明 課程「性別主流化」完成日期 103/05/02，1.5 小時",
        "更正：課程「公務倫理X」完成日期 103/03/10 → 103/03/12（王小明）",
    ]
    assert list(LearningRecord.all_objects.values_list("pk", "completed_on", "withdrawn_at").order_by("pk")) == before


def test_a_plain_withdrawal_is_reported_as_one(people, tmp_path):
    records_import(tmp_path, FIRST)
    code, out, _err = records_import(tmp_path, FIRST[1:], "--period", "103/01/01:103/06/30")
    assert code == 0
    assert out.splitlines() == [
        "匯入完成：共 1 列，新增 0、更新 0、未變動 1、撤回 1。",
        "撤回：王小明 課程「公務倫理X」完成日期 103/03/10，2 小時",
    ]


def test_the_period_includes_both_its_first_and_last_day(people, tmp_path):
    wang = people[0]
    records_import(
        tmp_path,
        [
            "A123456789,王小明,甲,2014-01-01,1,",
            "A123456789,王小明,乙,2014-06-30,1,",
            "A123456789,王小明,丙,2013-12-31,1,",
            "A123456789,王小明,丁,2014-07-01,1,",
        ],
    )
    records_import(tmp_path, ["A123456789,王小明,戊,2014-03-01,1,"], "--period", PERIOD)
    assert [name for name, _day in counted(wang)] == ["丁", "丙", "戊"]


@pytest.mark.parametrize("period", ["2014-06-30:2014-01-01", "2014-01-01", "2014-13-01:2014-12-31", "x:y"])
def test_a_bad_period_is_wrong_usage_with_a_chinese_message(people, tmp_path, period):
    with pytest.raises(CommandError) as refused:
        records_import(tmp_path, FIRST, "--period", period)
    assert refused.value.returncode == 2
    assert str(refused.value).startswith("--period：") and (
        "期間" in str(refused.value) or "日期" in str(refused.value)
    )
    assert ImportBatch.objects.count() == 0


# -- the upload page --------------------------------------------------------------------


@pytest.fixture
def hr(people, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(UserFactory(role=Role.HR, is_staff=True))
    return client


def upload(client, rows, **fields):
    data = csv_bytes(HEADER, *rows)
    return client.post(
        reverse("import-new"),
        {"kind": "records", **fields, "file": SimpleUploadedFile("export.csv", data, content_type="text/csv")},
    )


def test_hr_previews_a_corrected_export_then_applies_the_same_file(hr, people, tmp_path):
    wang = people[0]
    upload(hr, FIRST)
    response = upload(hr, SECOND, period="103/01/01:103/06/30", dry_run="on")
    preview = ImportBatch.objects.latest("pk")
    assert response.url == reverse("import-batch", args=[preview.pk])
    assert (preview.status, preview.options, preview.withdrawn_count, bool(preview.file)) == (
        "validated",
        {"period": PERIOD},
        1,
        True,
    )
    assert counted(wang) == [("公務倫理X", dt.date(2014, 3, 10)), ("環境教育", dt.date(2014, 4, 1))]
    page = hr.get(reverse("import-batch", args=[preview.pk]))
    report = page.context["report"]
    assert [(r["name"], r["national_id"], r["course"], r["day"], r["after"]) for r in report["corrections"]] == [
        ("王小明", "A123456789", "公務倫理X", "103/03/10", "103/03/12")
    ]
    assert (report["additions"], report["withdrawals"]) == ([], [])
    assert "套用此檔案" in page.content.decode()

    response = hr.post(reverse("import-apply", args=[preview.pk]))
    applied = ImportBatch.objects.latest("pk")
    assert response.url == reverse("import-batch", args=[applied.pk])
    assert (applied.status, applied.applied_from_id, applied.dry_run, applied.withdrawn_count) == (
        "applied",
        preview.pk,
        False,
        1,
    )
    assert counted(wang) == [("公務倫理X", dt.date(2014, 3, 12)), ("環境教育", dt.date(2014, 4, 1))]
    preview.refresh_from_db()
    assert (bool(preview.file), preview.can_be_applied) == (False, False)
    # Applying twice is refused, and nothing more is imported.
    response = hr.post(reverse("import-apply", args=[preview.pk]), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["此試算批次已套用或檔案已逾保存期限，請重新上傳。"]
    assert ImportBatch.objects.count() == 3
    page = hr.get(reverse("import-batch", args=[applied.pk])).content.decode()
    assert "更正：103/03/10 → 103/03/12" in page and "套用此檔案" not in page
    assert "103年1月1日–103年6月30日" in page and f'href="/imports/{preview.pk}/"' in page
    page = hr.get(reverse("import-batch", args=[preview.pk])).content.decode()
    assert f'href="/imports/{applied.pk}/"' in page and "套用此檔案" not in page


def test_a_preview_file_is_purged_after_its_retention(hr, people, settings):
    upload(hr, SECOND, period=PERIOD, dry_run="on")
    preview = ImportBatch.objects.get()
    assert preview.keep_until - preview.finished_at == dt.timedelta(hours=settings.PREVIEW_RETENTION_HOURS)
    assert purge_expired_previews(now=preview.keep_until - dt.timedelta(seconds=1)) == 0
    assert purge_expired_previews(now=preview.keep_until) == 1
    preview.refresh_from_db()
    assert (bool(preview.file), preview.can_be_applied, preview.status) == (False, False, "validated")


def test_the_upload_page_refuses_a_bad_period_or_a_period_for_another_kind(hr, people):
    page = upload(hr, SECOND, period="2014-06-30:2014-01-01")
    assert page.context["form"].errors == {"period": ["期間的迄日早於起日：「2014-06-30:2014-01-01」"]}
    page = hr.post(
        reverse("import-new"),
        {"kind": "forum", "period": PERIOD, "file": SimpleUploadedFile("f.csv", b"x", content_type="text/csv")},
    )
    assert page.context["form"].errors == {"period": ["只有學習紀錄的匯入可以指定期間。"]}
    assert ImportBatch.objects.count() == 0


def test_the_admin_lists_withdrawn_records_with_a_filter(hr, people, tmp_path):
    records_import(tmp_path, FIRST)
    records_import(tmp_path, SECOND, "--period", PERIOD)
    hr.force_login(UserFactory(role=Role.HR, is_staff=True, is_superuser=True))
    url = reverse("admin:courses_learningrecord_changelist")
    listed = {
        key: sorted(str(r.completed_on) for r in hr.get(url + query).context["cl"].result_list)
        for key, query in [("all", ""), ("yes", "?withdrawn=yes"), ("no", "?withdrawn=no")]
    }
    assert listed == {
        "all": ["2014-03-10", "2014-03-12", "2014-04-01"],
        "yes": ["2014-03-10"],
        "no": ["2014-03-12", "2014-04-01"],
    }
    withdrawn = LearningRecord.all_objects.get(withdrawn_at__isnull=False)
    assert hr.get(reverse("admin:courses_learningrecord_change", args=[withdrawn.pk])).status_code == 200


def test_evaluate_counts_a_corrected_course_once(db, tmp_path):
    import json

    from tests.factories import AgencyFactory, UnitFactory

    government = AgencyFactory(name="高雄市政府")
    unit = UnitFactory(agency=AgencyFactory(name="高雄市政府人事處", parent=government))
    # 6 hours in 2014 earn a commendation: X counted twice (2 + 2 + 3) would earn it, once (2 + 3) not.
    rule = {
        "code": "hours",
        "kind": "threshold_tiers",
        "window": {"start": "2014-01-01", "end": "2014-12-31"},
        "tiers": [{"award": "commendation", "count": 1, "any_of": [{"all_of": [{"metric": "hours", "min": 6}]}]}],
    }
    PlanFactory(
        slug="kaohsiung-103",
        issuer=government,
        roc_year=103,
        starts_on=dt.date(2014, 1, 1),
        ends_on=dt.date(2014, 12, 31),
        off_duty_definition="outside_office_hours",
        employment_types=["編制內"],
        parameters={"rules": [rule]},
    )
    EmployeeFactory(national_id="A123456789", name="王小明", unit=unit)

    def awards() -> dict:
        out = io.StringIO()
        call_command("evaluate", "kaohsiung-103", "--as-of", "2014-12-31", "--json", stdout=out)
        return {p["national_id"]: p["awards"]["commendation"] for p in json.loads(out.getvalue())["people"]}

    records_import(tmp_path, FIRST)
    records_import(tmp_path, ["A123456789,王小明,公務倫理X,2014-03-12,2,e學中心"])  # before --period: counted twice
    assert awards() == {"A123456789": 1}
    records_import(tmp_path, SECOND, "--period", PERIOD)
    assert awards() == {"A123456789": 0}


def test_a_rejected_file_withdraws_nothing(people, tmp_path):
    records_import(tmp_path, FIRST)
    code, _out, err = records_import(
        tmp_path, SECOND + ["A123456789,王小明,環境教育,2014-04-01,abc,e學中心"], "--period", PERIOD
    )
    assert code == 1 and "row 4" in err
    assert LearningRecord.objects.count() == LearningRecord.all_objects.count() == 2


# -- PostgreSQL: the streamed writer thread, chunk by chunk, outside a test transaction ---


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("chunk", [1, 10000])
def test_the_streamed_writer_withdraws_reports_and_restores(monkeypatch, tmp_path, chunk):
    from django.db import connection

    from portal.imports import base, streaming

    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://… (see README)"
    monkeypatch.setattr(base, "CHUNK", chunk)  # 1: every row a chunk of its own, merged as it comes
    writers = []
    real = streaming._in_writer_thread
    monkeypatch.setattr(streaming, "_in_writer_thread", lambda *args: writers.append(1) or real(*args))
    wang = EmployeeFactory(national_id="A123456789", name="王小明")
    lin = EmployeeFactory(national_id="F234567898", name="林美玲")
    records_import(
        tmp_path,
        FIRST + ["F234567898,林美玲,公務倫理X,2014-03-10,2,e學中心", "A123456789,王小明,資訊安全,2014-08-01,1,e學中心"],
    )

    code, out, _err = records_import(tmp_path, SECOND, "--period", PERIOD, "--dry-run")
    assert (code, out.splitlines()) == (
        0,
        [
            "試算結果：共 2 列，新增 1、更新 0、未變動 1、撤回 1（其中更正 1）。",
            "更正：課程「公務倫理X」完成日期 103/03/10 → 103/03/12（王小明）",
        ],
    )
    assert LearningRecord.all_objects.filter(withdrawn_at__isnull=False).count() == 0

    code, out, _err = records_import(tmp_path, SECOND, "--period", PERIOD)
    assert (code, out.splitlines()) == (
        0,
        [
            "匯入完成：共 2 列，新增 1、更新 0、未變動 1、撤回 1（其中更正 1）。",
            "更正：課程「公務倫理X」完成日期 103/03/10 → 103/03/12（王小明）",
        ],
    )
    assert counted(wang) == [
        ("公務倫理X", dt.date(2014, 3, 12)),
        ("環境教育", dt.date(2014, 4, 1)),
        ("資訊安全", dt.date(2014, 8, 1)),
    ]
    assert counted(lin) == [("公務倫理X", dt.date(2014, 3, 10))]
    assert year_hours(wang) == Decimal("6.00")

    code, out, _err = records_import(tmp_path, SECOND, "--period", PERIOD)
    assert out == "匯入完成：共 2 列，新增 0、更新 0、未變動 2、撤回 0。\n"

    code, out, _err = records_import(tmp_path, FIRST, "--period", PERIOD)
    assert out.splitlines()[0] == "匯入完成：共 2 列，新增 0、更新 1、未變動 1、撤回 1（其中更正 1）。"
    assert counted(wang)[0] == ("公務倫理X", dt.date(2014, 3, 10))
    assert LearningRecord.all_objects.get(employee=wang, completed_on=dt.date(2014, 3, 10)).withdrawn_at is None
    assert len(writers) == 5
