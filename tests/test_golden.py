"""Golden cases: small worlds under each source plan with the awards and leave they must earn.

One YAML file per plan in tests/golden/, readable by an HR officer:

    - name: 論壇 213 篇（扣除 5 篇）得嘉獎 1 次
      as_of: 2012-12-31
      people:
        - id: A123456789
          rank: 薦任
          records: [{course: 環境教育概論, hours: 3, digital: 3, date: 2012-03-04, time: "20:00"}]
          forum: [{posts: 150, replies: 68, excluded: 5, from: 2012-01-01, to: 2012-08-31}]
          certificates: [{name: 英語初級, date: 2012-03-01}]
          teams: [{team: 甲隊, rating: 特優, role: 主持人}]
          contest: [{title: 微電影, review: 通過, placing: "1", role: 作者}]
          case_reports: [{title: 心得, date: 2012-08-01, accepted: true}]
          absences: [{kind: 休假, from: "2012-03-05 08:30", to: "2012-03-05 17:30"}]
      list_courses: [{name: 國土計畫概論, hours: 3}]     # fills the plan's first course list
      rules: [{code: buffet, tiers: [...]}]              # optional: what HR set on the rule page
      warnings: [2012 年（民國 101 年）尚無辦公日曆]       # optional: each is part of one warning
      expect:
        A123456789: {commendation: 1, merit: 0, major_merit: 0, leave_hours: 0}
"""

import datetime as dt
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

from courses.models import AttendancePeriod, CourseList, CourseListEntry
from incentives.evaluation import evaluate, warnings
from programs.loader import load_plans, plan_files
from programs.models import CaseReport, Certificate, ContestEntry, Team, TeamMember
from tests.factories import (
    AgencyFactory,
    CourseFactory,
    EmployeeFactory,
    ForumTallyFactory,
    LearningRecordFactory,
    UnitFactory,
)

GOLDEN = Path(__file__).parent / "golden"


def cases():
    for path in sorted(GOLDEN.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            yield pytest.param(path.stem, case, id=f"{path.stem}: {case['name']}")


def _date(value):
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _moment(value):
    return timezone.make_aware(dt.datetime.fromisoformat(str(value)))


def build(plan, case):
    unit = UnitFactory(agency=AgencyFactory(name=f"{plan.issuer.name}測試局", parent=plan.issuer))
    if case.get("list_courses"):
        course_list = CourseList.objects.filter(plan=plan).order_by("id").first()
        for item in case["list_courses"]:
            course = CourseFactory(name=item["name"], hours=item["hours"])
            CourseListEntry.objects.create(course_list=course_list, course=course, hours=item["hours"])
    for person in case["people"]:
        employee = EmployeeFactory(
            national_id=person["id"],
            name=person.get("name", person["id"]),
            unit=unit,
            rank=person.get("rank", "薦任"),
            employment_type=person.get("type", "編制內"),
            unit_role=person.get("unit_role", ""),
        )
        for r in person.get("records", []):
            LearningRecordFactory(
                employee=employee,
                course_name=r["course"],
                hours=r["hours"],
                digital_hours=r.get("digital", r["hours"]),
                job_related=r.get("job_related", False),
                completed_on=_date(r["date"]),
                completed_at=dt.time.fromisoformat(r["time"]) if r.get("time") else None,
                provider=r.get("provider", ""),
            )
        for f in person.get("forum", []):
            ForumTallyFactory(
                employee=employee,
                forum=f.get("forum", "公共論壇"),
                window_start=_date(f["from"]),
                window_end=_date(f["to"]),
                posts=f["posts"],
                replies=f["replies"],
                excluded=f.get("excluded", 0),
            )
        for c in person.get("certificates", []):
            Certificate.objects.create(plan=plan, employee=employee, name=c["name"], obtained_on=_date(c["date"]))
        for t in person.get("teams", []):
            team, _created = Team.objects.get_or_create(plan=plan, name=t["team"], defaults={"rating": t["rating"]})
            TeamMember.objects.create(team=team, employee=employee, role=t["role"])
        for c in person.get("contest", []):
            entry, _created = ContestEntry.objects.get_or_create(
                plan=plan, title=c["title"], defaults={"review": c["review"], "placing": str(c.get("placing", ""))}
            )
            if c["role"] == "作者":
                entry.authors.add(employee)
            else:
                entry.agency_head = employee
                entry.save()
        for r in person.get("case_reports", []):
            CaseReport.objects.create(
                plan=plan, employee=employee, title=r["title"], submitted_on=_date(r["date"]), accepted=r["accepted"]
            )
        for a in person.get("absences", []):
            AttendancePeriod.objects.create(
                employee=employee, kind=a["kind"], starts_at=_moment(a["from"]), ends_at=_moment(a["to"])
            )


@pytest.mark.django_db
@pytest.mark.parametrize("slug, case", list(cases()))
def test_golden_case(slug, case):
    (plan,) = load_plans([p for p in plan_files() if p.stem == slug])
    if case.get("rules"):
        # What HR set on the rule page, through the same service and its checks.
        from incentives.services import update_rule
        from portal.models import Role
        from tests.factories import UserFactory

        hr = UserFactory(role=Role.HR, is_staff=True)
        for change in case["rules"]:
            stored = next(r for r in plan.parameters["rules"] if r["code"] == change["code"])
            update_rule(hr, plan, {**stored, **change})
        plan.refresh_from_db()
    build(plan, case)
    results = {r.national_id: r for r in evaluate(plan, _date(case["as_of"]))}
    for national_id, expected in case["expect"].items():
        result = results[national_id]
        got = {**result.award_counts, "leave_hours": float(result.leave_hours)}
        want = {"commendation": 0, "merit": 0, "major_merit": 0, "leave_hours": 0, **expected}
        want["leave_hours"] = float(want["leave_hours"])
        assert got == want, [a.text for a in result.awards] + [g.text for g in result.grants]
    found = warnings(plan, _date(case["as_of"]))
    for fragment in case.get("warnings", []):
        assert any(fragment in w for w in found), found


def test_every_source_plan_has_golden_cases():
    assert sorted(p.stem for p in GOLDEN.glob("*.yaml")) == [
        "hualien-106",
        "kaohsiung-103",
        "rad-104",
        "tainan-101",
        "taoyuan-98",
    ]
