"""Say when a figure is uncertain (issue 14, item 9): a plan year without an office calendar
falls back to weekends, and `evaluate --json`, the staff-standing page and the employee page say
so, naming the file HR should import."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from courses.models import CalendarDay, CourseList, CourseListEntry
from courses.services import load_shipped_calendars
from incentives.evaluation import warnings
from portal.models import Role
from programs.loader import load_plans, plan_files
from tests.factories import AgencyFactory, CourseFactory, EmployeeFactory, UnitFactory, UserFactory


def _plan(slug):
    (plan,) = load_plans([p for p in plan_files() if p.stem == slug])
    return plan


def _fill_policy_list(plan):
    course_list = CourseList.objects.get(plan=plan, slug="policy-courses")
    course = CourseFactory(name="國土計畫概論", hours=3)
    CourseListEntry.objects.create(course_list=course_list, course=course, hours=3)


@pytest.mark.django_db
def test_evaluate_json_warns_that_2012_has_no_calendar_and_names_the_file():
    load_shipped_calendars()
    plan = _plan("tainan-101")
    _fill_policy_list(plan)
    EmployeeFactory(unit=UnitFactory(agency=AgencyFactory(name="臺南市政府人事處", parent=plan.issuer)))
    out = io.StringIO()
    call_command("evaluate", "tainan-101", "--as-of", "2012-12-31", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert list(payload) == ["plan", "as_of", "warnings", "people"]
    assert len(payload["people"]) == 1 and set(payload["people"][0]) == {
        "national_id",
        "name",
        "agency",
        "awards",
        "leave_hours",
        "reasons",
    }
    (warning,) = payload["warnings"]
    assert "2012 年（民國 101 年）尚無辦公日曆" in warning
    assert "週六、週日" in warning and "import_calendar" in warning and "101年中華民國政府行政機關辦公日曆表" in warning


@pytest.mark.django_db
def test_no_warning_once_the_calendar_is_imported_nor_for_the_shipped_taipei_years():
    load_shipped_calendars()
    tainan = _plan("tainan-101")
    _fill_policy_list(tainan)
    CalendarDay.objects.create(date=dt.date(2012, 1, 2), is_day_off=False)
    assert warnings(tainan, dt.date(2012, 12, 31)) == []
    assert warnings(_plan("kaohsiung-103"), dt.date(2014, 12, 31)) == []  # 2014: Taipei's list counts as a calendar


@pytest.mark.django_db
def test_an_empty_course_list_is_a_warning_naming_the_import():
    load_shipped_calendars()
    found = warnings(_plan("tainan-101"), dt.date(2012, 12, 31))
    assert any("課程清單尚未建立" in w and "import_course_list tainan-101 policy-courses" in w for w in found)


@pytest.mark.django_db
def test_the_staff_standing_page_and_the_employee_page_show_the_warning(client):
    plan = _plan("tainan-101")
    employee = EmployeeFactory(unit=UnitFactory(agency=AgencyFactory(name="臺南市政府人事處", parent=plan.issuer)))
    client.force_login(UserFactory(employee=employee))
    page = client.get("/incentives/me/?year=2012").content.decode()
    assert "2012 年（民國 101 年）尚無辦公日曆" in page and "import_calendar" in page
    client.force_login(UserFactory(role=Role.HR))
    page = client.get(f"/incentives/plan/{plan.slug}/staff/").content.decode()
    assert "2012 年（民國 101 年）尚無辦公日曆" in page and "import_calendar" in page
