"""evaluate on the database: JSON contract, both paths agree, constant queries."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import Bundle, BundleCourse
from incentives.evaluation import evaluate, evaluate_one
from tests.factories import (
    AgencyFactory,
    CourseFactory,
    EmployeeFactory,
    ForumTallyFactory,
    LearningRecordFactory,
    PlanFactory,
    UnitFactory,
)

RULES = [
    {
        "code": "forum-posts",
        "kind": "threshold_tiers",
        "window": {"start": "2014-01-01", "end": "2014-08-31"},
        "tiers": [
            {"award": "commendation", "count": 1, "any_of": [{"all_of": [{"metric": "forum_posts", "min": 200}]}]}
        ],
    },
    {
        "code": "hours",
        "kind": "threshold_tiers",
        "window": {"start": "2014-01-01", "end": "2014-12-31"},
        "tiers": [
            {
                "award": "commendation",
                "count": 1,
                "any_of": [{"all_of": [{"metric": "hours", "min": 10}, {"metric": "digital_hours", "min": 5}]}],
            }
        ],
    },
    {
        "code": "bundle-reward",
        "kind": "bundle_completion",
        "deadline": "2014-08-31",
        "group": "bundles",
        "tiers": [{"side": "side-happy", "award": "commendation", "count": 1}],
    },
    {
        "code": "leave",
        "kind": "leave_bundles",
        "year_window": {"start": "2014-01-01", "end": "2014-12-31"},
        "grants": [{"side": "side-happy", "hours": 8}],
        "cap_hours_per_year": 12,
        "use_within_months": 6,
    },
]


@pytest.fixture
def plan(db):
    government = AgencyFactory(name="高雄市政府")
    agency = AgencyFactory(name="高雄市政府人事處", parent=government)
    plan = PlanFactory(
        slug="kaohsiung-103",
        issuer=government,
        roc_year=103,
        starts_on=dt.date(2014, 1, 1),
        ends_on=dt.date(2014, 12, 31),
        off_duty_definition="outside_office_hours",
        employment_types=["編制內"],
        parameters={"rules": RULES},
    )
    main = Bundle.objects.create(plan=plan, slug="main-junior", name="薦任主餐", kind="main", rank="薦任", hours=2)
    side = Bundle.objects.create(plan=plan, slug="side-happy", name="幸福嚴選餐", kind="side", hours=3)
    for bundle, name, hours in [(main, "兩岸情勢概述", 2), (side, "環境影響評估概論", 3)]:
        BundleCourse.objects.create(bundle=bundle, course=CourseFactory(name=name, hours=hours), hours=hours)
    plan.unit = UnitFactory(agency=agency)
    return plan


def populate(plan, count, start=0):
    people = []
    for n in range(start, start + count):
        person = EmployeeFactory(unit=plan.unit, name=f"員工{n}", rank="薦任")
        LearningRecordFactory(
            employee=person,
            course_name="兩岸情勢概述",
            course_key="兩岸情勢概述",
            hours=2,
            digital_hours=2,
            completed_on=dt.date(2014, 3, 1),
            completed_at=dt.time(20, 0),
        )
        LearningRecordFactory(
            employee=person,
            course_name="環境影響評估概論",
            course_key="環境影響評估概論",
            hours=3,
            digital_hours=3,
            completed_on=dt.date(2014, 3, 8),
        )  # a Saturday, no time
        ForumTallyFactory(
            employee=person,
            forum="論壇",
            window_start=dt.date(2014, 1, 1),
            window_end=dt.date(2014, 6, 30),
            posts=150 + n,
            replies=60,
            excluded=5,
        )
        people.append(person)
    return people


def test_evaluate_json_follows_the_contract(plan):
    populate(plan, 2)
    EmployeeFactory(unit=plan.unit, name="約僱人員", employment_type="約僱")  # not covered
    out = io.StringIO()
    call_command("evaluate", "kaohsiung-103", "--as-of", "2014-12-31", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert (payload["plan"], payload["as_of"], len(payload["people"])) == ("kaohsiung-103", "2014-12-31", 2)
    first = payload["people"][0]
    assert [p["national_id"] for p in payload["people"]] == sorted(p["national_id"] for p in payload["people"])
    assert first["awards"] == {"commendation": 2, "merit": 0, "major_merit": 0}
    assert first["leave_hours"] == 8.0
    assert [r["text"] for r in first["reasons"]] == [
        "論壇發表及回應篇數 205 篇（已扣除不計入 5 篇） ≥ 200 篇 → 嘉獎 1 次",
        "於 103/08/31 前完成薦任主餐及幸福嚴選餐 → 嘉獎 1 次",
        "公餘時間完成薦任主餐＋幸福嚴選餐（103/03/08 完成），補休 8 小時，使用期限至 103/09/08",
    ]
    assert first["agency"] == "高雄市政府人事處"


def test_evaluate_as_of_before_the_records_gives_nothing(plan):
    populate(plan, 1)
    result = evaluate(plan, dt.date(2014, 2, 1))[0]
    assert (result.award_counts["commendation"], result.leave_hours) == (0, Decimal(0))


def test_the_two_paths_agree(plan):
    people = populate(plan, 5)
    everyone = {r.employee_id: r for r in evaluate(plan, dt.date(2014, 12, 31))}
    for person in people:
        one = evaluate_one(plan, person, dt.date(2014, 12, 31))
        assert (one.awards, one.grants, one.progress) == (
            everyone[person.pk].awards,
            everyone[person.pk].grants,
            everyone[person.pk].progress,
        )


def test_evaluate_runs_a_constant_number_of_queries(plan):
    populate(plan, 10)
    with CaptureQueriesContext(connection) as ten:
        assert len(evaluate(plan, dt.date(2014, 12, 31))) == 10
    populate(plan, 90, start=10)
    with CaptureQueriesContext(connection) as hundred:
        assert len(evaluate(plan, dt.date(2014, 12, 31))) == 100
    assert len(hundred.captured_queries) == len(ten.captured_queries)


@pytest.mark.parametrize("slug", ["rad-104", "hualien-106", "tainan-101", "kaohsiung-103", "taoyuan-98"])
def test_evaluate_each_source_plan_on_an_empty_database(db, slug):
    from programs.loader import load_plans, plan_files

    files = [f for f in plan_files() if f.stem == slug]
    assert files, f"fixtures/plans/{slug}.yaml is missing"
    load_plans(files)
    out = io.StringIO()
    call_command("evaluate", slug, "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert (payload["plan"], payload["people"]) == (slug, [])


@pytest.mark.django_db
def test_coverage_is_the_issuers_tree_minus_exclusions_and_central_plans_cover_all():
    from incentives.facts import covered_employees

    tainan, kaohsiung = AgencyFactory(name="臺南市政府"), AgencyFactory(name="高雄市政府")
    police = AgencyFactory(name="臺南市政府警察局", parent=tainan)
    inside = EmployeeFactory(unit=UnitFactory(agency=AgencyFactory(name="臺南市政府人事處", parent=tainan)))
    EmployeeFactory(unit=UnitFactory(agency=police))
    EmployeeFactory(unit=UnitFactory(agency=kaohsiung))
    plan = PlanFactory(slug="t", issuer=tainan, roc_year=101, title="t")
    plan.excluded_agencies.set([police])
    assert list(covered_employees(plan)) == [inside]
    central = PlanFactory(
        slug="c", issuer=AgencyFactory(name="研習中心"), roc_year=104, title="c", parameters={"coverage_scope": "all"}
    )
    assert covered_employees(central).count() == 3


@pytest.mark.django_db
def test_unit_average_is_the_same_on_the_set_based_and_the_per_person_paths():
    """Taoyuan 陸、二: the per-person path reads the whole covered unit, as the set-based path does;
    a contract employee's hours count in the numerator only, a teacher's not at all."""
    from programs.loader import load_plans, plan_files

    (plan,) = load_plans([p for p in plan_files() if p.stem == "taoyuan-98"])
    unit = UnitFactory(agency=AgencyFactory(name="桃園縣政府人事處", parent=plan.issuer))
    head = EmployeeFactory(unit=unit, unit_role="單位主管")
    contract = EmployeeFactory(unit=unit, employment_type="約僱")
    teacher = EmployeeFactory(unit=unit, employment_type="教師")
    for person, digital in ((head, 20), (contract, 10), (teacher, 100)):
        LearningRecordFactory(
            employee=person,
            course_name="課",
            course_key="課",
            hours=digital,
            digital_hours=digital,
            completed_on=dt.date(2009, 5, 1),
        )
    everyone = {r.national_id: r for r in evaluate(plan, dt.date(2009, 12, 31))}
    alone = evaluate_one(plan, head, dt.date(2009, 12, 31))
    assert teacher.national_id not in everyone
    assert (
        everyone[head.national_id].award_counts
        == alone.award_counts
        == {"commendation": 1, "merit": 0, "major_merit": 0}
    )
    assert alone.facts.unit_metrics["unit"]["digital_hours_per_head"] == Decimal(30)
