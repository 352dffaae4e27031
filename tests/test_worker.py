"""Imports through a real Celery worker on Redis, sharing the PostgreSQL test database."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from portal.models import Employee, ImportBatch
from portal.services import submit_import

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROSTER = (
    "身分證字號,姓名,機關名稱,上級機關,單位,職稱,官等,人員類別,電子郵件\n"
    "A123456789,王小明,高雄市政府人事處,高雄市政府,考訓科,科員,薦任,編制內,ming@example.tw\n"
    "F234567898,林美玲,高雄市政府人事處,高雄市政府,考訓科,科長,薦任,編制內,mei@example.tw\n"
).encode()


def test_roster_import_runs_in_a_real_worker(celery_worker_process, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(ROSTER)
    out = io.StringIO()
    call_command("import_roster", str(path), stdout=out)
    assert out.getvalue().strip() == "匯入完成：共 2 列，新增 2、更新 0、未變動 0。"
    assert sorted(Employee.objects.values_list("name", flat=True)) == ["林美玲", "王小明"]
    assert sorted(Employee.objects.values_list("user__username", flat=True)) == ["mei@example.tw", "ming@example.tw"]
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.attempts, batch.progress) == ("applied", 1, 100)
    # The job ran in the worker process, not in this one.
    assert "Task portal.run_import[" in celery_worker_process.log_path.read_text()


def test_rejected_import_in_a_real_worker_writes_nothing(celery_worker_process):
    batch = submit_import("roster", "bad.csv", ROSTER.replace(b"A123456789", b"A123456788"))
    for _ in range(300):
        batch.refresh_from_db()
        if batch.is_finished:
            break
        __import__("time").sleep(0.1)
    assert batch.status == "rejected"
    assert batch.error_lines() == ["row 2, 身分證字號: 身分證字號檢查碼錯誤"]
    assert Employee.objects.count() == 0


def test_a_records_import_in_a_real_worker_is_followed_by_its_leave_grant(celery_worker_process, tmp_path):
    """The grant run is queued by the import's job and run by the worker, as every night by beat."""
    import time

    from leave.models import Entry
    from leave.tasks import grant_leave_everywhere
    from tests.importing import csv_bytes

    call_command("load_plans", stdout=io.StringIO())
    for name, data, args in [
        (
            "roster.csv",
            csv_bytes(
                "身分證字號,姓名,機關名稱,上級機關,單位,職稱,官等,人員類別",
                "A123456789,王小明,臺南市政府人事處,臺南市政府,考訓科,科員,薦任,編制內",
            ),
            (),
        ),
        ("policy.csv", csv_bytes("課程名稱,認證時數", "國土計畫概論,5"), ("tainan-101", "policy-courses")),
        (
            "records.csv",
            csv_bytes(
                "身分證字號,姓名,課程名稱,學習迄日,完成時間,學習時數,學習性質",
                "A123456789,王小明,數位學習大補帖,101/02/02,10:00,40,數位",
                "A123456789,王小明,國土計畫概論,101/03/10,10:00,5,數位",
            ),
            (),
        ),
    ]:
        (tmp_path / name).write_bytes(data)
        command = {"roster.csv": "import_roster", "policy.csv": "import_course_list", "records.csv": "import_records"}[
            name
        ]
        call_command(command, *args, str(tmp_path / name), stdout=io.StringIO())
    for _ in range(300):
        if Entry.objects.filter(kind="grant").exists():
            break
        time.sleep(0.1)
    assert list(Entry.objects.filter(kind="grant").values_list("hours", "usable_until")) == [(5, dt.date(2012, 9, 10))]
    assert "Task leave.grant_leave_everywhere[" in celery_worker_process.log_path.read_text()
    # The nightly task again, through the broker: nothing new.
    # Waited for until the worker says it is done (not a fixed pause that could end before it ran).
    again = grant_leave_everywhere.delay()
    done = f"Task leave.grant_leave_everywhere[{again.id}] succeeded"
    for _ in range(300):
        if done in celery_worker_process.log_path.read_text():
            break
        time.sleep(0.1)
    assert done in celery_worker_process.log_path.read_text()
    assert Entry.objects.filter(kind="grant").count() == 1


@pytest.fixture
def two_workers(django_db_setup, media_root, tmp_path):
    """Two real worker processes on one queue of their own: two jobs run at the same time."""
    from tests.conftest import start_workers, stop_worker

    workers = start_workers(media_root, [tmp_path / f"worker-{i}.log" for i in range(2)], queue="twice")
    yield workers
    stop_worker(*workers)


def test_the_same_file_twice_at_once_through_two_real_workers_applies_once(two_workers, monkeypatch):
    """Issue #15: one batch creates the rows, the other finds them unchanged (the import kind's
    advisory lock makes the second wait); counts and audit rows are exact."""
    import threading
    import time

    from django.db import connection

    from portal import tasks
    from portal.models import AuditEntry
    from portal.nationalid import make

    monkeypatch.setattr(tasks.run_import, "delay", lambda *args: tasks.run_import.apply_async(args, queue="twice"))
    rows = 200
    data = "\n".join(
        ["身分證字號,姓名,機關名稱,人員類別"] + [f"{make('A1', i)},人員{i},甲機關,編制內" for i in range(rows)]
    ).encode()
    barrier, batches = threading.Barrier(2), []

    def submit():
        try:
            barrier.wait(timeout=10)
            batches.append(submit_import("roster", "roster.csv", data))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(batches) == 2
    for _ in range(600):
        if all(ImportBatch.objects.get(pk=b.pk).is_finished for b in batches):
            break
        time.sleep(0.1)
    finished = [ImportBatch.objects.get(pk=b.pk) for b in batches]
    assert sorted((b.status, b.created_count, b.unchanged_count) for b in finished) == [
        ("applied", 0, rows),
        ("applied", rows, 0),
    ]
    assert Employee.objects.count() == rows
    assert sorted(e.after["created"] for e in AuditEntry.objects.filter(action="import_applied")) == [0, rows]
    assert AuditEntry.objects.filter(action="import_submitted").count() == 2
    # Each worker ran one of the two jobs.
    assert all("Task portal.run_import[" in w.log_path.read_text() for w in two_workers)
