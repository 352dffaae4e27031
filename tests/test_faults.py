"""Faults: a worker killed in the middle of an import, and a broker that is down."""

import functools
import signal
import time
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from courses.models import LearningRecord
from portal import nationalid, tasks
from portal.celery import app as celery_app
from portal.importers import RosterImporter
from portal.models import Employee, ImportBatch
from portal.services import retry_import, submit_import
from tests.conftest import start_worker, stop_worker


def big_roster(rows: int) -> bytes:
    lines = ["身分證字號,姓名,機關名稱,上級機關,單位,人員類別"]
    lines += [
        f"{nationalid.make('E1', 4000000 + n)},人員{n},機關{n % 30},示範市政府,第{n % 5}科,編制內" for n in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def wait_for(batch, condition, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if condition(batch):
            return batch
        time.sleep(0.05)
    raise AssertionError(f"batch stuck in {batch.status} ({batch.progress}%)")


def big_records(people: int, rows: int) -> bytes:
    lines = ["身分證字號,姓名,課程名稱,學習迄日,學習時數"]
    lines += [
        f"{nationalid.make('E1', 4000000 + n % people)},人員{n % people},課程{n // people},"
        f"103/{1 + n % 12:02d}/{1 + n % 28:02d},1"
        for n in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def imported(kind: str) -> int:
    return (LearningRecord if kind == "records" else Employee).objects.count()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["roster", "records"])
def test_worker_killed_mid_import_applies_nothing_and_a_retry_completes_it(media_root, tmp_path, monkeypatch, kind):
    """`records` streams, on PostgreSQL through a writer thread merging chunk by chunk."""
    if kind == "records":
        RosterImporter().run(big_roster(6_000), "roster.csv")
        data = big_records(6_000, 60_000)
    else:
        data = big_roster(60_000)
    # The job goes to a queue of this test's own: the session's shared worker (on the default
    # queue) must not take it, or killing `first` would kill nothing.
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(tasks.run_import, "apply_async", functools.partial(tasks.run_import.apply_async, queue=queue))
    first = start_worker(media_root, tmp_path / "first.log", queue)
    try:
        batch = submit_import(kind, "big.csv", data)
        wait_for(batch, lambda b: b.status == "running" and b.progress > 0)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=20)
    finally:
        if first.poll() is None:
            first.kill()
    batch.refresh_from_db()
    assert batch.status == "running"  # left unfinished by the dead worker …
    assert imported(kind) == 0  # … and nothing of it applied
    second = start_worker(media_root, tmp_path / "second.log", queue)
    try:
        retry_import(batch, force=True)
        batch = wait_for(batch, lambda b: b.is_finished)
    finally:
        stop_worker(second)
    assert (batch.status, batch.created_count, batch.attempts) == ("applied", 60_000, 2)
    assert imported(kind) == 60_000


def _fresh_connections():
    """Forget pooled broker connections, so the next publish connects to the configured broker."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.mark.django_db
def test_broker_down_keeps_the_file_and_says_so(tmp_path, monkeypatch):
    previous = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)
    _fresh_connections()
    celery_app.conf.task_always_eager = False
    # Celery reads CELERY_BROKER_URL from the environment before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        path = tmp_path / "roster.csv"
        path.write_bytes(big_roster(3))
        with pytest.raises(CommandError) as error:
            call_command("import_roster", str(path))
    finally:
        monkeypatch.undo()
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = previous
        _fresh_connections()
    assert str(error.value) == "排程服務暫時無法連線；檔案已保存為待處理批次，請稍後由管理後台重新執行。"
    batch = ImportBatch.objects.get()
    assert (batch.status, bool(batch.file)) == ("pending", True)
    retry_import(batch)  # tasks in-process again: the kept file is imported
    batch.refresh_from_db()
    assert (batch.status, Employee.objects.count()) == ("applied", 3)
