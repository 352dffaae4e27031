"""The employee's own page: hours by month, every rule with its progress, bundles course by
course, leave balance and applications, decisions — in a constant number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import Bundle, BundleCourse, Course
from incentives import services as incentives
from incentives.models import Decision
from leave import services as leave
from leave.models import Entry
from portal.models import Role
from tests.factories import (
    AgencyFactory,
    CourseFactory,
    EmployeeFactory,
    LearningRecordFactory,
    PlanFactory,
    UnitFactory,
    UserFactory,
)

RULES = [
    {
        "code": "hours",
        "kind": "threshold_tiers",
        "clause": "柒、一",
        "window": {"start": "2014-01-01", "end": "2014-12-31"},
        "tiers": [
            {"award": "commendation", "count": 1, "any_of": [{"all_of": [{"metric": "hours", "min": 10}]}]},
            {"award": "commendation", "count": 2, "any_of": [{"all_of": [{"metric": "hours", "min": 40}]}]},
        ],
    },
    {
        "code": "bundle-reward",
        "kind": "bundle_completion",
        "clause": "陸、六、（三）",
        "deadline": "2014-08-31",
        "tiers": [{"side": "side-happy", "award": "commendation", "count": 1}],
    },
    {
        "code": "bundle-leave",
        "kind": "leave_bundles",
        "clause": "陸、六、（四）",
        "year_window": {"start": "2014-01-01", "end": "2014-12-31"},
        "grants": [{"side": "side-happy", "hours": 8}],
        "cap_hours_per_year": 12,
        "use_within_months": 6,
    },
]
MAIN = [("兩岸情勢概述", 2), ("政策溝通與宣導", 2)]
SIDE = [("環境影響評估概論", 3), ("全民國防教育學堂", 2)]


@pytest.fixture
def world(db, settings):
    settings.PORTAL_TODAY = "2014-07-15"
    government = AgencyFactory(name="高雄市政府")
    unit = UnitFactory(agency=AgencyFactory(name="高雄市政府人事處", parent=government))
    plan = PlanFactory(
        slug="kaohsiung-103",
        issuer=government,
        roc_year=103,
        title="高雄市政府103年度計畫",
        starts_on=dt.date(2014, 1, 1),
        ends_on=dt.date(2014, 12, 31),
        off_duty_definition="outside_office_hours",
        parameters={"rules": RULES},
    )
    for slug, name, kind, rank, courses in [
        ("main-junior", "薦任主餐", "main", "薦任", MAIN),
        ("main-senior", "簡任主餐", "main", "簡任", [("兩岸情勢概述", 2)]),
        ("side-happy", "幸福嚴選餐", "side", "", SIDE),
    ]:
        bundle = Bundle.objects.create(
            plan=plan, slug=slug, name=name, kind=kind, rank=rank, hours=sum(h for _n, h in courses)
        )
        for course_name, hours in courses:
            course = Course.objects.filter(name=course_name).first() or CourseFactory(name=course_name, hours=hours)
            BundleCourse.objects.create(bundle=bundle, course=course, hours=hours)
    employee = EmployeeFactory(unit=unit, name="王小明", rank="薦任")
    hr = UserFactory(role=Role.HR, is_staff=True, is_superuser=True)
    return {
        "plan": plan,
        "employee": employee,
        "hr": hr,
        "unit": unit,
        "user": UserFactory(role=Role.EMPLOYEE, employee=employee),
    }


def learn(employee, name, hours, day, at=dt.time(20, 0), category=""):
    return LearningRecordFactory(
        employee=employee,
        course_name=name,
        course_key=name,
        hours=hours,
        digital_hours=hours,
        completed_on=day,
        completed_at=at,
        category=category,
    )


def test_my_standing_shows_rules_bundles_leave_and_decisions(world, client):
    employee, plan = world["employee"], world["plan"]
    learn(employee, "兩岸情勢概述", 2, dt.date(2014, 1, 13))
    learn(employee, "政策溝通與宣導", 2, dt.date(2014, 1, 20))
    learn(employee, "環境影響評估概論", 3, dt.date(2014, 2, 3), category="環境教育類")
    learn(employee, "公務倫理", 1, dt.date(2014, 2, 4), at=dt.time(10, 0), category="公務倫理類")
    incentives.save_evaluation(world["hr"], plan)
    client.force_login(world["user"])
    me = client.get(reverse("incentives:me")).context["me"]
    assert (me.year, me.totals["total"], me.share, me.missing_hours) == (2014, 8, 20, 32)
    assert [(m.month, m.hours) for m in me.months if m.hours] == [(1, 4), (2, 4)]
    assert me.categories == [("環境教育類", 3), ("公務倫理類", 1)]
    (standing,) = me.plans
    assert [(r.label, r.percent, r.met) for r in standing.rules] == [
        ("個人學習時數", 80, False),
        ("主餐＋副餐套餐獎勵", 75, False),
        ("公餘時間完成套餐課程補休", 0, False),
    ]
    hours, bundle, leave_rule = standing.rules
    assert (hours.have, [s.text for s in hours.next_steps]) == (
        "學習時數 8 小時",
        ["學習時數再 2 小時可達嘉獎 1 次，截止 103/12/31"],
    )
    assert hours.deadline == dt.date(2014, 12, 31)
    assert [s.text for s in bundle.next_steps] == [
        "尚缺 幸福嚴選餐：全民國防教育學堂（2 小時），完成可達嘉獎 1 次，截止 103/08/31"
    ]
    assert leave_rule.have == "已取得補休 0 小時（上限 12 小時）"
    assert [s.text for s in leave_rule.next_steps] == ["公餘時間完成薦任主餐及任一副餐可申請補休"]
    assert [(b.name, b.done, len(b.courses)) for b in standing.bundles] == [("薦任主餐", 2, 2), ("幸福嚴選餐", 1, 2)]
    assert [(c.name, c.done_on, c.off_duty) for c in standing.bundles[1].courses] == [
        ("環境影響評估概論", dt.date(2014, 2, 3), True),
        ("全民國防教育學堂", None, False),
    ]
    assert me.decisions == []
    assert (me.leave.balance, me.leave.applications) == (0, [])
    page = client.get(reverse("incentives:me")).content.decode()
    for text in [
        "學習時數再 2 小時可達嘉獎 1 次，截止 103/12/31",
        "103/02/03 完成（公餘）",
        "尚未完成",
        "計畫 陸、六、（三）",
        "尚無獎勵案。",
        "103年12月31日",
        "尚無補休。",
    ]:
        assert text in page, text


def test_my_standing_leave_summary_counts_use_and_lapse(world, client):
    employee, plan = world["employee"], world["plan"]
    for name, hours in MAIN + SIDE:
        learn(employee, name, hours, dt.date(2014, 1, 4), at=dt.time(10, 0))  # a Saturday
    leave.grant_leave(plan, user=world["hr"])
    leave.apply(world["user"], plan, dt.date(2014, 3, 3), dt.time(8, 30), dt.time(12, 30), today=dt.date(2014, 2, 20))
    assert leave.lapse_leave(dt.date(2014, 7, 15)) == 1  # 4 of the 8 hours were not used by 103/07/04
    client.force_login(world["user"])
    me = client.get(reverse("incentives:me")).context["me"]
    assert (me.leave.earned, me.leave.used, me.leave.lapsed, me.leave.balance) == (8, 4, 4, 0)
    assert [a.hours for a in me.leave.applications] == [4]
    assert Entry.objects.get(kind="lapse").text == "逾 103年7月4日 未使用，失效"
    page = client.get(reverse("incentives:me")).content.decode()
    assert "103/07/15 可用" in page
    leave_page = client.get(reverse("leave:mine")).content.decode()
    assert '<span class="badge status-rejected">4 小時已逾期失效</span>' in leave_page


def test_my_standing_runs_the_same_queries_for_one_and_many_records(world, client, django_assert_num_queries):
    employee, plan = world["employee"], world["plan"]

    def add(n, start):
        for i in range(start, start + n):
            learn(employee, f"課程{i}", 10, dt.date(2014, 1 + i % 6, 1 + i % 27), category=f"類別{i % 3}")
        for name, hours in (MAIN + SIDE)[start : start + n]:
            learn(employee, name, hours, dt.date(2014, 3, 1), at=dt.time(21, 0))
        incentives.save_evaluation(world["hr"], plan)
        leave.grant_leave(plan, user=world["hr"])
        for i in range(start, start + n):
            if leave.balance(employee, dt.date(2014, 8, 1), plan) >= 1:
                # Working days only: August 2014 from Monday the 4th.
                leave.apply(
                    world["user"],
                    plan,
                    dt.date(2014, 8, 4) + dt.timedelta(days=i % 5 + 7 * (i // 5)),
                    dt.time(8, 30),
                    dt.time(9, 30),
                    today=dt.date(2014, 7, 1),
                )

    add(1, 0)
    client.force_login(world["user"])
    with CaptureQueriesContext(connection) as one:
        first = client.get(reverse("incentives:me"))
    assert (len(first.context["me"].decisions), len(first.context["me"].leave.applications)) == (1, 0)
    add(5, 1)
    with django_assert_num_queries(len(one.captured_queries)):
        many = client.get(reverse("incentives:me"))
    me = many.context["me"]
    assert (me.totals["total"], len(me.decisions), len(me.leave.applications)) == (69, 2, 5)
    assert Decision.objects.filter(employee=employee).count() == 2


def test_my_standing_needs_an_employee_record(world, client):
    client.force_login(UserFactory(role=Role.COORDINATOR))
    assert client.get(reverse("incentives:me")).status_code == 403


def test_my_standing_for_a_list_without_tiers_a_team_and_certificates(db, client):
    from courses.models import CourseList, CourseListEntry
    from programs.models import Certificate, Team, TeamMember

    government = AgencyFactory(name="花蓮縣政府")
    employee = EmployeeFactory(unit=UnitFactory(agency=AgencyFactory(name="花蓮縣政府教育處", parent=government)))
    plan = PlanFactory(
        slug="hualien-106",
        issuer=government,
        roc_year=106,
        title="花蓮縣計畫",
        parameters={
            "rules": [
                {
                    "code": "buffet",
                    "kind": "threshold_tiers",
                    "list": "buffet-courses",
                    "deadline": "2017-09-30",
                    "tiers": [],
                },
                {
                    "code": "yixing-team",
                    "kind": "team_rating",
                    "ratings": {"優等": {"member": {"award": "commendation", "count": 1}}},
                },
                {
                    "code": "moocs",
                    "kind": "certificates",
                    "groups": [{"all_of": ["磨課師完課證明", "磨課師認證考試"], "award": "commendation", "count": 1}],
                },
            ]
        },
    )
    buffet = CourseList.objects.create(plan=plan, slug="buffet-courses", name="自助餐課程")
    for name in ("公務倫理", "性別平等"):
        CourseListEntry.objects.create(course_list=buffet, course=CourseFactory(name=name, hours=2), hours=2)
    learn(employee, "公務倫理", 2, dt.date(2017, 5, 1))
    Certificate.objects.create(plan=plan, employee=employee, name="英語課程完課", obtained_on=dt.date(2017, 5, 31))
    Certificate.objects.create(plan=plan, employee=employee, name="磨課師完課證明", obtained_on=dt.date(2017, 6, 30))
    TeamMember.objects.create(
        team=Team.objects.create(plan=plan, name="熠星小組", rating="優等"), employee=employee, role="成員"
    )
    client.force_login(UserFactory(role=Role.EMPLOYEE, employee=employee))
    (standing,) = client.get(reverse("incentives:me")).context["me"].plans
    assert [(r.label, r.percent, r.badge, r.have) for r in standing.rules] == [
        ("自助餐課程", 50, "", "已完成 1／2 門"),
        ("熠星方案專案小組評等", 100, "已達最高獎勵", "「熠星小組」評等優等，擔任成員"),
        ("證書：磨課師完課證明、磨課師認證考試", 50, "", "已取得：磨課師完課證明"),
    ]


def test_my_standing_speaks_english_by_choice(world, client):
    learn(world["employee"], "兩岸情勢概述", 2, dt.date(2014, 1, 13))
    client.force_login(world["user"])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("incentives:me")).content.decode()
    assert (
        "Learning at a glance" in page,
        "Bundle progress" in page,
        "Main + side bundle award" in page,
        "學習概況" in page,
    ) == (True, True, True, False)


def test_my_page_offers_every_plan_year_shows_that_years_plans_and_no_leave_where_none_applies(db, client, settings):
    settings.PORTAL_TODAY = "2014-09-01"
    government = AgencyFactory(name="臺南市政府")
    rule = {
        "code": "forum-posts",
        "kind": "threshold_tiers",
        "window": {"start": "2012-01-01", "end": "2012-08-31"},
        "tiers": [
            {"award": "commendation", "count": 1, "any_of": [{"all_of": [{"metric": "forum_posts", "min": 200}]}]}
        ],
    }
    PlanFactory(
        slug="older",
        issuer=government,
        roc_year=101,
        title="一〇一年度計畫",
        starts_on=dt.date(2012, 1, 1),
        ends_on=dt.date(2012, 12, 31),
        parameters={"rules": [rule]},
    )
    later = {**rule, "window": {"start": "2014-01-01", "end": "2014-08-31"}}
    PlanFactory(
        slug="later",
        issuer=government,
        roc_year=103,
        title="一〇三年度計畫",
        starts_on=dt.date(2014, 1, 1),
        ends_on=dt.date(2014, 12, 31),
        parameters={"rules": [later]},
    )
    employee = EmployeeFactory(unit=UnitFactory(agency=AgencyFactory(name="臺南市政府人事處", parent=government)))
    LearningRecordFactory(
        employee=employee,
        course_name="公務倫理",
        course_key="公務倫理",
        hours=2,
        digital_hours=2,
        completed_on=dt.date(2012, 3, 3),
    )
    client.force_login(UserFactory(role=Role.EMPLOYEE, employee=employee))
    page = client.get(reverse("incentives:me"))
    assert page.context["me"].years == [2014, 2012]
    assert [p.plan.slug for p in page.context["me"].plans] == ["older"]
    html = page.content.decode()
    assert '<a href="?year=2014">103 年</a>' in html
    assert "我的補休" not in html.split("</nav>", 1)[1]  # no leave section: neither plan gives leave
    page = client.get(reverse("incentives:me"), {"year": 2014})
    assert [p.plan.slug for p in page.context["me"].plans] == ["later"]
    assert page.context["shows_leave"] is False
