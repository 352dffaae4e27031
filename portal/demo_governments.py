"""The two small demo governments' years: Hualien under its 106 plan, Tainan under its 101 plan.

Each is a finished year, so every result is in: Hualien's 熠星 team rated 優等 and its English
and MOOCs certificates; Tainan's forum tallies with the tally sheet, case reports, contest
results, English certificates, a moderator's merit granted by HR, classes attended, and
compensatory leave used or lapsed (the lapse job writes that entry).
"""
import datetime as dt
import random

from django.db import transaction

from courses.models import ForumTally, LearningRecord
from incentives import services as incentives
from incentives.models import Decision
from leave import services as leave
from leave.models import Application
from programs import services as programs
from programs.models import Activity, EmployeeTag, Plan, Proposal, Session

from .demo import staff_account
from .demo_activity import OTHER_COURSES, office_record, run_demo_import
from .models import Employee, User

HUALIEN_AS_OF = dt.date(2017, 12, 31)
TAINAN_AS_OF = dt.date(2012, 12, 31)
BUFFET = [("公務倫理與廉政治理", 2, "e學中心", "公務倫理類"), ("性別平等與性騷擾防治", 2, "e學中心", "性別主流類"),
          ("氣候變遷調適與環境教育", 2, "e學中心", "環境教育類"), ("資通安全基本概念", 3, "e學中心", "資訊安全類"),
          ("公務英文寫作入門", 2, "e學中心", "在職培訓類"), ("花蓮在地觀光行銷", 1, "e學中心", "在職培訓類")]
POLICY_COURSES = [("府城四百年文化導覽", 2, "e學中心", "在職培訓類"), ("低碳城市與綠能生活", 2, "e學中心", "環境教育類"),
                  ("公務員服務法與廉政倫理", 2, "e學中心", "公務倫理類"), ("災害防救與社區韌性", 2, "e學中心", "國防教育類"),
                  ("便民服務與溝通技巧", 2, "e學中心", "在職培訓類")]


def _covered(government: str, **filters) -> list[Employee]:
    return list(Employee.objects.filter(agency__government__name=government, employment_type="編制內", **filters)
                .exclude(agency__name="花蓮縣警察局").select_related("agency").order_by("pk"))


def _record(person, name, hours, category, day, at) -> LearningRecord:
    return LearningRecord(employee=person, course_name=name, course_key=name, provider="e學中心", hours=hours,
                          digital_hours=hours, mode="數位", category=category, completed_on=day, completed_at=at)


@transaction.atomic
def build_hualien(seed: int = 106) -> dict:
    plan = Plan.objects.filter(slug="hualien-106").first()
    if plan is None or LearningRecord.objects.filter(employee__agency__government__name="花蓮縣政府").exists():
        return {}
    # Seeded: the demo is the same on every machine; no secret comes from it.
    rng = random.Random(seed)  # nosec B311
    hr, coordinator = User.objects.get(username="hr"), User.objects.get(username="hlcoord")
    demo_employee = User.objects.get(username="hlemp").employee
    run_demo_import(hr, "course-list", "106自助餐課程名單.csv", ["課程名稱", "認證時數", "平臺", "課程類別"],
                    [list(c) for c in BUFFET], plan="hualien-106", list="buffet-courses")
    records = []
    people = list(Employee.objects.filter(agency__government__name="花蓮縣政府").order_by("pk"))
    for index, person in enumerate(people):
        taken = BUFFET if person == demo_employee or index % 3 == 0 else rng.sample(BUFFET, k=rng.randint(0, 4))
        for name, hours, _platform, category in taken:
            records.append(_record(person, name, hours, category, dt.date(2017, rng.randint(2, 9), rng.randint(1, 28)),
                                   dt.time(rng.randint(9, 16), 0)))
        for name, hours, category in rng.sample(OTHER_COURSES, k=rng.randint(2, 8)):
            records.append(office_record(person, rng, name, hours, category, dt.date(2017, rng.randint(1, 11), rng.randint(1, 28))))
    LearningRecord.objects.bulk_create(records, ignore_conflicts=True)

    covered = _covered("花蓮縣政府")
    english = [demo_employee] + [p for p in covered if p != demo_employee][:11]
    certificates = [[p.national_id, "英語課程完課", "106/05/31"] for p in english]
    certificates += [[p.national_id, "雲端視訊互動", "106/10/20"] for p in english[:5]]
    certificates += [[p.national_id, name, day] for p in covered[12:15] for name, day in (("磨課師完課證明", "106/06/30"), ("磨課師認證考試", "106/08/19"))]
    run_demo_import(hr, "certificates", "106英語及磨課師證書.csv", ["身分證字號", "證書", "取得日期"], certificates, plan="hualien-106")

    education = _covered("花蓮縣政府", agency__name="花蓮縣政府教育處")
    yixing = Activity.objects.get(plan=plan, kind=Activity.Kind.YIXING)
    team = Proposal(activity=yixing, agency=education[0].agency, title="花蓮縣政府數位學習熠星專案小組", leader=education[0],
                    fields={"government": "花蓮縣", "agency": "花蓮縣政府教育處", "contact": "吳承辦", "title": "科員",
                            "phone": "03-8462860", "email": "elearning@hl.gov.tw", "address": "花蓮市府前路17號",
                            "plan_name": "洄瀾數位學習熠星計畫", "goals": "以自製數位教材傳承花蓮在地公務經驗",
                            "topics": "國際教育與觀光行銷", "participants": "本府教育處、觀光處同仁",
                            "strategy": "成立專案小組，每月製作一門微課程", "schedule": "106年4月至12月",
                            "kpis": "完成自製數位教材 4 門、論壇討論 300 則"})
    programs.save_proposal(coordinator, team)
    team.members.set([demo_employee] + [p for p in education[1:5] if p != demo_employee][:3])
    programs.submit_proposal(coordinator, team)
    programs.select_proposal(hr, team, True)
    programs.rate_proposal(hr, team, "優等")
    programs.save_proposal(coordinator, Proposal(activity=yixing, agency=education[0].agency, title="107年度英語力提升社群（草稿）",
                                                 leader=education[1], fields={"contact": "吳承辦"}))
    camp = Activity.objects.get(plan=plan, kind=Activity.Kind.ENGLISH_CAMP)
    programs.nominate_to_camp(coordinator, camp, [p.pk for p in english[:6] if p.agency == education[0].agency],
                              circle="洄瀾國際教育圈", leader_ids=frozenset([english[0].pk]))

    incentives.save_evaluation(hr, plan, HUALIEN_AS_OF)
    decisions = list(Decision.objects.filter(plan=plan, employee__agency__name="花蓮縣政府教育處").order_by("pk"))
    for n, decision in enumerate(decisions):
        if n % 4 == 3:
            continue  # left eligible for hlcoord to file
        incentives.request(coordinator, [decision])
        if n % 4 in (0, 1):
            incentives.approve(hr, decision)
            incentives.issue(hr, decision, f"府人考字第10602{n:05d}號", dt.date(2017, 12, 22))
    return {"records": len(records), "certificates": len(certificates), "decisions": Decision.objects.filter(plan=plan).count()}


@transaction.atomic
def build_tainan(seed: int = 101) -> dict:
    plan = Plan.objects.filter(slug="tainan-101").first()
    if plan is None or LearningRecord.objects.filter(employee__agency__government__name="臺南市政府").exists():
        return {}
    # Seeded: the demo is the same on every machine; no secret comes from it.
    rng = random.Random(seed)  # nosec B311
    hr, coordinator = User.objects.get(username="hr"), User.objects.get(username="tncoord")
    run_demo_import(hr, "course-list", "101政策性數位學習課程計畫表（附件4）.csv", ["課程名稱", "認證時數", "平臺", "課程類別"],
                    [list(c) for c in POLICY_COURSES], plan="tainan-101", list="policy-courses")
    people = list(Employee.objects.filter(agency__government__name="臺南市政府").order_by("pk"))
    records, tallies = [], []
    weekends = [dt.date(2012, 1, 7) + dt.timedelta(days=7 * w + d) for w in range(35) for d in (0, 1)]
    for index, person in enumerate(people):
        keen = index % 3  # 0: over 40 hours with policy courses on weekends; 1: some; 2: little
        for name, hours, category in rng.sample(OTHER_COURSES, k=(12, 6, 2)[keen]):
            records.append(office_record(person, rng, name, hours + (2 if keen == 0 else 0), category,
                                         dt.date(2012, rng.randint(1, 9), rng.randint(1, 28))))
        if keen < 2:
            for name, hours, _platform, category in rng.sample(POLICY_COURSES, k=(3, 1)[keen]):
                records.append(_record(person, name, hours, category, rng.choice(weekends[20:66]), dt.time(rng.randint(9, 20), 0)))
        posts = (rng.randint(180, 420), rng.randint(60, 230), rng.randint(0, 80))[keen] + (300 if index == 4 else 0)
        tallies.append(ForumTally(employee=person, forum="臺南市政府公共論壇", window_start=dt.date(2012, 1, 1),
                                  window_end=dt.date(2012, 8, 31), posts=posts, replies=posts // 2,
                                  excluded=rng.randint(0, min(12, posts + posts // 2))))
    LearningRecord.objects.bulk_create(records, ignore_conflicts=True)
    ForumTally.objects.bulk_create(tallies)

    covered = _covered("臺南市政府")
    education = _covered("臺南市政府", agency__name="臺南市政府教育局")
    run_demo_import(hr, "case-reports", "101行政案例及研究報告.csv", ["身分證字號", "題目", "繳交日期", "審查"], [
        [education[0].national_id, "從公共論壇看校園午餐採購爭議", "101/07/20", "通過"],
        [education[0].national_id, "社區大學數位學習推廣之研究", "101/08/01", "通過"],
        [education[2].national_id, "國小課後照顧班申請流程簡化案例", "101/07/30", "通過"],
        [covered[1].national_id, "公務人員終身學習時數登錄問題探討", "101/08/10", "未通過"],
    ], plan="tainan-101")
    run_demo_import(hr, "contest", "101自製數位教材暨行銷短片競賽結果.csv", ["作品", "審查", "名次", "身分證字號", "角色"], [
        ["府城古蹟數位導覽（自製數位教材）", "通過", "1", education[3].national_id, "作者"],
        ["府城古蹟數位導覽（自製數位教材）", "通過", "1", education[4].national_id, "作者"],
        ["府城古蹟數位導覽（自製數位教材）", "通過", "1", education[0].national_id, "機關首長"],
        ["臺南好時光（行銷短片）", "通過", "佳作", covered[2].national_id, "作者"],
        ["公文線上簽核操作教學（自製數位教材）", "通過", "", education[5].national_id, "作者"],
        ["公文線上簽核操作教學（自製數位教材）", "通過", "", covered[3].national_id, "作者"],
    ], plan="tainan-101")
    run_demo_import(hr, "certificates", "101英語證書.csv", ["身分證字號", "證書", "取得日期"],
                    [[p.national_id, "英語初級", "101/03/15"] for p in education[6:11]]
                    + [[p.national_id, "英語中級", "101/09/20"] for p in education[6:9]], plan="tainan-101")
    moderator = education[1]
    EmployeeTag.objects.get_or_create(employee=moderator, tag=EmployeeTag.Tag.FORUM_MODERATOR)

    for slug, number, chosen in (("platform", 1, education[0:3]), ("seed", 1, education[3:9]), ("advanced", 1, education[3:6])):
        session = Session.objects.get(training_class__activity__plan=plan, training_class__slug=slug, number=number)
        programs.nominate(coordinator, session, [p.pk for p in chosen])
        for n, nomination in enumerate(programs.confirm_places(hr, session)):
            programs.record_attendance(hr, nomination, attended=n != 1)

    incentives.save_evaluation(hr, plan, TAINAN_AS_OF)
    incentives.override(hr, plan, moderator, "moderator", grant=True, award="merit", count=1,
                        reason="擔任本府公共論壇版主，經營績效優良（全年主題文章 120 篇）")
    for n, decision in enumerate(Decision.objects.filter(plan=plan, employee__agency__name="臺南市政府教育局").order_by("pk")):
        if n % 5 == 4:
            continue  # left eligible for tncoord to file
        # Filed in time: the forum rule's requests are due by 101-10-15 (柒、一、（二）).
        incentives.request(coordinator, [decision], today=dt.date(2012, 10, 1))
        if n % 5 != 3:
            incentives.approve(hr, decision)
            incentives.issue(hr, decision, f"府人考字第1010{n:06d}號", dt.date(2012, 11, 5))

    granted = leave.grant_from_evaluation(hr, plan, TAINAN_AS_OF)
    applied = 0
    for person in covered:
        if applied >= 4 or person.unit_role == "單位主管" or leave.balance(person, dt.date(2012, 11, 12), plan) < 2:
            continue
        account = staff_account(person)
        application = leave.apply(account, plan, dt.date(2012, 11, 12 + applied), dt.time(8, 30), dt.time(10, 30),
                                  today=dt.date(2012, 10, 22))
        applied += 1
        if applied % 2:
            supervisor = User.objects.filter(headed_units=person.unit_id).first()
            if supervisor is None:
                head = Employee.objects.filter(unit=person.unit_id, unit_role="單位主管").first()
                supervisor = staff_account(head)
                supervisor.role = "supervisor"
                supervisor.save()
                supervisor.headed_units.add(person.unit_id)
            leave.decide(supervisor, application, approve=True)
            leave.register(hr, application)
    return {"records": len(records), "tallies": len(tallies), "decisions": Decision.objects.filter(plan=plan).count(),
            "grants": granted, "applications": Application.objects.filter(plan=plan).count()}
