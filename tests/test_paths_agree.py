"""On random employees and records clustered on each plan's thresholds and window edges, the
set-based evaluation (everyone at once) and the per-person evaluation (one employee, as the
person's own page runs it) give the same awards, progress and leave grants, for every shipped
plan (issue 14, Done means)."""

import datetime as dt
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from courses.models import Bundle, Course, CourseList, CourseListEntry
from incentives.evaluation import evaluate, evaluate_one
from portal.models import Employee, EmploymentType, Rank, UnitRole
from programs.loader import load_plans, plan_files
from programs.models import Plan
from tests.factories import (
    AgencyFactory,
    CourseFactory,
    EmployeeFactory,
    ForumTallyFactory,
    LearningRecordFactory,
    UnitFactory,
)

PLANS = [path.stem for path in plan_files()]


def _outcome(evaluation) -> tuple:
    return (
        sorted((a.rule, a.award, a.count, a.text) for a in evaluation.awards),
        sorted((p.rule, p.text, round(p.ratio, 6), p.met) for p in evaluation.progress),
        sorted((g.rule, g.hours, g.earned_on, g.usable_until, g.record_ids, g.text) for g in evaluation.grants),
        sorted(evaluation.leave_progress),
    )


def _completions(evaluation) -> tuple:
    """The first completions the rules and the page saw: (the plan period's, each window's)."""
    return evaluation.facts.completed, evaluation.facts.completed_in


def _prepare(slug: str) -> tuple[Plan, list[Course], list]:
    """The plan loaded, its empty course lists filled with a few courses, and the course pool."""
    (plan,) = load_plans([Path(settings.BASE_DIR) / "fixtures" / "plans" / f"{slug}.yaml"])
    for course_list in CourseList.objects.filter(plan=plan):
        if not course_list.entries.exists():
            for index in range(3):
                course = CourseFactory(name=f"{course_list.slug} 課程 {index}", hours=2 + index)
                CourseListEntry.objects.create(course_list=course_list, course=course, hours=2 + index)
    pool = list(Course.objects.filter(bundlecourse__bundle__plan=plan).distinct().order_by("pk")) + list(
        Course.objects.filter(courselistentry__course_list__plan=plan).distinct().order_by("pk")
    )
    pool.append(CourseFactory(name=f"{slug} 一般課程", hours=3))
    ranks = sorted({b.rank for b in Bundle.objects.filter(plan=plan, kind="main")}) or [Rank.JUNIOR]
    return plan, pool, ranks


records = st.lists(
    st.tuples(
        st.integers(0, 50),
        st.sampled_from([Decimal("0.5"), Decimal(1), Decimal(2), Decimal(8), Decimal(40)]),
        st.booleans(),
        st.booleans(),
        st.integers(-40, 400),
        st.integers(0, 23),
    ),
    max_size=12,
)
people = st.lists(
    st.tuples(records, st.integers(0, 600), st.integers(0, 2), st.booleans(), st.integers(0, 2)), min_size=1, max_size=5
)


@pytest.mark.parametrize("slug", PLANS)
@pytest.mark.django_db
def test_set_based_and_per_person_evaluation_agree(slug):
    plan, pool, ranks = _prepare(slug)
    agency = AgencyFactory(name=f"{plan.issuer.name}人事處", parent=plan.issuer)
    units = [UnitFactory(agency=agency, name=f"第{n}科") for n in range(2)]
    start = plan.starts_on or dt.date(plan.roc_year + 1911, 1, 1)
    as_of = plan.ends_on or dt.date(plan.roc_year + 1911, 12, 31)
    employment = plan.employment_types[0] if plan.employment_types else EmploymentType.ESTABLISHED
    roles = ["", UnitRole.UNIT_HEAD, UnitRole.OFFICER]

    @hypothesis_settings(
        max_examples=12,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(people)
    def check(drawn):
        with transaction.atomic():
            for person, posts, unit, contract, role in drawn:
                employee = EmployeeFactory(
                    unit=units[unit % 2],
                    rank=ranks[role % len(ranks)],
                    unit_role=roles[role],
                    employment_type=EmploymentType.CONTRACT if contract else employment,
                )
                seen = set()
                for course_index, hours, digital, job, day, hour in person:
                    course = pool[course_index % len(pool)]
                    if (course.pk, day) in seen:
                        continue  # one record per course and day (the records' natural key)
                    seen.add((course.pk, day))
                    LearningRecordFactory(
                        employee=employee,
                        course_name=course.name,
                        course_key=course.name_key,
                        hours=hours,
                        digital_hours=hours if digital else 0,
                        job_related=job,
                        completed_on=start + dt.timedelta(days=day),
                        completed_at=dt.time(hour, 30),
                    )
                ForumTallyFactory(
                    employee=employee,
                    forum="公共論壇",
                    window_start=start,
                    window_end=start + dt.timedelta(days=200),
                    posts=posts,
                    replies=posts // 3,
                )
            # The set-based path groups first completions in SQL, window by window (as for a
            # whole plan); the per-person path finds them in Python from the person's days.
            with mock.patch("incentives.facts.FEW_PEOPLE", 0):
                together = {e.employee_id: (_outcome(e), _completions(e)) for e in evaluate(plan, as_of)}
            for employee in Employee.objects.filter(pk__in=together):
                alone = evaluate_one(plan, employee, as_of)
                assert (_outcome(alone), _completions(alone)) == together[employee.pk], (slug, employee.name)
            transaction.set_rollback(True)

    check()
