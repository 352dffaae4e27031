"""Errors never echo personal data (issue 15, item 2): an ID-shaped value in any column of
any importer comes back masked in every error message and every log record."""

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import nationalid
from portal.imports.base import RowError
from portal.registry import IMPORTERS, importer_class
from tests.factories import AgencyFactory, PlanFactory

KINDS = sorted(IMPORTERS)
HEADERS = {kind: [c.name for c in importer_class(kind)({"plan": "tainan-101"}).columns] for kind in KINDS}
FULL_WIDTH = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ０１２３４５６７８９"
)

# The three formats of DOMAIN.md: 身分證字號 (letter + 1/2), new 統一證號 (letter + 8/9),
# old 統一證號 (two letters, the second A-D); checksum valid or not (a typo is personal data too).
letter = st.sampled_from("ABCDEFGHJKLMNPQRSTUVXYWZIO")
national_id = st.one_of(
    st.builds(lambda a, b, n: f"{a}{b}{n:08d}", letter, st.sampled_from("1289"), st.integers(0, 10**8 - 1)),
    st.builds(lambda a, b, n: f"{a}{b}{n:08d}", letter, st.sampled_from("ABCD"), st.integers(0, 10**8 - 1)),
)
# How an ID arrives in a cell: as typed, lower case, full width, padded, inside text.
shown = st.sampled_from(
    [
        lambda i: i,
        str.lower,
        lambda i: i.translate(FULL_WIDTH),
        lambda i: f"  {i} ",
        lambda i: f"「{i}」",
        lambda i: f"學員{i}重複",
        lambda i: f"{i} 103/08/15",
    ]
)


class _Records(logging.Handler):
    """Every record at DEBUG, before any handler's filter could mask it."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def _full_ids(text: str, ids: list[str]) -> list[str]:
    text = nationalid.normalize(text)
    return [i for i in ids if i in text]


@pytest.fixture
def plan(db):
    return PlanFactory(slug="tainan-101", issuer=AgencyFactory(name="臺南市政府"), roc_year=101)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.tuples(national_id, shown), min_size=1, max_size=12), min_size=1, max_size=4))
def test_import_errors_and_logs_never_hold_a_full_id(plan, kind, rows):
    """Every column of every row holds an ID-shaped value (cycled when a row is short)."""
    headers = HEADERS[kind]
    ids, lines = [], [",".join(headers)]
    for row in rows:
        cells = [row[i % len(row)] for i in range(len(headers))]
        ids += [nid for nid, _form in cells]
        lines.append(",".join(form(nid) for nid, form in cells))
    root, handler = logging.getLogger(), _Records()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.DEBUG)
    try:
        result = importer_class(kind)({"plan": "tainan-101", "list": "policy-courses"}).run(
            "\n".join(lines).encode(), "ids.csv", dry_run=True
        )
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
    assert result.ok or result.errors
    leaked = [e.as_dict() for e in result.errors if _full_ids(e.message, ids)]
    assert leaked == []
    logged = [r for r in handler.records if _full_ids(r.getMessage() + str(r.exc_text or ""), ids)]
    assert logged == []


def test_shifted_column_date_error_is_masked_in_the_stored_batch(plan):
    """The issue's case: an ID in 學習迄日 of a records file, through the upload service."""
    from portal.models import ImportBatch
    from portal.services import submit_import

    data = ("身分證字號,課程名稱,學習迄日,學習時數\nA123456789,課程,E110001158,1\n").encode()
    batch = submit_import("records", "records.csv", data, options={"plan": "tainan-101"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REJECTED
    assert [e for e in batch.errors if e["column"] == "學習迄日"] == [
        {"row": 2, "column": "學習迄日", "message": "無法辨識的日期：「E11****158」"}
    ]
    assert "E110001158" not in str(batch.errors)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("A123456789", "A12****789"),  # 身分證字號
        ("H800123457", "H80****457"),  # new 統一證號
        ("AC12345679", "AC1****679"),  # old 統一證號
        ("ａｃ１２３４５６７９", "ａｃ１****６７９"),  # full width, lower case
    ],
)
def test_row_error_masks_every_format(value, expected):
    assert RowError(2, "任一欄", f"「{value}」不是數字").message == f"「{expected}」不是數字"


@pytest.mark.parametrize("value", ["A123456789", "H800123457", "AC12345679", "Ｆ２３４５６７８９８"])
def test_logging_filter_masks_every_format(value):
    record = logging.LogRecord("portal", logging.ERROR, __file__, 1, "bad cell %s", (value,), None)
    assert nationalid.MaskNationalIdFilter().filter(record) is True
    assert value not in record.getMessage()
    assert record.getMessage() == f"bad cell {nationalid.mask(value)}"
