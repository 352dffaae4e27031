"""Two applications for the last hours at the same moment: real transactions on PostgreSQL."""
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
