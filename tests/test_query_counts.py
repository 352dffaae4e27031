"""Every list page runs the same number of queries for 1 and for 3 items."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import Role
from programs.models import Activity, Nomination, Plan, Proposal, Session, TrainingClass
from tests.factories import AgencyFactory, EmployeeFactory, UnitFactory, UserFactory


@pytest.fixture
def setting(db):
    agency = AgencyFactory(name="甲機關")
    plan = Plan.objects.create(slug="p-1", issuer=agency, roc_year=104, title="計畫")
    activity = Activity.objects.create(plan=plan, slug="c", kind="training_class", name="班")
    yixing = Activity.objects.create(plan=plan, slug="y", kind="yixing", name="熠星")
    training_class = TrainingClass.objects.create(activity=activity, slug="basic", name="基礎班")
    unit = UnitFactory(agency=agency)
    return {"agency": agency, "plan": plan, "class": training_class, "yixing": yixing, "unit": unit,
            "user": UserFactory(role=Role.COORDINATOR, agencies=[agency])}


def add_items(kind, setting, count, start):
    for n in range(start, start + count):
        if kind == "plans":
            Plan.objects.create(slug=f"extra-{n}", issuer=setting["agency"], roc_year=100 + n, title=f"計畫{n}")
        elif kind == "sessions":
            Session.objects.create(training_class=setting["class"], number=n, capacity=10)
        elif kind == "nominations":
            session = Session.objects.create(training_class=setting["class"], number=100 + n)
            Nomination.objects.create(session=session, employee=EmployeeFactory(unit=setting["unit"]))
        elif kind == "proposals":
            Proposal.objects.create(activity=setting["yixing"], agency=setting["agency"], title=f"提案{n}")


@pytest.mark.parametrize("kind, url", [
    ("plans", "programs:plans"), ("sessions", "programs:sessions"), ("nominations", "programs:nominations"),
    ("proposals", "programs:proposals"),
])
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
