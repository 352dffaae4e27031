"""Issue 20: the staff page's counts kept with the stored standings (StandingCount) and the awards
sort read in stored order (`StoredStanding.place`) give exactly what counting and sorting live
gives, and are not read once anything moved people since the refresh."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import ForumTally
from incentives import queries
from incentives.models import StandingRefresh
from portal.models import Role
from tests.factories import EmployeeFactory, UnitFactory, UserFactory
from tests.test_standing_pages import RULE, setting, staff_url  # noqa: F401 (the fixture)

SECOND_RULE = {**RULE, "code": "forum-more", "tiers": [{**RULE["tiers"][0], "count": 2}]}
SECOND_RULE["tiers"][0]["any_of"] = [{"all_of": [{"metric": "forum_posts", "min": 260}]}]
FILTERS = [
    {},
    {"status": "met"},
    {"status": "near"},
    {"rule": "forum-posts"},
    {"rule": "forum-posts", "status": "met"},
    {"rule": "forum-more", "status": "near"},
    {"rule": "no-such-rule"},
]


def staff(units, posts):
    """People spread over `units`, with names that tie (so the order's later keys decide)."""
    people = []
    for n, count in enumerate(posts):
        person = EmployeeFactory(unit=units[n % len(units)], name=["王小明", "李大同", "陳一"][n % 3])
        ForumTally.objects.create(
            employee=person,
            forum="論壇",
            window_start=dt.date(2012, 1, 1),
            window_end=dt.date(2012, 8, 31),
            posts=count,
            replies=0,
        )
        people.append(person)
    return people


@pytest.fixture
def counted(setting):  # noqa: F811 (the fixture)
    plan = setting["plan"]
    plan.parameters = {"rules": [RULE, SECOND_RULE]}
    plan.save()
    units = [setting["unit"], UnitFactory(agency=setting["agency"], name="秘書室")]
    people = staff(units, [250, 270, 10, 190, 180, 300, 0, 250, 175])
    call_command("refresh_standings", plan.slug)
    return {**setting, "units": units, "people": people}


def live(user, plan, **filters):
    employees = queries.standing_queryset(user, plan, **filters)
    with_award = employees.filter(
        stored_standings__plan=plan, stored_standings__rule_code="", stored_standings__met=True
    )
    return employees.count(), with_award.count()


def test_stored_counts_equal_live_counts_for_every_filter_and_scope(counted):
    plan, units = counted["plan"], counted["units"]
    hr = UserFactory(role=Role.HR)
    assert StandingRefresh.objects.get(plan=plan).counts_current
    for user in (counted["coordinator"], hr):
        for filters in FILTERS + [{"unit": str(units[1].pk), **f} for f in FILTERS]:
            assert queries.stored_counts(user, plan, **filters) == live(user, plan, **filters), filters


def test_stored_counts_are_not_read_after_a_person_moves_or_joins(counted, client):
    plan, units, people = counted["plan"], counted["units"], counted["people"]
    coordinator = counted["coordinator"]
    people[0].unit = units[1]
    people[0].save()
    assert not StandingRefresh.objects.get(plan=plan).counts_current
    assert queries.stored_counts(coordinator, plan) is None
    client.force_login(coordinator)
    EmployeeFactory(unit=units[0])
    # The page refreshes a small stale plan itself; counted live or stored, the counts are exact.
    for filters in FILTERS:
        page = client.get(staff_url(plan, **filters))
        assert page.context["count"] == live(coordinator, plan, **filters)[0], filters
    on_unit = client.get(staff_url(plan, unit=units[1].pk))
    assert on_unit.context["count"] == live(coordinator, plan, unit=str(units[1].pk))[0]


def test_stored_counts_are_not_read_by_a_supervisor(counted):
    head = UserFactory(role=Role.SUPERVISOR)
    assert queries.stored_counts(head, counted["plan"]) is None


def test_awards_sort_in_stored_order_is_the_live_order(counted):
    plan = counted["plan"]
    for user in (counted["coordinator"], UserFactory(role=Role.HR)):
        for filters in ({}, {"status": "met"}, {"rule": "forum-posts"}):
            stored = queries.standing_queryset(user, plan, sort="awards", complete=True, **filters)
            computed = queries.standing_queryset(user, plan, sort="awards", **filters)
            assert list(stored.values_list("pk", flat=True)) == list(computed.values_list("pk", flat=True))
            assert "place" in str(stored.query)


@pytest.mark.parametrize("query", [{}, {"status": "met", "sort": "awards"}, {"sort": "awards"}])
def test_staff_page_makes_the_same_queries_for_few_and_many_people(setting, client, query):  # noqa: F811
    plan = setting["plan"]
    client.force_login(setting["coordinator"])
    staff([setting["unit"]], [250, 10])
    call_command("refresh_standings", plan.slug)
    client.get(staff_url(plan))  # once per process, PostgreSQL is asked for its stroke collation
    with CaptureQueriesContext(connection) as few:
        client.get(staff_url(plan, **query))
    staff([setting["unit"]], [250, 10] * 60)
    call_command("refresh_standings", plan.slug)
    with CaptureQueriesContext(connection) as many:
        page = client.get(staff_url(plan, **query))
    assert page.context["count"] == live(setting["coordinator"], plan, **{k: v for k, v in query.items()})[0]
    assert len(many.captured_queries) == len(few.captured_queries)
    # Counted from the stored counts: no COUNT over the people.
    assert not any(
        q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "portal_employee"') for q in many.captured_queries
    )
