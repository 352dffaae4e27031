"""Every list page runs the same number of queries for 1 and for 3 items."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import Role
from programs.models import CampNomination, Nomination
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    ClassHistoryFactory,
    ContestEntryFactory,
    EmployeeFactory,
    ForumTallyFactory,
    LearningRecordFactory,
    PlanFactory,
    ProposalFactory,
    SessionFactory,
    TrainingClassFactory,
    UnitFactory,
    UserFactory,
)


@pytest.fixture
def setting(db):
    agency = AgencyFactory(name="甲機關")
    plan = PlanFactory(slug="p-1", issuer=agency, roc_year=104)
    activity = ActivityFactory(plan=plan, slug="c", kind="training_class", name="班")
    yixing = ActivityFactory(plan=plan, slug="y", kind="yixing", name="熠星")
    camp = ActivityFactory(plan=plan, slug="camp", kind="english_camp", name="英語營")
    training_class = TrainingClassFactory(activity=activity, slug="basic", name="基礎班")
    unit = UnitFactory(agency=agency)
    return {
        "agency": agency,
        "plan": plan,
        "class": training_class,
        "yixing": yixing,
        "unit": unit,
        "camp": camp,
        "user": UserFactory(role=Role.COORDINATOR, agencies=[agency]),
    }


def add_items(kind, setting, count, start):
    for n in range(start, start + count):
        if kind == "plans":
            PlanFactory(slug=f"extra-{n}", issuer=setting["agency"], roc_year=100 + n, title=f"計畫{n}")
        elif kind == "sessions":
            SessionFactory(training_class=setting["class"], number=n, capacity=10)
        elif kind == "nominations":
            session = SessionFactory(training_class=setting["class"], number=100 + n)
            Nomination.objects.create(session=session, employee=EmployeeFactory(unit=setting["unit"]))
        elif kind == "proposals":
            ProposalFactory(
                activity=setting["yixing"],
                agency=setting["agency"],
                title=f"提案{n}",
                leader=EmployeeFactory(unit=setting["unit"]),
            )
        elif kind == "camp":
            CampNomination.objects.create(
                activity=setting["camp"],
                employee=EmployeeFactory(unit=setting["unit"]),
                government=setting["agency"],
                circle=f"圈{n}",
            )
        elif kind == "entries":
            entry = ContestEntryFactory(plan=setting["plan"], title=f"作品{n}", agency=setting["agency"], review="通過")
            entry.authors.set([EmployeeFactory(unit=setting["unit"]), EmployeeFactory(unit=setting["unit"])])


@pytest.mark.parametrize(
    "kind, url",
    [
        ("plans", "programs:plans"),
        ("sessions", "programs:sessions"),
        ("nominations", "programs:nominations"),
        ("proposals", "programs:proposals"),
        ("camp", "programs:nominations"),
        ("entries", "programs:entries"),
    ],
)
def test_list_page_queries_do_not_grow_with_items(setting, client, kind, url):
    client.force_login(setting["user"])
    add_items(kind, setting, 1, 1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse(url)).status_code == 200
    add_items(kind, setting, 2, 2)
    with CaptureQueriesContext(connection) as three:
        page = client.get(reverse(url))
    assert page.status_code == 200
    assert len(three.captured_queries) == len(one.captured_queries)


@pytest.mark.parametrize("figure", ["staff", "digital-under-5h", "digital-talents", "materials", "case-reports"])
def test_kpi_people_queries_do_not_grow_with_people(setting, client, figure):
    import datetime as dt

    from programs.models import CaseReport

    def add(n, start):
        for i in range(start, start + n):
            person = EmployeeFactory(unit=setting["unit"])
            LearningRecordFactory(
                employee=person,
                course_name="課",
                course_key="課",
                hours=2,
                digital_hours=2,
                completed_on=dt.date(2015, 3, 1),
            )
            ClassHistoryFactory(
                employee=person, class_slug="basic", class_name="基礎班", attended_on=dt.date(2015, 4, 1)
            )
            ContestEntryFactory(plan=setting["plan"], title=f"作品{i}", review="通過").authors.set([person])
            CaseReport.objects.create(
                plan=setting["plan"], employee=person, title="報告", submitted_on=dt.date(2015, 5, 1), accepted=True
            )

    client.force_login(UserFactory(role=Role.HR, is_staff=True))
    url = reverse("incentives:kpi-people", args=[setting["plan"].slug, figure])
    add(1, 0)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url).context["people"]) == 1
    add(2, 1)
    with CaptureQueriesContext(connection) as three:
        assert len(client.get(url).context["people"]) == 3
    assert len(three.captured_queries) == len(one.captured_queries)


def test_staff_standing_queries_do_not_grow_with_staff(setting, client):
    import datetime as dt

    from incentives import services

    plan = setting["plan"]
    plan.parameters = {
        "rules": [
            {
                "code": "forum-posts",
                "kind": "threshold_tiers",
                "window": {"start": "2015-01-01", "end": "2015-08-31"},
                "tiers": [
                    {
                        "award": "commendation",
                        "count": 1,
                        "any_of": [{"all_of": [{"metric": "forum_posts", "min": 200}]}],
                    }
                ],
            }
        ]
    }
    plan.save()

    def add(n):
        people = [EmployeeFactory(unit=setting["unit"]) for _ in range(n)]
        for person in people:
            ForumTallyFactory(
                employee=person,
                forum="論壇",
                window_start=dt.date(2015, 1, 1),
                window_end=dt.date(2015, 8, 31),
                posts=250,
                replies=0,
            )
        services.file_requests(setting["user"], plan, [people[0].pk])

    client.force_login(setting["user"])
    url = reverse("incentives:staff", args=[plan.slug])
    add(1)
    call_command("refresh_standings", plan.slug)  # the stored standings' own door (the page reads them)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url).context["rows"]) == 1
    add(2)
    call_command("refresh_standings", plan.slug)
    with CaptureQueriesContext(connection) as three:
        assert len(client.get(url).context["rows"]) == 3
    assert len(three.captured_queries) == len(one.captured_queries)
