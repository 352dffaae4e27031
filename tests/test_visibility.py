"""Who sees which people, and who sees national IDs unmasked."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import Agency, Employee, Role
from tests.factories import AgencyFactory, EmployeeFactory, UnitFactory, UserFactory


@pytest.fixture
def world(db):
    government = AgencyFactory(name="示範市政府")
    agency_a = AgencyFactory(name="示範市政府教育局", parent=government)
    school = AgencyFactory(name="示範市立第一國小", parent=agency_a)
    agency_b = AgencyFactory(name="示範市政府社會局", parent=government)
    unit_a = UnitFactory(agency=agency_a, name="資訊教育科")
    unit_a2 = UnitFactory(agency=agency_a, name="國小教育科")
    people = {
        "head": EmployeeFactory(unit=unit_a, name="甲科長"),
        "clerk": EmployeeFactory(unit=unit_a, name="乙科員"),
        "other_unit": EmployeeFactory(unit=unit_a2, name="丙科員"),
        "teacher": EmployeeFactory(unit=UnitFactory(agency=school, name="教務處"), name="丁老師"),
        "social": EmployeeFactory(unit=UnitFactory(agency=agency_b, name="社會救助科"), name="戊社工"),
    }
    users = {
        "hr": UserFactory(role=Role.HR, is_staff=True),
        "coordinator_a": UserFactory(role=Role.COORDINATOR, agencies=[agency_a]),
        "coordinator_b": UserFactory(role=Role.COORDINATOR, agencies=[agency_b]),
        "supervisor": UserFactory(role=Role.SUPERVISOR, employee=people["head"]),
        "employee": UserFactory(role=Role.EMPLOYEE, employee=people["clerk"]),
    }
    users["supervisor"].headed_units.set([unit_a])
    return {"agency_a": agency_a, "agency_b": agency_b, "people": people, "users": users}


def names(queryset):
    return sorted(queryset.values_list("name", flat=True))


@pytest.mark.parametrize(
    "role, expected",
    [
        ("hr", ["丁老師", "丙科員", "乙科員", "戊社工", "甲科長"]),
        ("coordinator_a", ["丁老師", "丙科員", "乙科員", "甲科長"]),  # the agency and the school below it
        ("coordinator_b", ["戊社工"]),
        ("supervisor", ["乙科員", "甲科長"]),
        ("employee", ["乙科員"]),
    ],
)
def test_employee_visible_to_each_role(world, role, expected):
    assert names(Employee.objects.visible_to(world["users"][role])) == expected


def test_employee_visible_to_anonymous_is_nobody(world):
    from django.contrib.auth.models import AnonymousUser

    assert names(Employee.objects.visible_to(AnonymousUser())) == []


def test_agency_visible_to_coordinator_covers_its_subtree(world):
    assert names(Agency.objects.visible_to(world["users"]["coordinator_a"])) == ["示範市政府教育局", "示範市立第一國小"]


@pytest.mark.parametrize(
    "role, masked",
    [
        ("hr", False),
        ("coordinator_a", True),
        ("supervisor", True),
        ("employee", True),
    ],
)
def test_people_page_masks_national_ids_except_for_hr(world, client, role, masked):
    clerk = world["people"]["clerk"]
    client.force_login(world["users"][role])
    page = client.get(reverse("employee-list") if role != "employee" else reverse("home"))
    assert page.status_code == 200
    text = page.content.decode()
    full, mask = clerk.national_id, f"{clerk.national_id[:3]}****{clerk.national_id[-3:]}"
    assert (full in text, mask in text) == ((False, True) if masked else (True, False))


def test_people_page_for_an_employee_is_forbidden(world, client):
    client.force_login(world["users"]["employee"])
    assert client.get(reverse("employee-list")).status_code == 403


def test_people_page_of_another_agency_shows_nobody(world, client):
    client.force_login(world["users"]["coordinator_b"])
    page = client.get(reverse("employee-list"), {"agency": world["agency_a"].pk})
    assert page.status_code == 200
    assert list(page.context["page"].object_list) == []


def test_people_page_runs_the_same_queries_for_1_and_3_people(db, client, django_assert_num_queries):
    unit = UnitFactory()
    user = UserFactory(role=Role.COORDINATOR, agencies=[unit.agency])
    client.force_login(user)
    EmployeeFactory(unit=unit)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("employee-list"))
    EmployeeFactory.create_batch(2, unit=unit)
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(reverse("employee-list"))
    assert len(page.context["page"].object_list) == 3


def test_anonymous_is_sent_to_log_in(db, client):
    page = client.get(reverse("employee-list"))
    assert (page.status_code, page.url) == (302, "/accounts/login/?next=/people/")
