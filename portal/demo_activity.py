"""A year of activity for the demo government under Kaohsiung's 103 plan, as of 103/07/15.

Learning records of 102 and of 103 so far (bundle courses taken on evenings and weekends,
other courses in office hours), forum tallies, a vacation or two; then what HR, the
coordinators, the supervisor and the staff did with them: decisions in every state, leave
granted, applied for, approved, returned, registered, cancelled and lapsed, nominations to
classes and to the English camp, 熠星 proposals, contest works — each through the service
that a person's action would call.
"""
import contextlib
import csv
import datetime as dt
import io
import random

from django.db import transaction
from django.utils import timezone

from courses.models import AttendancePeriod, Bundle, ForumTally, LearningRecord
from incentives import services as incentives
from incentives.models import Decision
from leave import services as leave
from leave.models import Application
from programs import services as programs
from programs.models import Activity, ClassHistory, EmployeeTag, Plan, Proposal, Session

from .demo import staff_account
from .models import Employee, ImportBatch, Unit, User

AS_OF = dt.date(2014, 7, 15)
OTHER_COURSES = [("公務倫理與廉政", 2, "公務倫理類"), ("性別主流化概論", 1, "性別主流類"), ("資訊安全基礎", 3, "資訊安全類"),
                 ("行政中立的理論與實務", 2, "行政中立類"), ("心理健康促進", 1, "心理健康類"), ("國際視野：英文簡報技巧", 2, "在職培訓類"),
                 ("政府資訊公開法概要", 2, "法治人權類"), ("全民國防：防災與應變", 1, "國防教育類"), ("節能減碳生活家", 2, "環境教育類"),
                 ("消費者保護法導論", 2, "消費保護類"), ("公文寫作技巧", 3, "在職培訓類"), ("個人資料保護法實務", 2, "資訊安全類")]
# 春‧悅讀: the three designated environmental-education courses (陸、七、（二）、1), as HR would import them.
SPRING_READING = [("低碳城市綠色生活", 2, "e學中心", "環境教育類"), ("與大自然和諧相處樂活人生", 2, "e學中心", "環境教育類"),
                  ("空氣品質與生活", 2, "e學中心", "環境教育類")]
CONTEST_WORKS = [("校園資安停看聽（自製數位教材）", "通過", "佳作", "高雄市政府教育局", 2),
                 ("長照服務一分鐘（行銷短片）", "通過", "", "高雄市政府社會局", 1),
                 ("鳳山古城巡禮（行銷短片）", "未通過", "", "高雄市鳳山區公所", 2)]


@contextlib.contextmanager
def _in_process():
    """Demo imports run here and now, whatever broker is configured, without a log line each."""
    import logging

    from portal.celery import app

    previous = app.conf.task_always_eager
    loggers = [logging.getLogger(name) for name in ("portal.services", "celery.app.trace")]
    levels = [logger.level for logger in loggers]
    app.conf.task_always_eager = True
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        app.conf.task_always_eager = previous
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def run_demo_import(user, kind: str, file_name: str, header: list[str], rows: list[list], **options) -> ImportBatch:
    """Import a CSV the way HR would (an import batch, through the importer), so the admin shows it."""
    from portal.services import submit_import

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    with _in_process():
        batch = submit_import(kind, file_name, buffer.getvalue().encode("utf-8"), user=user, options=options)
    batch.refresh_from_db()
    if batch.status != ImportBatch.Status.APPLIED:
        raise RuntimeError(f"demo import {file_name} ended {batch.status}: {batch.message}")
    return batch


def off_duty_moment(rng: random.Random, day: dt.date) -> tuple[dt.date, dt.time]:
    if day.weekday() >= 5:
        return day, dt.time(rng.randint(9, 21), rng.choice([0, 15, 30, 45]))
    return day, dt.time(rng.choice([19, 20, 21, 22]), rng.choice([0, 10, 30, 50]))


def office_record(person, rng, name, hours, category, day) -> LearningRecord:
    return LearningRecord(employee=person, course_name=name, course_key=name, provider="e學中心", hours=hours,
                          digital_hours=hours, mode="數位", category=category, job_related=rng.random() < 0.4,
                          completed_on=day, completed_at=dt.time(rng.randint(9, 16), rng.choice([0, 30])))


def _bundle_record(person, entry, moment) -> LearningRecord:
    course = entry.course
    return LearningRecord(employee=person, course_name=course.name, course_key=course.name_key,
                          provider=course.platform.name if course.platform else "", hours=entry.hours,
                          digital_hours=entry.hours, mode="數位", category=course.category,
                          completed_on=moment[0], completed_at=moment[1])


def _weekend_days(start: dt.date):
    day = start
    while True:
        if day.weekday() >= 5:
            yield day
        day += dt.timedelta(days=1)


def _demo_employee_records(person, mains, sides, rng) -> list[LearningRecord]:
    """The `emp` log-in: main + 窈窕精緻餐 by 103/01/12 (4 h of leave, half of it left to lapse),
    then 幸福嚴選餐 by 103/03/22 (8 h), and part of 豪華主廚餐 since."""
    light, happy, deluxe = sides
    january = [dt.date(2014, 1, d) for d in (4, 4, 5, 5, 6, 7, 8, 9, 10, 11, 11, 12)]
    first = list(mains[person.rank].entries.all()) + list(light.entries.all())
    records = [_bundle_record(person, entry, off_duty_moment(rng, day)) for entry, day in zip(first, january)]
    done = {entry.course.name_key for entry in first}
    weekends = _weekend_days(dt.date(2014, 3, 1))
    for entry in list(happy.entries.all()) + list(deluxe.entries.all())[:9]:
        if entry.course.name_key not in done:
            done.add(entry.course.name_key)
            records.append(_bundle_record(person, entry, off_duty_moment(rng, next(weekends))))
    return records


@transaction.atomic
def build_activity(seed: int = 2014) -> dict:
    plan = Plan.objects.filter(slug="kaohsiung-103").first()
    if plan is None or LearningRecord.objects.filter(employee__agency__government__name="高雄市政府").exists():
        return {}
    # Seeded: the demo is the same on every machine; no secret comes from it.
    rng = random.Random(seed)  # nosec B311
    hr = User.objects.get(username="hr")
    coordinator, coordinator2 = User.objects.get(username="coord"), User.objects.get(username="coord2")
    supervisor, demo_employee = User.objects.get(username="sup"), User.objects.get(username="emp")
    run_demo_import(hr, "course-list", "103四季悅讀春季指定課程.csv", ["課程名稱", "認證時數", "平臺", "課程類別"],
                    [list(c) for c in SPRING_READING], plan="kaohsiung-103", list="seasonal-reading")
    bundles = list(Bundle.objects.filter(plan=plan).prefetch_related("entries__course__platform"))
    mains = {b.rank: b for b in bundles if b.kind == "main"}
    sides = sorted((b for b in bundles if b.kind == "side"), key=lambda b: b.hours)
    people = list(Employee.objects.filter(agency__government__name="高雄市政府").order_by("pk"))
    records, tallies, absences = [], [], []
    for index, person in enumerate(people):
        # 102: a few courses in office hours, a year of history behind the current one.
        for name, hours, category in rng.sample(OTHER_COURSES, k=rng.randint(2, 7)):
            records.append(office_record(person, rng, name, hours, category, dt.date(2013, rng.randint(1, 12), rng.randint(1, 28))))
        if person.pk == demo_employee.employee_id:
            records += _demo_employee_records(person, mains, sides, rng)
        else:
            day = dt.date(2014, 1, 6) + dt.timedelta(days=rng.randint(0, 60))
            keen = index % 4  # 0: did nothing, 1: nearly main + a side, 2: main + a side, 3: main + the biggest side
            chosen = []
            if keen >= 1 and person.rank in mains:
                chosen = list(mains[person.rank].entries.all()) + list(sides[2 if keen == 3 else 1].entries.all())
                if keen == 1:
                    chosen = chosen[:-2]  # two courses short of 幸福嚴選餐: "nearly met"
            seen = set()
            for entry in chosen:
                if entry.course.name_key in seen:
                    continue
                seen.add(entry.course.name_key)
                day += dt.timedelta(days=rng.randint(1, 6))
                if day > AS_OF:
                    break
                records.append(_bundle_record(person, entry, off_duty_moment(rng, day)))
        for name, hours, category in rng.sample(OTHER_COURSES, k=1 + index % 4):
            records.append(office_record(person, rng, name, hours, category, dt.date(2014, rng.randint(1, 6), rng.randint(1, 28))))
        for forum, (low, high) in (("港都e學苑論壇", (0, 150)), ("e學中心菁英社群網", (0, 60))):
            posts, replies = rng.randint(low, high), rng.randint(low, high)
            tallies.append(ForumTally(employee=person, forum=forum, window_start=dt.date(2014, 1, 1),
                                      window_end=dt.date(2014, 6, 30), posts=posts, replies=replies,
                                      excluded=rng.randint(0, min(5, posts + replies))))
        if index % 9 == 0:
            vacation = dt.datetime(2014, 5, rng.randint(5, 9), 8, 30)
            absences.append(AttendancePeriod(employee=person, kind="休假", starts_at=timezone.make_aware(vacation),
                                             ends_at=timezone.make_aware(vacation.replace(hour=17, minute=30))))
    LearningRecord.objects.bulk_create(records, ignore_conflicts=True)
    ForumTally.objects.bulk_create(tallies)
    AttendancePeriod.objects.bulk_create(absences, ignore_conflicts=True)

    figures = {"records": len(records), "tallies": len(tallies)}
    figures["decisions"] = _decisions(plan, hr, coordinator, coordinator2, demo_employee)
    figures.update(_leave(plan, hr, supervisor, demo_employee))
    figures.update(_programs(plan, hr, coordinator, coordinator2, rng))
    figures["as_of"] = AS_OF
    return figures


def _decisions(plan, hr, coordinator, coordinator2, demo_employee) -> int:
    """Every state: eligible, requested, approved, issued, rejected, withheld."""
    incentives.save_evaluation(hr, plan, AS_OF)
    decisions = list(Decision.objects.filter(plan=plan, employee__agency__name="高雄市政府教育局")
                     .exclude(employee=demo_employee.employee).order_by("pk"))
    steps = ["eligible", "requested", "approved", "issued", "rejected", "withheld"]
    for n, decision in enumerate(decisions):
        step = steps[n % len(steps)]
        if step == "eligible":
            continue
        if step == "withheld":
            incentives.override(hr, plan, decision.employee, decision.rule_code, grant=False,
                                reason="課程完成日期待終身學習入口網站更正後再行核定")
            continue
        incentives.request(coordinator, [decision])
        if step == "rejected":
            incentives.reject(hr, decision, "提報資料不全，請補附終身學習時數證明（附件1）")
            continue
        if step in ("approved", "issued"):
            incentives.approve(hr, decision)
        if step == "issued":
            incentives.issue(hr, decision, f"高市府人考字第10330{n:05d}號", dt.date(2014, 7, 10))
    for decision in Decision.objects.filter(plan=plan, employee=demo_employee.employee):
        incentives.request(coordinator, [decision])
        incentives.approve(hr, decision)
        incentives.issue(hr, decision, "高市府人考字第10330000023號", dt.date(2014, 7, 10))
    # 社會局: a few filed, the rest still eligible for coord2 to file.
    incentives.request(coordinator2, list(Decision.objects.filter(plan=plan, employee__agency__name="高雄市政府社會局")
                                          .order_by("pk")[:4]))
    return Decision.objects.filter(plan=plan).count()


def _leave(plan, hr, supervisor, demo_employee) -> dict:
    """Grants from the evaluation; applications in every state; the lapse job at the demo date."""
    granted = len(leave.grant_leave(plan, AS_OF, user=hr).granted)
    # emp: 2 of the 4 hours of January used in February (approved, registered); the 8 hours of May partly applied for.
    early = leave.apply(demo_employee, plan, dt.date(2014, 2, 14), dt.time(8, 30), dt.time(10, 30), today=dt.date(2014, 2, 5))
    leave.decide(supervisor, early, approve=True)
    leave.register(hr, early)
    leave.apply(demo_employee, plan, dt.date(2014, 8, 1), dt.time(8, 30), dt.time(12, 30), today=AS_OF)
    # The rest of the supervisor's unit: one application in each state.
    unit = Unit.objects.get(agency__name="高雄市政府教育局", name="資訊教育科")
    states = ["approved", "returned", "submitted", "registered", "cancelled", "submitted"]
    applied = 2
    colleagues = [e for e in Employee.objects.filter(unit=unit).exclude(pk__in=[demo_employee.employee_id, supervisor.employee_id])
                  .order_by("pk") if leave.balance(e, dt.date(2014, 7, 28), plan) >= 4]
    for state, person in zip(states, colleagues):
        account = staff_account(person)
        day = dt.date(2014, 7, 21 + applied % 5)
        application = leave.apply(account, plan, day, dt.time(13, 30), dt.time(17, 30), today=dt.date(2014, 7, 1))
        applied += 1
        if state in ("approved", "returned", "registered"):
            leave.decide(supervisor, application, approve=state != "returned", note="" if state != "returned" else "該日科內有業務檢查，請改期")
        if state == "registered":
            leave.register(hr, application)
        if state == "cancelled":
            leave.cancel(account, application, today=dt.date(2014, 7, 10))
    return {"grants": granted, "applications": Application.objects.filter(plan=plan).count()}


def _programs(plan, hr, coordinator, coordinator2, rng) -> dict:
    """Class history and nominations, the English camp, 熠星 proposals, contest works."""
    education = list(Employee.objects.filter(agency__name="高雄市政府教育局", employment_type="編制內").order_by("pk"))
    social = list(Employee.objects.filter(agency__name="高雄市政府社會局", employment_type="編制內").order_by("pk"))
    # Who took RAD's self-made-material basic class this spring, and who runs 熠星 work.
    for person in education[5:9] + social[5:7]:
        ClassHistory.objects.get_or_create(employee=person, class_slug="basic", attended_on=dt.date(2014, 5, 16),
                                           defaults={"class_name": "自製數位教材基礎班"})
    for person in education[5:7] + social[5:6]:
        EmployeeTag.objects.get_or_create(employee=person, tag=EmployeeTag.Tag.YIXING_PARTICIPANT)
    EmployeeTag.objects.get_or_create(employee=education[1], tag=EmployeeTag.Tag.ELEARNING_OFFICER)
    app_class = Session.objects.get(training_class__activity__plan=plan, training_class__slug="app-making", number=1)
    programs.nominate(coordinator, app_class, [p.pk for p in education[1:6]])
    programs.nominate(coordinator2, app_class, [p.pk for p in social[1:4]])
    frontline = Session.objects.get(training_class__activity__plan=plan, training_class__slug="frontline", number=3)
    programs.nominate(coordinator, frontline, [p.pk for p in education[10:18]])
    programs.nominate(coordinator2, frontline, [p.pk for p in social[10:14]])
    programs.confirm_places(hr, frontline)
    rad = Plan.objects.filter(slug="rad-104").first()
    if rad:
        advanced = Session.objects.filter(training_class__activity__plan=rad, training_class__slug="advanced").order_by("number").first()
        programs.nominate(coordinator, advanced, [p.pk for p in education[5:9]])  # they attended the basic class
    camp = Activity.objects.get(plan=plan, kind=Activity.Kind.ENGLISH_CAMP)
    programs.nominate_to_camp(coordinator, camp, [p.pk for p in education[20:26]], circle="教育局英語圈",
                              leader_ids=frozenset(p.pk for p in education[20:22]))
    programs.nominate_to_camp(coordinator2, camp, [p.pk for p in social[20:24]], circle="社會局英語圈",
                              leader_ids=frozenset([social[20].pk]))
    yixing = Activity.objects.get(plan=plan, kind=Activity.Kind.YIXING)
    fields = {"contact": "陳承辦", "phone": "07-7995678", "email": "elearning@kh.gov.tw", "goals": "以社群論壇帶動教師與行政人員數位學習",
              "strategy": "每月一次線上讀書會，搭配港都e學苑課程", "schedule": "103年3月至11月", "kpis": "社群成員 60 人、讀書會 9 場"}
    draft = Proposal(activity=yixing, agency=education[0].agency, title="教育局數位學習社群深耕計畫", leader=education[5],
                     fields={**fields, "kpis": ""})
    programs.save_proposal(coordinator, draft)
    draft.members.set(education[6:9])
    submitted = Proposal(activity=yixing, agency=social[0].agency, title="社會局長照知識數位傳承計畫", leader=social[5],
                         fields={**fields, "contact": "黃承辦", "email": "social@kh.gov.tw"})
    programs.save_proposal(coordinator2, submitted)
    submitted.members.set(social[6:8])
    programs.submit_proposal(coordinator2, submitted)
    programs.select_proposal(hr, submitted, True)
    if rad:
        rows = []
        for title, review, placing, agency, authors in CONTEST_WORKS:
            staff = Employee.objects.filter(agency__name=agency, employment_type="編制內").order_by("pk")[2:2 + authors]
            rows += [[title, review, placing, p.national_id, "作者"] for p in staff]
        run_demo_import(hr, "contest", "104自製數位教材暨行銷短片競賽結果.csv", ["作品", "審查", "名次", "身分證字號", "角色"],
                        rows, plan="rad-104")
    return {"nominations": app_class.nominations.count() + frontline.nominations.count(),
            "camp": camp.camp_nominations.count(), "proposals": Proposal.objects.filter(activity=yixing).count()}


def lapse_at_demo_date() -> int:
    """The daily lapse job, run as on the demo date: what nobody used in time lapses (a ledger entry)."""
    return leave.lapse_leave(AS_OF)
