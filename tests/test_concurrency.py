"""Real concurrent transactions on PostgreSQL: the last hours of leave, the last place of a quota."""
import datetime as dt
import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from leave import services
from leave.models import Application, Entry
from portal.models import Role
from programs.models import Plan
from tests.factories import AgencyFactory, EmployeeFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_applications_for_the_last_hours_cannot_both_succeed():
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://… (see README)"
    plan = Plan.objects.create(slug="tainan-101", issuer=AgencyFactory(name="臺南市政府"), roc_year=101, title="計畫",
                               parameters={"rules": [{"code": "leave", "kind": "leave_offduty_list"}]})
    employee = EmployeeFactory()
    user = UserFactory(role=Role.EMPLOYEE, employee=employee)
    Entry.objects.create(employee=employee, plan=plan, kind="grant", hours=3, earned_on=dt.date(2012, 8, 1),
                         usable_until=dt.date(2012, 12, 28))
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
    from programs.models import Activity, Nomination, Session, TrainingClass
    from tests.factories import UnitFactory

    agency = AgencyFactory(name="示範縣政府人事處")
    plan = Plan.objects.create(slug="rad-104", issuer=AgencyFactory(name="研習中心"), roc_year=104, title="計畫")
    training_class = TrainingClass.objects.create(activity=Activity.objects.create(plan=plan, slug="c", kind="training_class", name="班"),
                                                  slug="basic", name="基礎班")
    session = Session.objects.create(training_class=training_class, number=1, capacity=30, agency_quotas={str(agency.pk): 1})
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
