"""Half a year of activity for the demo government under Kaohsiung's 103 plan.

Learning records (bundle courses taken on evenings and weekends, other courses in office
hours), forum tallies, a vacation or two, then what HR and coordinators did with them:
decisions in every state, leave granted, applied for and approved.
"""
import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from courses.models import AttendancePeriod, Bundle, ForumTally, LearningRecord
from incentives import services as incentives
from incentives.models import Decision
from leave import services as leave
from programs.models import Plan

from .models import Employee, Role, User

AS_OF = dt.date(2014, 7, 15)
OTHER_COURSES = [("公務倫理與廉政", 2, "公務倫理類"), ("性別主流化概論", 1, "性別主流類"), ("資訊安全基礎", 3, "資訊安全類"),
                 ("行政中立的理論與實務", 2, "行政中立類"), ("心理健康促進", 1, "心理健康類"), ("國際視野：英文簡報技巧", 2, "在職培訓類")]


def _off_duty_moment(rng: random.Random, day: dt.date) -> tuple[dt.date, dt.time]:
    if day.weekday() >= 5:
        return day, dt.time(rng.randint(9, 21), rng.choice([0, 15, 30, 45]))
    return day, dt.time(rng.choice([19, 20, 21, 22]), rng.choice([0, 10, 30, 50]))


@transaction.atomic
def build_activity(seed: int = 2014) -> dict:
    plan = Plan.objects.filter(slug="kaohsiung-103").first()
    if plan is None or LearningRecord.objects.filter(employee__agency__government__name="高雄市政府").exists():
        return {}
    rng = random.Random(seed)
    bundles = list(Bundle.objects.filter(plan=plan).prefetch_related("entries__course"))
    mains = {b.rank: b for b in bundles if b.kind == "main"}
    sides = [b for b in bundles if b.kind == "side"]
    people = list(Employee.objects.filter(agency__government__name="高雄市政府").order_by("pk"))
    records, tallies, absences = [], [], []
    for index, person in enumerate(people):
        start = dt.date(2014, 1, 6) + dt.timedelta(days=rng.randint(0, 60))
        day = start
        keen = index % 4  # 0: did nothing, 1: a little, 2: main + a side, 3: main + the biggest side
        chosen = []
        if keen >= 2 and person.rank in mains:
            chosen = list(mains[person.rank].entries.all())
            side = sides[min(len(sides) - 1, 1 if keen == 2 else 2)] if sides else None
            if side:
                chosen += list(side.entries.all())
        seen = set()
        for entry in chosen:
            if entry.course.name_key in seen:
                continue
            seen.add(entry.course.name_key)
            day += dt.timedelta(days=rng.randint(1, 6))
            if day > AS_OF:
                break
            completed_on, completed_at = _off_duty_moment(rng, day)
            records.append(LearningRecord(employee=person, course_name=entry.course.name, course_key=entry.course.name_key,
                                          provider=entry.course.platform.name if entry.course.platform else "",
                                          hours=entry.hours, digital_hours=entry.hours, mode="數位",
                                          completed_on=completed_on, completed_at=completed_at))
        for name, hours, category in rng.sample(OTHER_COURSES, k=min(len(OTHER_COURSES), 1 + keen)):
            office_day = dt.date(2014, rng.randint(1, 6), rng.randint(1, 28))
            records.append(LearningRecord(employee=person, course_name=name, course_key=name, provider="e學中心",
                                          hours=hours, digital_hours=hours, mode="數位", category=category,
                                          job_related=rng.random() < 0.4, completed_on=office_day,
                                          completed_at=dt.time(rng.randint(9, 16), 0)))
        tallies.append(ForumTally(employee=person, forum="港都e學苑論壇", window_start=dt.date(2014, 1, 1),
                                  window_end=dt.date(2014, 6, 30), posts=rng.randint(0, 150), replies=rng.randint(0, 120),
                                  excluded=rng.randint(0, 5)))
        if index % 9 == 0:
            vacation = dt.datetime(2014, 5, rng.randint(5, 9), 8, 30)
            absences.append(AttendancePeriod(employee=person, kind="休假", starts_at=timezone.make_aware(vacation),
                                             ends_at=timezone.make_aware(vacation.replace(hour=17, minute=30))))
    LearningRecord.objects.bulk_create(records, ignore_conflicts=True)
    ForumTally.objects.bulk_create(tallies, ignore_conflicts=True)
    AttendancePeriod.objects.bulk_create(absences, ignore_conflicts=True)

    hr = User.objects.get(username="hr")
    coordinator = User.objects.get(username="coord")
    incentives.save_evaluation(hr, plan, AS_OF)
    decisions = list(Decision.objects.filter(plan=plan, employee__agency__name="高雄市政府教育局").order_by("pk"))
    steps = ["eligible", "requested", "approved", "issued", "rejected"]
    for n, decision in enumerate(decisions):
        step = steps[n % len(steps)]
        if step == "eligible":
            continue
        incentives.request(coordinator, [decision])
        if step == "rejected":
            incentives.reject(hr, decision, "提報資料不全，請補附證明")
            continue
        if step in ("approved", "issued"):
            incentives.approve(hr, decision)
        if step == "issued":
            incentives.issue(hr, decision, f"高市府人考字第10330{n:05d}號", dt.date(2014, 7, 10))
    granted = leave.grant_from_evaluation(hr, plan, AS_OF)
    demo_employee = User.objects.get(username="emp")
    applied = 0
    for user in User.objects.filter(role__in=[Role.EMPLOYEE, Role.SUPERVISOR], employee__isnull=False):
        if leave.balance(user.employee, dt.date(2014, 8, 1), plan) >= 4:
            application = leave.apply(user, plan, dt.date(2014, 8, 1), dt.time(8, 30), dt.time(12, 30), today=dt.date(2014, 7, 10))
            applied += 1
            if user != demo_employee:
                supervisor = User.objects.filter(headed_units=user.employee.unit_id).first()
                if supervisor:
                    leave.decide(supervisor, application, approve=True)
    return {"records": len(records), "tallies": len(tallies), "decisions": Decision.objects.filter(plan=plan).count(),
            "grants": granted, "applications": applied, "as_of": AS_OF}


