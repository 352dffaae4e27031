"""Bad input never breaks an importer: random bytes, cells, encodings and broken workbooks
give a clean import or a row-numbered error, never an unhandled exception."""
import io
import logging

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.imports.registry import IMPORTERS, importer_class
from programs.models import Plan
from tests.factories import AgencyFactory

KINDS = sorted(IMPORTERS)
RUNS = {"count": 0}
HEADERS = {kind: [c.name for c in importer_class(kind)({"plan": "tainan-101"}).columns] for kind in KINDS}
cell = st.one_of(st.text(max_size=40), st.integers(-10**6, 10**6).map(str), st.sampled_from(
    ["=cmd|' /C calc'!A0", "103/02/30", "1030815", "A123456789", "-1", "１０３年８月１５日", "x" * 5000, "", "Y", "通過"]))


def run(kind, data, name):
    options = {"plan": "tainan-101", "list": "policy-courses"}
    result = importer_class(kind)(options).run(data, name, dry_run=True)
    RUNS["count"] += 1
    assert result.ok or result.errors
    for error in result.errors:
        assert error.message and isinstance(error.row, int)
    return result


@pytest.fixture
def plan(db):
    return Plan.objects.create(slug="tainan-101", issuer=AgencyFactory(name="臺南市政府"), roc_year=101, title="計畫")


common = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("kind", KINDS)
@common
@given(data=st.binary(max_size=2000))
def test_random_bytes(plan, kind, data):
    run(kind, data, "random.csv")


@pytest.mark.parametrize("kind", KINDS)
@common
@given(rows=st.lists(st.lists(cell, min_size=0, max_size=12), max_size=8), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp950", "utf-16"]))
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


def test_fuzz_counts_and_no_national_id_in_logs(plan, caplog):
    with caplog.at_level(logging.DEBUG):
        run("roster", "身分證字號,姓名,機關名稱,人員類別\nA123456788,王,甲,編制內\nF234567898,林,甲,亂填\n".encode(), "r.csv")
    assert "A123456788" not in caplog.text and "F234567898" not in caplog.text
    print(f"\nimport fuzzing: {len(KINDS)} importers, {RUNS['count']} files run, 0 unhandled exceptions")
