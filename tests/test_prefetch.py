"""Issue 20: a streamed evaluation reads the next chunk's rows ahead, on a second
connection, while this chunk's rules run (`portal.prefetch.Ahead`): the same evaluation,
fewer statements waited for. PostgreSQL, with committed data (the second connection sees
nothing uncommitted)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from incentives.evaluation import evaluate_stream
from portal.prefetch import Ahead
from tests.test_evaluate import plan, populate  # noqa: F401  (the fixture)
from tests.test_evaluate_stream import AS_OF

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _streamed(subject):
    with CaptureQueriesContext(connection) as queries:
        found = [
            (r.national_id, r.award_counts, r.leave_hours, [g.text for g in r.grants], [g.record_ids for g in r.grants])
            for r in evaluate_stream(subject, AS_OF, 2)
        ]
    # The statements that name a chunk's employees (one array parameter, portal.lookups).
    keyed = sum(1 for q in queries.captured_queries if "::bigint[]" in q["sql"])
    return found, keyed


def test_the_next_chunks_rows_come_ahead_and_the_evaluation_is_the_same(plan):  # noqa: F811
    assert not connection.in_atomic_block
    populate(plan, 7)  # chunks of 2, 2, 2 and 1
    with override_settings(EVALUATION_PREFETCH=False):
        expected, keyed_alone = _streamed(plan)
    found, keyed_ahead = _streamed(plan)
    assert found == expected and len(found) == 7
    assert any(grants for *_rest, grants, _ids in found)
    # Alone, every chunk runs its keyed statements here; ahead, only the first chunk does:
    # the three others' were answered on the second connection.
    assert keyed_alone > 0 and keyed_ahead * 4 == keyed_alone


def test_the_json_is_the_same_with_and_without_reading_ahead(plan):  # noqa: F811
    populate(plan, 5)
    ahead, alone = io.StringIO(), io.StringIO()
    call_command("evaluate", plan.slug, "--json", "--chunk-size", "2", stdout=ahead)
    with override_settings(EVALUATION_PREFETCH=False):
        call_command("evaluate", plan.slug, "--json", "--chunk-size", "2", stdout=alone)
    assert ahead.getvalue() == alone.getvalue()
    assert ahead.getvalue().count('"national_id"') == 5


def test_nothing_is_read_ahead_inside_a_transaction_or_when_turned_off():
    with transaction.atomic():
        assert Ahead.open() is None  # the second connection would not see this transaction's writes
    with override_settings(EVALUATION_PREFETCH=False):
        assert Ahead.open() is None
    ahead = Ahead.open()
    assert ahead is not None
    ahead.close()
    assert ahead.connection.closed


def test_rows_read_ahead_are_the_querysets_rows_value_for_value(plan):  # noqa: F811
    """Times with zones, decimals, dates and times come back as Django's own connection
    gives them; the second chunk's statement is answered from what was sent ahead."""
    import datetime as dt

    from courses.models import AttendancePeriod, LearningRecord
    from portal.lookups import Keys

    people = populate(plan, 4)
    for person in people:
        AttendancePeriod.objects.create(
            employee=person,
            kind="加班",
            starts_at=dt.datetime(2014, 3, 1, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
            ends_at=dt.datetime(2014, 3, 1, 21, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        )
    first, second = Keys(p.pk for p in people[:2]), Keys(p.pk for p in people[2:])

    def statements(keys):
        return [
            AttendancePeriod.objects.filter(employee__pk__any_of=keys)
            .order_by("pk")
            .values_list("employee_id", "kind", "starts_at", "ends_at"),
            LearningRecord.objects.filter(employee__pk__any_of=keys)
            .order_by("pk")
            .values_list("pk", "course_key", "hours", "completed_on", "completed_at"),
        ]

    ahead = Ahead.open()
    try:
        ahead.start(first, second)
        assert [ahead.rows(qs) for qs in statements(first)] == [list(qs) for qs in statements(first)]
        ahead.send()
        assert len(ahead.sent) == 2
        ahead.start(second, None)
        with CaptureQueriesContext(connection) as here:
            got = [ahead.rows(qs) for qs in statements(second)]
        assert here.captured_queries == []  # both answered from the second connection
        assert got == [list(qs) for qs in statements(second)]
        assert got[0][0][2].tzinfo is not None and len(got[1]) == 4
    finally:
        ahead.close()
