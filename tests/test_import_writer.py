"""On PostgreSQL a streamed import merges chunk by chunk in a writer thread (portal/imports/streaming.py).

These tests run outside a test transaction, as a Celery worker does, so that the writer's own
connection sees the roster and the import really commits or rolls back.
"""

import time
from decimal import Decimal

import pytest
from django.db import connection

from courses.importers import RecordImporter
from courses.models import LearningRecord
from portal import nationalid
from portal.imports import base, streaming
from tests.factories import EmployeeFactory
from tests.importing import csv_bytes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HEADER = "身分證字號,姓名,課程名稱,學習迄日,學習時數"


@pytest.fixture
def people(monkeypatch):
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://… (see README)"
    monkeypatch.setattr(base, "CHUNK", 3)
    return [EmployeeFactory(national_id="A123456789"), EmployeeFactory(national_id="F234567898")]


@pytest.fixture
def writers(monkeypatch):
    """How many times the writer-thread path ran."""
    calls = []
    real = streaming._in_writer_thread

    def counted(*args):
        calls.append(args[0].kind)
        return real(*args)

    monkeypatch.setattr(streaming, "_in_writer_thread", counted)
    return calls


@pytest.fixture
def direct(monkeypatch):
    """What each attempt to COPY a chunk straight into the table gave."""
    from portal.imports.upsert import Staging

    outcomes = []
    real = Staging.copy_new

    def spied(self, prepared):
        outcomes.append(real(self, prepared))
        return outcomes[-1]

    monkeypatch.setattr(Staging, "copy_new", spied)
    return outcomes


def rows(n: int, national_id: str = "A123456789") -> list[str]:
    return [f"{national_id},王小明,課程{k},103/08/{k + 1:02d},1.5" for k in range(n)]


def open_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def settled_connections(expected: int) -> int:
    """The test database's connection count once it has settled at `expected` or below (up to 5 s).

    A real worker or an earlier test's thread may close its own connection a moment late, and
    pg_stat_activity counts every process's; the writer's connection is closed before `run`
    returns, so a leak still shows as a count above `expected` after the wait."""
    deadline = time.monotonic() + 5
    count = open_connections()
    while count > expected and time.monotonic() < deadline:
        time.sleep(0.1)
        count = open_connections()
    return count


def test_a_valid_file_is_merged_chunk_by_chunk_and_committed_once(people, writers, direct):
    before = open_connections()
    seen_during = []
    seen_by_hook = []

    def progress(percent):
        # The reading thread's own connection: nothing shows before the writer commits.
        seen_during.append(LearningRecord.objects.count())

    def applied(result):
        seen_by_hook.append((LearningRecord.objects.count(), result.counts.created))

    result = RecordImporter().run(csv_bytes(HEADER, *rows(10)), "r.csv", progress=progress, on_applied=applied)
    assert writers == ["records"]
    assert direct == [True, True, True]  # chunk 1 merged, then the next three copied straight in
    assert (result.ok, result.total_rows, result.counts.created, result.counts.updated) == (True, 10, 10, 0)
    assert set(seen_during[:-1]) == {0} and seen_during[-1] == 10  # 100 % is written after the commit
    assert seen_by_hook == [(10, 10)]  # the hook runs in the writer's transaction, with the rows
    assert LearningRecord.objects.count() == 10
    assert settled_connections(before) <= before  # the writer closed its connection


def test_a_problem_in_the_last_chunk_undoes_the_chunks_already_merged(people, writers):
    lines = rows(10)
    lines[9] = f"{nationalid.make('B1', 1234567)},查無此人,課程9,103/08/10,1"
    result = RecordImporter().run(csv_bytes(HEADER, *lines), "r.csv")
    assert writers == ["records"]
    assert [(e.row, e.message) for e in result.errors] == [(11, "不在人員名冊中，請先匯入名冊")]
    assert LearningRecord.objects.count() == 0


def test_a_key_repeated_in_a_later_chunk_undoes_everything(people, writers):
    lines = rows(7) + ["A123456789,王小明,課程 1,1030802,3"]
    result = RecordImporter().run(csv_bytes(HEADER, *lines), "r.csv")
    assert [(e.row, e.message) for e in result.errors] == [(9, "與第 3 列重複")]
    assert LearningRecord.objects.count() == 0


def test_a_file_that_breaks_while_read_writes_nothing_and_says_where(people, writers):
    data = csv_bytes(HEADER, *rows(8)) + b'A123456789,"unclosed\x00,103/08/20,1\n'
    result = RecordImporter().run(data, "r.csv")
    assert not result.ok and result.errors[0].row == 0
    assert LearningRecord.objects.count() == 0


def test_counts_and_changes_are_kept_across_chunks(people, writers):
    RecordImporter().run(csv_bytes(HEADER, *rows(8)), "r.csv")
    changed = rows(8)
    changed[4] = "A123456789,王小明,課程4,103/08/05,2.5"
    again = RecordImporter().run(csv_bytes(HEADER, *changed, *rows(2, "F234567898")), "r.csv")
    assert (again.counts.created, again.counts.updated, again.counts.unchanged) == (2, 1, 7)
    assert again.counts.changes == [
        {
            "key": {
                "employee_id": people[0].id,
                "course_key": "課程4",
                "completed_on": again.counts.changes[0]["key"]["completed_on"],
                "provider": "",
            },
            "before": {"hours": Decimal("1.50")},
            "after": {"hours": Decimal("2.50")},
        }
    ]
    assert LearningRecord.objects.get(course_name="課程4", employee=people[0]).hours == Decimal("2.50")
    assert LearningRecord.objects.count() == 10


def test_a_dry_run_through_the_writer_counts_and_writes_nothing(people, writers):
    result = RecordImporter().run(csv_bytes(HEADER, *rows(7)), "r.csv", dry_run=True)
    assert (result.ok, result.dry_run, result.counts.created) == (True, True, 7)
    assert LearningRecord.objects.count() == 0


def test_inside_a_callers_transaction_the_import_stays_on_its_connection(people, writers):
    from django.db import transaction

    with transaction.atomic():
        result = RecordImporter().run(csv_bytes(HEADER, *rows(4)), "r.csv")
        assert LearningRecord.objects.count() == 4
    assert writers == [] and result.ok


def test_a_chunk_of_known_keys_after_a_chunk_of_new_ones_is_still_counted_and_merged(people, writers, direct):
    RecordImporter().run(csv_bytes(HEADER, *rows(3)), "r.csv")
    known = rows(3)
    known[1] = "A123456789,王小明,課程1,103/08/02,4"
    mixed = ["A123456789,王小明,課程9,103/09/01,1", *known[1:], known[0]]  # one new key among known ones
    again = RecordImporter().run(csv_bytes(HEADER, *rows(3, "F234567898"), *mixed), "r.csv")
    # Chunk 1 is all new, so chunk 2 (a new key and two known ones, one changed) is tried
    # with COPY first, which a known key undoes; the chunk is then counted and merged.
    assert direct == [False]
    assert (again.counts.created, again.counts.updated, again.counts.unchanged) == (4, 1, 2)
    assert [c["after"] for c in again.counts.changes] == [{"hours": Decimal("4.00")}]
    assert LearningRecord.objects.get(course_name="課程1", employee=people[0]).hours == Decimal("4.00")
    assert LearningRecord.objects.count() == 7


@pytest.mark.parametrize("known", [0, 1], ids=["first chunk all new", "first chunk with a known key"])
def test_a_key_repeated_within_one_chunk_is_reported_not_merged(people, writers, known):
    RecordImporter().run(csv_bytes(HEADER, *rows(known)), "r.csv") if known else None
    lines = rows(4) + ["A123456789,王小明,課程 3,1030804,2"]  # rows 5 and 6 share a chunk and a key
    result = RecordImporter().run(csv_bytes(HEADER, *lines), "r.csv")
    assert [(e.row, e.message) for e in result.errors] == [(6, "與第 5 列重複")]
    assert LearningRecord.objects.count() == known
