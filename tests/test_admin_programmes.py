"""Issue 19, item 5: the admin shows the talent registry, showcase registrations, reading bids and
seasonal draws in Chinese with ROC dates, read-only (the pages' services write them), and an HR
officer of one government sees only what the portal's pages show them."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from incentives.models import Draw
from portal.models import Role
from programs.models import ReadingBid, SeedTeacher, ShowcaseRegistration
from tests.factories import ActivityFactory, AgencyFactory, EmployeeFactory, PlanFactory, UnitFactory, UserFactory

MODELS = [
    ("programs", "seedteacher"),
    ("programs", "showcaseregistration"),
    ("programs", "readingbid"),
    ("incentives", "draw"),
]


@pytest.fixture
def two_governments(db):
    made = {}
    for key, name in (("a", "甲市政府"), ("b", "乙市政府")):
        government = AgencyFactory(name=name)
        agency = AgencyFactory(name=f"{name}教育局", parent=government)
        person = EmployeeFactory(unit=UnitFactory(agency=agency), name=f"{key}人員")
        plan = PlanFactory(slug=f"plan-{key}", issuer=government, roc_year=103, title=f"{name}103年度計畫")
        activities = {
            kind: ActivityFactory(plan=plan, slug=kind.replace("_", "-"), kind=kind, name=f"{name}{kind}")
            for kind in ("talent_registry", "showcase", "reading_bid")
        }
        SeedTeacher.objects.create(
            activity=activities["talent_registry"], employee=person, source="named", reason=f"{key}理由"
        )
        ShowcaseRegistration.objects.create(activity=activities["showcase"], employee=person)
        ReadingBid.objects.create(
            activity=activities["reading_bid"],
            agency=agency,
            title=f"{key}閱讀計畫",
            status="submitted",
            starts_on=dt.date(2014, 7, 20),
        )
        Draw.objects.create(
            plan=plan,
            rule_code="seasonal-reading-draws",
            season="spring",
            season_name=f"{key}春‧悅讀",
            seed="03 11 24",
            seed_published_at=dt.datetime(2014, 5, 20, 1, 5, tzinfo=dt.UTC),
        )
        hr = UserFactory(role=Role.HR, is_staff=True, agencies=[government])
        hr.user_permissions.set(
            Permission.objects.filter(
                codename__in=[f"{verb}_{model}" for _app, model in MODELS for verb in ("view", "change", "delete")]
            )
        )
        made[key] = {"hr": hr, "bid": ReadingBid.objects.get(title=f"{key}閱讀計畫"), "person": person}
    return made


@pytest.mark.parametrize("app, model", MODELS)
def test_each_admin_list_shows_only_the_officers_government_and_allows_no_change(two_governments, client, app, model):
    client.force_login(two_governments["a"]["hr"])
    listing = client.get(reverse(f"admin:{app}_{model}_changelist"))
    html = listing.content.decode()
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    assert "乙市政府" not in html and "b人員" not in html and "b閱讀計畫" not in html
    model_admin = listing.context["cl"].model_admin
    request = listing.wsgi_request
    assert (model_admin.has_add_permission(request), model_admin.has_change_permission(request)) == (False, False)
    assert model_admin.has_delete_permission(request) is False
    assert client.get(reverse(f"admin:{app}_{model}_add")).status_code == 403


def test_dates_are_roc_and_times_taipei_and_the_headings_chinese(two_governments, client):
    client.force_login(two_governments["a"]["hr"])
    bids = client.get(reverse("admin:programs_readingbid_changelist")).content.decode()
    assert (
        "數位閱讀計畫競標" in bids
        and "103/07/20" in bids
        and "2014" not in bids.split("<table")[1].split("</table>")[0]
    )
    draw = Draw.objects.get(season_name="a春‧悅讀")
    page = client.get(reverse("admin:incentives_draw_change", args=[draw.pk])).content.decode()
    assert "103/05/20 09:05" in page and "抽獎種子" in page and "季抽獎" in page
    # Another government's draw is not found.
    other = Draw.objects.get(season_name="b春‧悅讀")
    assert client.get(reverse("admin:incentives_draw_change", args=[other.pk])).status_code == 302
    assert client.get(reverse("admin:programs_seedteacher_changelist")).context[
        "cl"
    ].model._meta.verbose_name_plural == ("數位人才資料庫")


@pytest.mark.parametrize("app, model", MODELS)
def test_each_admin_list_runs_the_same_queries_for_1_and_3_rows(two_governments, client, app, model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    hr = two_governments["a"]["hr"]
    client.force_login(hr)
    url = reverse(f"admin:{app}_{model}_changelist")
    client.get(url)  # warm the session and content types
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).context["cl"].result_count == 1
    first = Draw.objects.get(season_name="a春‧悅讀")
    bid = two_governments["a"]["bid"]
    for n in (1, 2):
        person = EmployeeFactory(unit=UnitFactory(agency=bid.agency), name=f"a加{n}")
        SeedTeacher.objects.create(
            activity=SeedTeacher.objects.filter(employee=two_governments["a"]["person"]).get().activity,
            employee=person,
            source="named",
            reason="理由",
        )
        ShowcaseRegistration.objects.create(
            activity=ShowcaseRegistration.objects.filter(employee=two_governments["a"]["person"]).get().activity,
            employee=person,
        )
        ReadingBid.objects.create(activity=bid.activity, agency=bid.agency, title=f"a加{n}", status="submitted")
        Draw.objects.create(
            plan=first.plan,
            rule_code=first.rule_code,
            season=f"extra-{n}",
            season_name=f"加{n}",
            seed="1",
            seed_published_at=first.seed_published_at,
        )
    with CaptureQueriesContext(connection) as three:
        assert client.get(url).context["cl"].result_count == 3
    assert len(three.captured_queries) == len(one.captured_queries)
