"""Chunks of an import, held column by column, and the importers' column-wise checks.

Plain Python: no database.
"""

import datetime as dt
from decimal import Decimal

from courses.importers import AttendanceImporter, ForumImporter, RecordImporter
from portal.importers import RosterImporter
from portal.imports import rows
from portal.imports.base import Chunk, RowError, _without_blank_rows


def chunk(numbers, **columns) -> Chunk:
    return Chunk(list(numbers), {key: list(values) for key, values in columns.items()})


def problems(c: Chunk) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.message) for e in c.errors]


def test_fail_reports_each_flagged_row_by_its_number_in_the_file():
    c = chunk([2, 3, 5], x=[1, 2, 3])
    c.fail("欄", "不對", [False, True, True])
    assert problems(c) == [(3, "欄", "不對"), (5, "欄", "不對")]


def test_fail_stops_listing_at_the_error_limit(monkeypatch):
    monkeypatch.setattr(rows, "MAX_ERRORS", 2)  # a chunk's limit lives with Chunk (rows.py)
    c = chunk([2, 3, 4], x=[1, 2, 3])
    c.fail("欄", "不對", [True, True, True])
    assert len(c.errors) == 2


def test_drop_failed_takes_failed_rows_out_of_every_column_and_keeps_their_problems():
    c = chunk([2, 3, 4], a=["x", "y", "z"], b=[1, 2, 3])
    c.errors.append(RowError(3, "a", "壞"))
    c.drop_failed()
    assert (c.numbers, c.columns, c.read, len(c)) == ([2, 4], {"a": ["x", "z"], "b": [1, 3]}, 3, 2)
    assert problems(c) == [(3, "a", "壞")]


def test_mapped_calls_the_function_once_per_distinct_value():
    calls = []
    c = chunk([2, 3, 4, 5], name=["甲", "乙", "甲", "甲"])

    def shout(value):
        calls.append(value)
        return value + "!"

    assert c.mapped(shout, "name") == ["甲!", "乙!", "甲!", "甲!"]
    assert sorted(calls) == ["乙", "甲"]


def test_rows_give_one_dictionary_per_row():
    rows = chunk([2, 4], a=["x", "z"], b=[1, 3]).rows()
    assert [(r.number, r.values) for r in rows] == [(2, {"a": "x", "b": 1}), (4, {"a": "z", "b": 3})]


def test_blank_rows_are_left_out_with_the_numbers_of_the_others_kept():
    read = [(2, ["A1", "x"]), (3, ["", None]), (4, ["  ", ""]), (5, [None, "y"]), (6, [])]
    assert _without_blank_rows(read) == ([2, 5], [["A1", "x"], [None, "y"]])


DAY = dt.date(2014, 8, 1)


def record_chunk(**overrides) -> Chunk:
    columns = {
        "completed": [(DAY, None), (DAY, dt.time(14, 30)), (DAY, None), (DAY, None)],
        "completed_at": [dt.time(9, 0), None, None, None],
        "started_on": [None, DAY, DAY + dt.timedelta(days=1), None],
        "hours": [Decimal("2.00"), Decimal("1.50"), Decimal("1.00"), Decimal("3.00")],
        "digital_hours": [None, None, Decimal("1.00"), Decimal("4.00")],
        "mode": ["數位", "實體", "", ""],
        "course_name": ["【守護正義的防線】霸凌不要來", "[守護正義的防線]霸凌不要來", "資安", "資安"],
    }
    columns.update(overrides)
    return chunk([2, 3, 4, 5], **columns)


def test_record_checks_derive_dates_times_hours_and_course_keys_column_by_column():
    c = record_chunk()
    RecordImporter().check_columns(c)
    assert problems(c) == [(4, "學習迄日", "學習迄日早於學習起日"), (5, "數位時數", "數位時數大於學習時數")]
    assert c["completed_on"] == [DAY] * 4
    # The time column wins; otherwise the time written in the date cell.
    assert c["completed_at"] == [dt.time(9, 0), dt.time(14, 30), None, None]
    # Without 數位時數, 數位 means every hour is digital (CONTRACTS.md); otherwise none is.
    assert c["digital_hours"] == [Decimal("2.00"), Decimal("0.00"), Decimal("1.00"), Decimal("4.00")]
    assert c["course_key"][0] == c["course_key"][1] != c["course_key"][2]


def test_record_checks_of_an_empty_chunk_add_empty_columns():
    c = record_chunk(
        **{
            key: []
            for key in ["completed", "completed_at", "started_on", "hours", "digital_hours", "mode", "course_name"]
        }
    )
    c.numbers = []
    RecordImporter().check_columns(c)
    assert (c.errors, c["completed_on"], c["course_key"]) == ([], [], [])


def test_forum_checks_compare_the_window_and_the_counts():
    c = chunk(
        [2, 3, 4],
        window_start=[DAY, DAY, DAY],
        window_end=[DAY, DAY - dt.timedelta(days=1), DAY],
        posts=[3, 1, 1],
        replies=[2, 0, 1],
        excluded=[5, 0, 3],
    )
    ForumImporter().check_columns(c)
    assert problems(c) == [
        (3, "統計迄日", "統計迄日早於統計起日"),
        (4, "不計入篇數", "不計入篇數大於發表與回應篇數合計"),
    ]


def test_attendance_checks_turn_bare_dates_into_whole_days():
    c = chunk([2, 3], start=[(DAY, None), (DAY, dt.time(9, 0))], end=[(DAY, None), (DAY, dt.time(9, 0))])
    AttendanceImporter().check_columns(c)
    assert problems(c) == [(3, "迄止", "迄止時間不晚於起始時間")]
    assert [t.isoformat() for t in c["starts_at"] + c["ends_at"]] == [
        "2014-08-01T00:00:00+08:00",
        "2014-08-01T09:00:00+08:00",
        "2014-08-02T00:00:00+08:00",
        "2014-08-01T09:00:00+08:00",
    ]


def test_roster_checks_the_email_shape():
    c = chunk([2, 3, 4, 5], email=["", "a@b.tw", "ab.tw", "a @b.tw"])
    RosterImporter().check_columns(c)
    assert problems(c) == [(4, "電子郵件", "電子郵件格式錯誤"), (5, "電子郵件", "電子郵件格式錯誤")]
