"""Spreadsheet formula injection is neutralised in every CSV/XLSX export, the admin's
django-import-export downloads included (the staff-standing workbook: test_staff_standing.py)."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.contrib import admin
from django.urls import reverse
from import_export.forms import SelectableFieldsExportForm
from import_export.mixins import BaseExportMixin

from courses.models import Course, LearningRecord, Platform
from portal.exporters import FormulaSafeExportMixin
from portal.models import Role
from tests.factories import CourseFactory, EmployeeFactory, LearningRecordFactory, UserFactory

NAMES = ['=HYPERLINK("http://evil.example","看這裡")', "+886-7-1234567", "-2+3", "@SUM(A1:A9)", "\tcmd", "公務倫理"]
SAFE = [
    '\'=HYPERLINK("http://evil.example","看這裡")',
    "'+886-7-1234567",
    "'-2+3",
    "'@SUM(A1:A9)",
    "'\tcmd",
    "公務倫理",
]


def test_every_admin_export_goes_through_the_neutraliser():
    exporting = {
        model._meta.label_lower: model_admin
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, BaseExportMixin)
    }
    assert sorted(exporting) == [
        "courses.attendanceperiod",
        "courses.bundlecourse",
        "courses.course",
        "courses.courselistentry",
        "courses.forumtally",
        "courses.learningrecord",
        "portal.agency",
    ]
    assert [
        label for label, model_admin in exporting.items() if not isinstance(model_admin, FormulaSafeExportMixin)
    ] == []


def export(client, model_admin, url, extension) -> list[list]:
    """HR's download from the admin's export page, every field selected."""
    formats = model_admin.get_export_formats()
    index = next(i for i, f in enumerate(formats) if f().get_extension() == extension)
    form = SelectableFieldsExportForm(formats, model_admin.get_export_resource_classes(None))
    data = {
        "format": index,
        "resource": 0,
        **{name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)},
    }
    response = client.post(url, data)
    assert response.status_code == 200, response.content[:500]
    if extension == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [
        list(row) for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    ]


@pytest.fixture
def hr(db, client):
    client.force_login(UserFactory(role=Role.HR, is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_course_export_neutralises_formulas_and_keeps_numbers(hr, extension):
    platform = Platform.objects.create(name="e等公務園+")
    for n, name in enumerate(NAMES):
        CourseFactory(name=name, platform=platform, hours=n + 1, category="=1+1" if n == 0 else "")
    rows = export(hr, admin.site._registry[Course], reverse("admin:courses_course_export"), extension)
    header = rows[0]
    assert header[1:4] == ["課程名稱", "平臺", "認證時數"]
    by_name = {row[1]: row for row in rows[1:]}
    assert sorted(by_name) == sorted(SAFE)
    first = by_name[SAFE[0]]
    assert first[4] == "'=1+1"
    # Numbers stay numbers where the format has them; text never starts a formula.
    assert first[3] == ("1.00" if extension == "csv" else 1)
    for row in rows:
        for cell in row:
            assert not (isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r")), (extension, row)


def test_learning_record_export_neutralises_formulas(hr):
    person = EmployeeFactory(name="王小明")
    LearningRecordFactory(
        employee=person, course_name="@cmd|' /C calc'!A0", course_key="x", hours=2, completed_on=dt.date(2014, 3, 1)
    )
    rows = export(hr, admin.site._registry[LearningRecord], reverse("admin:courses_learningrecord_export"), "xlsx")
    assert "'@cmd|' /C calc'!A0" in rows[1]
