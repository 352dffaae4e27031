"""Imports stream their rows chunk by chunk through a staging table (portal/imports)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.importers import RecordImporter
from courses.models import LearningRecord
from portal import nationalid
from portal.imports import base
from portal.imports.readers import FileFormatError, read_table, text_encoding
from tests.factories import EmployeeFactory
from tests.importing import csv_bytes

HEADER = "身分證字號,姓名,課程名稱,學習迄日,學習時數"


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(base, "CHUNK", 3)


@pytest.fixture
def people(db):
    return [EmployeeFactory(national_id="A123456789"), EmployeeFactory(national_id="F234567898")]


def rows(n: int, national_id: str = "A123456789") -> list[str]:
    return [f"{national_id},王小明,課程{k},103/08/{k + 1:02d},1.5" for k in range(n)]


def test_errors_of_every_chunk_are_listed_and_nothing_is_written(people, small_chunks):
    lines = rows(10)
    lines[1] = "A123456789,王小明,課程1,103/08/02,-1"  # row 3, chunk 1
    lines[5] = "Z999999999,無名氏,課程5,103/08/06,1"  # row 7, chunk 2: bad checksum
    lines[6] = f"{nationalid.make('B1', 1234567)},查無此人,課程6,103/08/07,1"  # row 8, chunk 3: not on the roster
    lines[8] = "A123456789,王小明,課程 ０,2014-08-01,2"  # row 10, chunk 3: repeats row 2's key
    result = RecordImporter().run(csv_bytes(HEADER, *lines), "r.csv")
    assert not result.ok
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (3, "學習時數", "不可小於 0"),
        (7, "身分證字號", "身分證字號檢查碼錯誤"),
        (8, "身分證字號", "不在人員名冊中，請先匯入名冊"),
        (10, "課程名稱", "與第 2 列重複"),
    ]
    assert LearningRecord.objects.count() == 0


def test_duplicates_across_chunks_are_found_in_a_valid_file(people, small_chunks):
    lines = rows(7) + ["A123456789,王小明,課程 1,1030802,3"]
    result = RecordImporter().run(csv_bytes(HEADER, *lines), "r.csv")
    assert [(e.row, e.message) for e in result.errors] == [(9, "與第 3 列重複")]
    assert LearningRecord.objects.count() == 0


def test_counts_come_from_the_database_and_equal_rows_are_left_alone(people, small_chunks):
    first = RecordImporter({"batch_id": None}).run(csv_bytes(HEADER, *rows(8)), "r.csv")
    assert (first.ok, first.total_rows, first.counts.created) == (True, 8, 8)
    changed = rows(8)
    changed[4] = "A123456789,王小明,課程4,103/08/05,2.5"
    again = RecordImporter().run(csv_bytes(HEADER, *changed, *rows(2, "F234567898")), "r.csv")
    assert (again.counts.created, again.counts.updated, again.counts.unchanged) == (2, 1, 7)
    assert LearningRecord.objects.get(course_name="課程4", employee=people[0]).hours == Decimal("2.50")
    assert LearningRecord.objects.count() == 10


def test_dry_run_counts_without_writing(people):
    result = RecordImporter().run(csv_bytes(HEADER, *rows(4)), "r.csv", dry_run=True)
    assert (result.ok, result.dry_run, result.counts.created) == (True, True, 4)
    assert LearningRecord.objects.count() == 0


def test_queries_grow_with_chunks_not_rows(people, monkeypatch):
    """The same file in 2 chunks and in 4: the extra queries are a fixed number per chunk."""
    data = csv_bytes(HEADER, *rows(12))

    def queries(chunk: int) -> int:
        monkeypatch.setattr(base, "CHUNK", chunk)
        LearningRecord.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            assert RecordImporter().run(data, "r.csv").ok
        return len(captured)

    six, three = queries(6), queries(3)
    # Each extra chunk stages its rows in one statement (on PostgreSQL a COPY, which goes
    # around the cursor Django counts); the people are looked up once per file.
    per_chunk = 0 if connection.vendor == "postgresql" else 1
    assert three - six == 2 * per_chunk
    assert queries(12) == six - per_chunk


def test_blank_rows_are_skipped_and_short_rows_padded(people):
    data = csv_bytes(HEADER, "A123456789,王小明,課程A,1030801,1", ",,,,", "A123456789,王小明,課程B,1030802")
    result = RecordImporter().run(data, "r.csv")
    assert [(e.row, e.column, e.message) for e in result.errors] == [(4, "學習時數", "不可空白")]


def test_csv_is_read_as_a_stream_in_its_encoding():
    big5 = csv_bytes("身分證字號,姓名", "A123456789,王小明", encoding="cp950")
    assert text_encoding(big5) == "cp950"
    assert text_encoding(b"\xef\xbb\xbf" + csv_bytes("a", "b")) == "utf-8-sig"
    table = read_table(big5, "x.csv")
    assert (table.headers, list(table.rows), table.total) == (
        ["身分證字號", "姓名"],
        [(2, ["A123456789", "王小明"])],
        1,
    )
    # Neither UTF-8 nor Big5: the line of the first undecodable byte is named.
    with pytest.raises(FileFormatError, match="第 3 列"):
        text_encoding(b"a,b\nc,d\n\x81\xff\n")


def test_boolean_cells_are_never_confused_with_numbers(people):
    """An XLSX cell TRUE equals 1 as a key; a column holding both must clean each on its own."""
    from portal.imports.columns import DecimalColumn

    column = DecimalColumn("學習時數")
    errors = []
    assert column.clean_many([1.0, True, 1], [2, 3, 4], errors) == [Decimal("1.00"), None, Decimal("1.00")]
    assert [(e.row, e.column) for e in errors] == [(3, "學習時數")]


def test_an_importer_without_upsert_or_apply_is_refused_when_defined():
    with pytest.raises(TypeError, match="declare `upsert` or write `apply"):
        type("Nowhere", (base.Importer,), {"kind": "nowhere"})
