"""Real concurrent transactions on PostgreSQL: the last hours of leave, the last place of a quota."""

import datetime as dt
import re
import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from leave import services
from leave.models import Application, Entry
from portal.models import Role
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    CourseFactory,
    EmployeeFactory,
    EntryFactory,
    LearningRecordFactory,
    PlanFactory,
    SessionFactory,
    TrainingClassFactory,
    UserFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_applications_for_the_last_hours_cannot_both_succeed():
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://… (see README)"
    plan = PlanFactory(
        slug="tainan-101",
        issuer=AgencyFactory(name="臺南市政府"),
        roc_year=101,
        parameters={"rules": [{"code": "leave", "kind": "leave_offduty_list"}]},
    )
    employee = EmployeeFactory()
    user = UserFactory(role=Role.EMPLOYEE, employee=employee)
    EntryFactory(
        employee=employee,
        plan=plan,
        kind="grant",
        hours=3,
        earned_on=dt.date(2012, 8, 1),
        usable_until=dt.date(2012, 12, 28),
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def apply(day):
        try:
            barrier.wait(timeout=10)
            services.apply(user, plan, day, dt.time(9, 0), dt.time(12, 0), today=dt.date(2012, 9, 1))
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(dt.date(2012, 9, d),)) for d in (20, 21)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == sorted(["ok", outcomes[0] if outcomes[0] != "ok" else outcomes[1]])
    assert outcomes.count("ok") == 1
    assert Application.objects.count() == 1
    assert services.balance(employee, dt.date(2012, 9, 1)) == D(0)


def test_two_coordinators_cannot_both_take_the_last_place_of_a_quota():
    from portal.models import Role as R
    from programs import services as programs
    from programs.models import Nomination
    from tests.factories import UnitFactory

    agency = AgencyFactory(name="示範縣政府人事處")
    plan = PlanFactory(slug="rad-104", issuer=AgencyFactory(name="研習中心"), roc_year=104)
    training_class = TrainingClassFactory(
        activity=ActivityFactory(plan=plan, slug="c", kind="training_class", name="班"),
        slug="basic",
        name="基礎班",
    )
    session = SessionFactory(training_class=training_class, number=1, capacity=30, agency_quotas={str(agency.pk): 1})
    unit = UnitFactory(agency=agency)
    first, second = EmployeeFactory(unit=unit), EmployeeFactory(unit=unit)
    coordinators = [UserFactory(role=R.COORDINATOR, agencies=[agency]) for _ in range(2)]
    barrier = threading.Barrier(2)
    accepted = []

    def nominate(coordinator, employee):
        try:
            barrier.wait(timeout=10)
            accepted.extend(o.accepted for o in programs.nominate(coordinator, session, [employee.pk]))
        finally:
            connection.close()

    threads = [threading.Thread(target=nominate, args=pair) for pair in zip(coordinators, (first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(accepted) == [False, True]
    assert Nomination.objects.filter(session=session).count() == 1


def _race(*calls, told: bool = False):
    """Run the calls at the same moment in threads of their own.

    Each outcome is "ok" or the error's class name; with `told`, a ValidationError's outcome
    is its message (what the person who lost the race reads).
    """
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = "ok"
        except ValidationError as error:
            outcomes[index] = error.messages[0] if told else type(error).__name__
        except Exception as error:  # the outcome is the assertion's business
            outcomes[index] = type(error).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("attempt", range(5))
def test_an_approval_racing_a_cancellation_never_invents_hours(attempt):
    """Issue #15's attack: approve and cancel posted at once left `approved` with nothing charged."""
    from tests.factories import UnitFactory

    plan = PlanFactory(
        slug="tainan-101",
        issuer=AgencyFactory(name="臺南市政府"),
        roc_year=101,
        parameters={"rules": [{"code": "leave", "kind": "leave_offduty_list"}]},
    )
    unit = UnitFactory()
    employee = EmployeeFactory(unit=unit)
    user = UserFactory(role=Role.EMPLOYEE, employee=employee)
    head = UserFactory(role=Role.SUPERVISOR, employee=EmployeeFactory(unit=unit))
    head.headed_units.set([unit])
    EntryFactory(
        employee=employee,
        plan=plan,
        kind="grant",
        hours=12,
        earned_on=dt.date(2012, 8, 1),
        usable_until=dt.date(2012, 12, 28),
    )
    application = services.apply(
        user, plan, dt.date(2012, 9, 20), dt.time(8, 30), dt.time(12, 30), today=dt.date(2012, 9, 1)
    )
    outcomes = _race(
        lambda: services.decide(head, application, approve=True),
        lambda: services.cancel(user, application, today=dt.date(2012, 9, 2)),
        told=True,
    )
    application.refresh_from_db()
    charged = -sum(Entry.objects.filter(application=application).values_list("hours", flat=True))
    # Whichever came second saw the first's state: approved then cancelled (hours back), or cancelled then refused.
    assert (application.status, charged) in {("cancelled", 0)}
    assert outcomes[1] == "ok"
    assert outcomes[0] == "ok" or re.fullmatch(
        rf"此補休申請已於 \d+/\d\d/\d\d \d\d:\d\d 由 {employee.name} 取消，無法核章。", outcomes[0]
    ), outcomes
    assert services.balance(employee, dt.date(2012, 9, 20)) == D(12)


def test_two_grant_runs_at_once_grant_once():
    from courses.models import CourseList, CourseListEntry
    from leave.models import RecordUse

    rule = {
        "code": "leave",
        "kind": "leave_offduty_list",
        "window": {"start": "2012-01-01", "end": "2012-09-30"},
        "min_digital_hours": 5,
        "min_total_hours": 40,
        "cap_hours": 8,
        "use_within_months": 6,
        "final_cutoff": "2012-12-28",
        "list": "policy-courses",
    }
    plan = PlanFactory(
        slug="tainan-101",
        issuer=AgencyFactory(name="臺南市政府"),
        roc_year=101,
        parameters={"rules": [rule]},
        off_duty_definition="whole_days",
    )
    employee = EmployeeFactory(agency=plan.issuer)
    course = CourseFactory(name="國土計畫概論", hours=5)
    CourseListEntry.objects.create(
        course_list=CourseList.objects.create(plan=plan, slug="policy-courses", name="政策"), course=course, hours=5
    )
    LearningRecordFactory(
        employee=employee,
        course_name="大補帖",
        course_key="大補帖",
        hours=40,
        digital_hours=40,
        completed_on=dt.date(2012, 2, 2),
    )
    LearningRecordFactory(
        employee=employee,
        course_name=course.name,
        course_key=course.name_key,
        hours=5,
        digital_hours=5,
        completed_on=dt.date(2012, 3, 10),
    )  # a Saturday
    outcomes = _race(lambda: services.grant_leave(plan), lambda: services.grant_leave(plan))
    assert outcomes == ["ok", "ok"]
    assert list(Entry.objects.filter(kind="grant").values_list("hours", flat=True)) == [D(5)]
    assert RecordUse.objects.count() == 1


def _leave_world(grants):
    """An employee, their unit head and HR, with the given grants (hours, earned_on, usable_until)."""
    from tests.factories import UnitFactory

    plan = PlanFactory(
        slug="tainan-101",
        issuer=AgencyFactory(name="臺南市政府"),
        roc_year=101,
        parameters={"rules": [{"code": "leave", "kind": "leave_offduty_list"}]},
    )
    unit = UnitFactory()
    employee = EmployeeFactory(unit=unit)
    head = UserFactory(role=Role.SUPERVISOR, employee=EmployeeFactory(unit=unit))
    head.headed_units.set([unit])
    for hours, earned, until in grants:
        EntryFactory(employee=employee, plan=plan, kind="grant", hours=hours, earned_on=earned, usable_until=until)
    return (
        plan,
        employee,
        UserFactory(role=Role.EMPLOYEE, employee=employee),
        head,
        UserFactory(role=Role.HR, is_staff=True),
    )


def test_a_registration_racing_a_cancellation_ends_cancelled_with_the_hours_back():
    plan, employee, user, head, hr = _leave_world([(8, dt.date(2012, 8, 1), dt.date(2012, 12, 28))])
    application = services.apply(
        user, plan, dt.date(2012, 9, 20), dt.time(8, 30), dt.time(12, 30), today=dt.date(2012, 9, 1)
    )
    services.decide(head, application, approve=True)
    outcomes = _race(
        lambda: services.register(hr, application),
        lambda: services.cancel(user, application, today=dt.date(2012, 9, 2)),
    )
    application.refresh_from_db()
    # Registered then cancelled (both succeed), or cancelled then the registration refused.
    assert outcomes in (["ok", "ok"], ["LostRace", "ok"])
    assert application.status == "cancelled"
    assert services.balance(employee, dt.date(2012, 9, 20)) == D(8)


def test_the_lapse_job_racing_an_application_neither_deadlocks_nor_loses_an_hour():
    """The lapse job locks the expired grants; the application locks the employee and charges a live one."""
    plan, employee, user, _head, _hr = _leave_world(
        [(3, dt.date(2012, 3, 1), dt.date(2012, 9, 1)), (5, dt.date(2012, 8, 1), dt.date(2012, 12, 28))]
    )
    outcomes = _race(
        lambda: services.lapse_leave(dt.date(2012, 9, 2)),
        lambda: services.apply(
            user, plan, dt.date(2012, 9, 20), dt.time(8, 30), dt.time(10, 30), today=dt.date(2012, 9, 2)
        ),
    )
    assert outcomes == ["ok", "ok"]
    assert sorted(Entry.objects.exclude(kind="grant").values_list("kind", "hours")) == [
        ("lapse", D(-3)),
        ("use", D(-2)),
    ]
    assert services.balance(employee, dt.date(2012, 9, 20)) == D(3)


@pytest.mark.parametrize("attempt", range(3))
def test_two_coordinators_racing_for_the_last_showcase_place_cannot_both_get_it(attempt):
    """RAD 104 柒、六: the showcase's capacity holds under two real concurrent transactions."""
    from programs import services as programs_services
    from programs.models import ShowcaseRegistration
    from tests.factories import UnitFactory

    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://… (see README)"
    plan = PlanFactory(
        slug="rad-104",
        issuer=AgencyFactory(name="地方行政研習中心"),
        roc_year=104,
        parameters={"coverage_scope": "all"},
    )
    showcase = ActivityFactory(
        plan=plan, slug="showcase", kind="showcase", name="成果發表會", details={"capacity": 300}
    )
    ShowcaseRegistration.objects.bulk_create(
        [ShowcaseRegistration(activity=showcase, employee=EmployeeFactory()) for _ in range(299)]
    )
    people, coordinators = [], []
    for name in ("甲", "乙"):
        agency = AgencyFactory(name=f"{name}機關")
        people.append(EmployeeFactory(unit=UnitFactory(agency=agency)))
        coordinators.append(UserFactory(role=Role.COORDINATOR, agencies=[agency]))
    results = [None, None]

    def register(i):
        results[i] = programs_services.register_for_showcase(coordinators[i], showcase, [people[i].pk])[0].accepted

    outcomes = _race(lambda: register(0), lambda: register(1))
    assert outcomes == ["ok", "ok"]
    assert sorted(results) == [False, True]
    assert ShowcaseRegistration.objects.filter(activity=showcase).count() == 300
