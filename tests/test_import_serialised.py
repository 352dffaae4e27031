"""Imports of the same kind are serialised (issue 15, item 3): the same file submitted twice
at once gives exact counts — one batch creates the rows, the other finds them unchanged."""

import threading

import pytest
from django.db import connection

from portal.models import AuditEntry, Employee, ImportBatch
from portal.nationalid import make
from portal.services import submit_import

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _twice_at_once(kind, file_name, data, options=None):
    barrier = threading.Barrier(2)
    batches, errors = [], []

    def submit():
        try:
            barrier.wait(timeout=10)
            batches.append(submit_import(kind, file_name, data, options=options))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return [ImportBatch.objects.get(pk=b.pk) for b in batches]


@pytest.mark.parametrize("rows", [3, 300])
def test_the_same_roster_submitted_twice_at_once_creates_once(rows):
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://… (see README)"
    lines = ["身分證字號,姓名,機關名稱,人員類別"] + [f"{make('A1', i)},人員{i},甲機關,編制內" for i in range(rows)]
    batches = _twice_at_once("roster", "roster.csv", "\n".join(lines).encode())
    assert sorted((b.status, b.created_count, b.unchanged_count) for b in batches) == [
        ("applied", 0, rows),
        ("applied", rows, 0),
    ]
    assert Employee.objects.count() == rows
    applied = AuditEntry.objects.filter(action="import_applied")
    assert sorted(e.after["created"] for e in applied) == [0, rows]
