"""Imports through a real Celery worker on Redis, sharing the PostgreSQL test database."""
import io

import pytest
from django.core.management import call_command

from portal.models import Employee, ImportBatch
from portal.services import submit_import

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROSTER = (
    "身分證字號,姓名,機關名稱,上級機關,單位,職稱,官等,人員類別\n"
    "A123456789,王小明,高雄市政府人事處,高雄市政府,考訓科,科員,薦任,編制內\n"
    "F234567898,林美玲,高雄市政府人事處,高雄市政府,考訓科,科長,薦任,編制內\n"
).encode()


def test_roster_import_runs_in_a_real_worker(celery_worker_process, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(ROSTER)
    out = io.StringIO()
    call_command("import_roster", str(path), stdout=out)
    assert out.getvalue().strip() == "匯入完成：共 2 列，新增 2、更新 0、未變動 0。"
    assert sorted(Employee.objects.values_list("name", flat=True)) == ["林美玲", "王小明"]
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
