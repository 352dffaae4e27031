"""`__any_of` with `Keys` (issue 20): one array parameter on PostgreSQL, `IN (…)` elsewhere,
the same rows either way; CI runs this file on SQLite and on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import LearningRecord
from portal.lookups import Keys
from portal.models import Employee
from tests.factories import EmployeeFactory, LearningRecordFactory

pytestmark = pytest.mark.django_db


def test_any_of_finds_exactly_the_named_keys_on_the_table_and_through_a_relation():
    people = EmployeeFactory.create_batch(5)
    for person in people:
        LearningRecordFactory(employee=person)
    chosen = Keys(p.pk for p in people[1:4])

    assert sorted(Employee.objects.filter(pk__any_of=chosen).values_list("pk", flat=True)) == sorted(chosen)
    assert sorted(LearningRecord.objects.filter(employee__pk__any_of=chosen).values_list("employee_id", flat=True)) == (
        sorted(chosen)
    )
    # A plain iterable is taken too, and no key matches nothing, without a query.
    assert Employee.objects.filter(pk__any_of=[people[0].pk]).get() == people[0]
    with CaptureQueriesContext(connection) as none:
        assert list(Employee.objects.filter(pk__any_of=Keys([]))) == []
    assert none.captured_queries == []


def test_any_of_is_one_parameter_on_postgresql_whatever_the_number_of_keys():
    many = Keys(range(1, 2001))
    sql, params = Employee.objects.filter(pk__any_of=many).query.sql_with_params()
    if connection.vendor == "postgresql":
        assert "= ANY(%s::bigint[])" in sql and params == (many.literal,)
        assert many.literal.startswith("{1,2,3,") and many.literal.endswith(",2000}")
    else:
        assert len(params) == 2000 and " IN (" in sql
