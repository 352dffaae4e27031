import pytest
from django.urls import reverse

from portal.models import Role
from tests.factories import (
    AgencyFactory,
    EmployeeFactory,
    ForumTallyFactory,
    LearningRecordFactory,
    PlanFactory,
    UnitFactory,
    UserFactory,
)


@pytest.mark.django_db
def test_admin_speaks_traditional_chinese_whatever_the_browser_sends(client):
    client.force_login(UserFactory(role=Role.HR, is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:portal_employee_changelist"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200
    assert "選擇 人員 來修改" in page.content.decode()
    assert page.headers["Content-Language"] == "zh-hant"


@pytest.mark.django_db
def test_english_is_available_by_choice(client):
    client.force_login(UserFactory(role=Role.HR, is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "en"
    page = client.get(reverse("admin:portal_employee_changelist"))
    assert "Select" in page.content.decode()
    assert page.headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_my_standing_shows_progress_and_runs_constant_queries(client):
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import AgencyFactory, EmployeeFactory, UnitFactory

    government = AgencyFactory(name="臺南市政府")
    PlanFactory(
        slug="tainan-101",
        issuer=government,
        roc_year=101,
        title="臺南市政府101年度數位學習推動計畫",
        ends_on=dt.date(2012, 12, 31),
        parameters={
            "rules": [
                {
                    "code": "forum-posts",
                    "kind": "threshold_tiers",
                    "window": {"start": "2012-01-01", "end": "2012-08-31"},
                    "tiers": [
                        {
                            "award": "commendation",
                            "count": 1,
                            "any_of": [{"all_of": [{"metric": "forum_posts", "min": 200}]}],
                        }
                    ],
                }
            ]
        },
    )
    employee = EmployeeFactory(unit=UnitFactory(agency=AgencyFactory(name="臺南市政府人事處", parent=government)))
    ForumTallyFactory(
        employee=employee,
        forum="論壇",
        window_start=dt.date(2012, 1, 1),
        window_end=dt.date(2012, 8, 31),
        posts=100,
        replies=63,
    )
    client.force_login(UserFactory(role=Role.EMPLOYEE, employee=employee))

    def add(n):
        for i in range(n):
            LearningRecordFactory(
                employee=employee,
                course_name=f"課{i}{n}",
                course_key=f"k{i}{n}",
                hours=2,
                digital_hours=2,
                completed_on=dt.date(2012, 3, 1 + i),
            )

    add(1)
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("incentives:me"), {"year": 2012})
    assert "論壇發表及回應篇數再 37 篇可達嘉獎 1 次，截止 101/08/31" in page.content.decode()
    add(20)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("incentives:me"), {"year": 2012})
    assert len(many.captured_queries) == len(few.captured_queries)
    assert page.context["me"].totals["total"] == 42


@pytest.mark.django_db
def test_our_own_pages_have_an_english_translation(client):
    client.force_login(UserFactory(role=Role.COORDINATOR))
    client.cookies["django_language"] = "en"
    page = client.get(reverse("programs:plans")).content.decode()
    assert "年度計畫" not in page
    from django.utils import translation

    with translation.override("en"):
        from django.utils.translation import gettext

        assert gettext("人員") != "人員"


@pytest.mark.django_db
def test_my_standing_opens_on_the_latest_year_with_learning(client):
    import datetime as dt

    from tests.factories import EmployeeFactory

    employee = EmployeeFactory()
    LearningRecordFactory(
        employee=employee, course_name="課", course_key="課", hours=3, completed_on=dt.date(2014, 5, 1)
    )
    client.force_login(UserFactory(role=Role.EMPLOYEE, employee=employee))
    page = client.get(reverse("incentives:me"))
    assert (page.context["me"].year, page.context["me"].totals["total"]) == (2014, 3)


def test_templates_carry_no_inline_styles():
    from pathlib import Path

    from django.conf import settings

    found = [
        str(p.relative_to(settings.BASE_DIR))
        for p in (Path(settings.BASE_DIR) / "templates").rglob("*.html")
        if 'style="' in p.read_text(encoding="utf-8")
    ]
    assert found == []


def test_home_page_counts_the_people_the_people_page_lists(db, client):
    """A supervisor's home page counted one person (their own row joined in) where their people page
    listed the whole unit: both count the people the user may see."""
    agency = AgencyFactory(name="高雄市政府教育局")
    unit = UnitFactory(agency=agency, name="資訊教育科")
    head = EmployeeFactory(unit=unit, name="科長甲")
    EmployeeFactory.create_batch(3, unit=unit)
    EmployeeFactory(unit=UnitFactory(agency=agency, name="他科"))
    supervisor = UserFactory(role=Role.SUPERVISOR, employee=head)
    supervisor.headed_units.set([unit])
    client.force_login(supervisor)
    home = client.get("/")
    assert [(a.name, a.staff) for a in home.context["agencies"]] == [("高雄市政府教育局", 4)]
    assert client.get("/people/", {"agency": agency.pk}).context["page"].paginator.count == 4
    coordinator = UserFactory(role=Role.COORDINATOR, agencies=[agency])
    client.force_login(coordinator)
    assert [(a.name, a.staff) for a in client.get("/").context["agencies"]] == [("高雄市政府教育局", 5)]
    assert client.get("/people/", {"agency": agency.pk}).context["page"].paginator.count == 5
