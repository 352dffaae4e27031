"""Bad input never breaks an importer: random bytes, cells, encodings and broken workbooks
give a clean import or a row-numbered error, never an unhandled exception."""

import io
import logging

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from portal.registry import IMPORTERS, importer_class
from tests.factories import AgencyFactory, PlanFactory
from tests.figures import report

KINDS = sorted(IMPORTERS)
RUNS = {"files": 0, "rejected": 0, "unhandled": 0}
HEADERS = {kind: [c.name for c in importer_class(kind)({"plan": "tainan-101"}).columns] for kind in KINDS}
cell = st.one_of(
    st.text(max_size=40),
    st.integers(-(10**6), 10**6).map(str),
    st.sampled_from(
        [
            "=cmd|' /C calc'!A0",
            "103/02/30",
            "1030815",
            "A123456789",
            "-1",
            "１０３年８月１５日",
            "x" * 5000,
            "",
            "Y",
            "通過",
        ]
    ),
)


def run(kind, data, name):
    options = {"plan": "tainan-101", "list": "policy-courses"}
    RUNS["files"] += 1
    try:
        result = importer_class(kind)(options).run(data, name, dry_run=True)
    except Exception:
        RUNS["unhandled"] += 1
        raise
    finally:
        RUNS["rejected"] += "result" in locals() and not result.ok
        # Shown at the end of the run by conftest's pytest_terminal_summary.
        report(
            "fuzz",
            f"import fuzzing: {len(KINDS)} importers, {RUNS['files']} files run "
            f"({RUNS['rejected']} rejected with row-numbered errors), "
            f"{RUNS['unhandled']} unhandled exceptions",
        )
    assert result.ok or result.errors
    for error in result.errors:
        assert error.message and isinstance(error.row, int)
    return result


@pytest.fixture
def plan(db):
    return PlanFactory(slug="tainan-101", issuer=AgencyFactory(name="臺南市政府"), roc_year=101)


common = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("kind", KINDS)
@common
@given(data=st.binary(max_size=2000))
def test_random_bytes(plan, kind, data):
    run(kind, data, "random.csv")


@pytest.mark.parametrize("kind", KINDS)
@common
@given(
    rows=st.lists(st.lists(cell, min_size=0, max_size=12), max_size=8),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp950", "utf-16"]),
)
def test_random_cells_under_the_right_header(plan, kind, rows, encoding):
    lines = [",".join(HEADERS[kind])] + [",".join(c.replace(",", "，").replace("\n", " ") for c in row) for row in rows]
    try:
        data = "\n".join(lines).encode(encoding)
    except UnicodeEncodeError:
        data = "\n".join(lines).encode("utf-8")
    run(kind, data, "cells.csv")


@pytest.mark.parametrize("kind", KINDS)
@common
@given(rows=st.lists(st.lists(cell, max_size=8), max_size=5), cut=st.integers(10, 4000))
def test_truncated_and_whole_workbooks(plan, kind, rows, cut):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS[kind])
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v[:200]) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    run(kind, buffer.getvalue(), "book.xlsx")
    run(kind, buffer.getvalue()[:cut], "book.xlsx")


def test_no_national_id_in_any_log_line_of_an_import_with_errors(plan, caplog):
    """Through the service, as an upload runs: every record at DEBUG, before any handler's mask."""
    from portal.models import ImportBatch
    from portal.services import submit_import

    ids = ["A123456789", "F234567898", "A123456780"]  # the last one fails its checksum
    data = (
        "身分證字號,姓名,機關名稱,人員類別\n"
        f"{ids[0]},王小明,甲機關,編制內\n{ids[1]},林小華,甲機關,亂填\n{ids[2]},陳大同,甲機關,編制內\n"
    ).encode()
    with caplog.at_level(logging.DEBUG):
        batch = submit_import("roster", "roster.csv", data)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REJECTED
    assert [(e["row"], e["column"]) for e in batch.errors] == [(3, "人員類別"), (4, "身分證字號")]
    assert len(caplog.records) >= 2  # submitted, ended: the import did log
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert [i for i in ids if i in logged] == []
    assert [i for i in ids if any(i in e["message"] for e in batch.errors)] == []
