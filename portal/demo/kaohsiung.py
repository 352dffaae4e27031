"""A year of activity for the demo government under Kaohsiung's 103 plan, up to 103/07/15.

HR imports the learning records month by month as the lifelong-learning portal exports them
(102's, then 103's: bundle courses taken on evenings and weekends, other courses in office
hours), the forum tallies and a vacation or two from the attendance system; the leave the
plan gives is granted after each import. Then the coordinators, the supervisor and the staff
act on their pages, each on their day: decisions in every state, leave applied for,
approved, returned, registered and cancelled, nominations to classes and to the English
camp, 熠星 proposals; RAD's contest results come in as a file.
"""

import datetime as dt
import random
from decimal import Decimal

from courses.models import Bundle
from incentives.models import Decision
from leave.models import Application, Entry
from portal.models import Employee, Unit, User
from programs.models import Activity, EmployeeTag, Plan, Proposal, Session

from .doors import Files, Person, balances, import_file, on
from .people import Roster, staff_account
from .steps import (
    add_class_history,
    add_tag,
    apply_for_leave,
    approve,
    approve_leave,
    cancel_leave,
    confirm_places,
    decisions_of,
    desk_acts,
    desk_evaluates,
    desk_issues_order,
    eligible_people,
    file_requests,
    nominate,
    nominate_to_camp,
    publish_draw_seed,
    register_leave,
    return_leave,
    run_season_draw,
    select_proposals,
    set_season_dates,
    write_proposal,
)

AS_OF = dt.date(2014, 7, 15)
OTHER_COURSES = [
    ("公務倫理與廉政", 2, "公務倫理類"),
    ("性別主流化概論", 1, "性別主流類"),
    ("資訊安全基礎", 3, "資訊安全類"),
    ("行政中立的理論與實務", 2, "行政中立類"),
    ("心理健康促進", 1, "心理健康類"),
    ("國際視野：英文簡報技巧", 2, "在職培訓類"),
    ("政府資訊公開法概要", 2, "法治人權類"),
    ("全民國防：防災與應變", 1, "國防教育類"),
    ("節能減碳生活家", 2, "環境教育類"),
    ("消費者保護法導論", 2, "消費保護類"),
    ("公文寫作技巧", 3, "在職培訓類"),
    ("個人資料保護法實務", 2, "資訊安全類"),
]
# 春‧悅讀: the three designated environmental-education courses (陸、七、（二）、1), as HR would import them.
SPRING_READING = [
    ("低碳城市綠色生活", 2, "e學中心", "環境教育類"),
    ("與大自然和諧相處樂活人生", 2, "e學中心", "環境教育類"),
    ("空氣品質與生活", 2, "e學中心", "環境教育類"),
]
CONTEST_WORKS = [
    ("校園資安停看聽（自製數位教材）", "通過", "佳作", "高雄市政府教育局", 2),
    ("長照服務一分鐘（行銷短片）", "通過", "", "高雄市政府社會局", 1),
    ("鳳山古城巡禮（行銷短片）", "未通過", "", "高雄市鳳山區公所", 2),
]
COURSE_LIST_HEADER = ["課程名稱", "認證時數", "平臺", "課程類別"]
RECORD_HEADER = [
    "身分證字號",
    "姓名",
    "課程名稱",
    "學習迄日",
    "學習時數",
    "數位時數",
    "學習性質",
    "課程類別",
    "開課機關",
    "與業務相關",
]
FORUM_HEADER = ["身分證字號", "姓名", "論壇名稱", "統計起日", "統計迄日", "發表篇數", "回應篇數", "不計入篇數"]
ATTENDANCE_HEADER = ["身分證字號", "假別", "起始", "迄止"]
CONTEST_HEADER = ["作品", "審查", "名次", "身分證字號", "角色"]
# The lifelong-learning portal's exports HR imports: (the day HR imports, the last completion day the export holds).
EXPORTS = [
    (dt.date(2014, 1, 2), dt.date(2013, 12, 31)),
    (dt.date(2014, 2, 3), dt.date(2014, 1, 31)),
    (dt.date(2014, 3, 3), dt.date(2014, 2, 28)),
    (dt.date(2014, 4, 1), dt.date(2014, 3, 31)),
    (dt.date(2014, 5, 2), dt.date(2014, 4, 30)),
    (dt.date(2014, 6, 2), dt.date(2014, 5, 31)),
    (dt.date(2014, 7, 1), dt.date(2014, 6, 30)),
    (AS_OF, AS_OF),
]


def _hours(value) -> str:
    return f"{Decimal(value).normalize():f}"


def off_duty_moment(rng: random.Random, day: dt.date) -> dt.datetime:
    if day.weekday() >= 5:
        return dt.datetime.combine(day, dt.time(rng.randint(9, 21), rng.choice([0, 15, 30, 45])))
    return dt.datetime.combine(day, dt.time(rng.choice([19, 20, 21, 22]), rng.choice([0, 10, 30, 50])))


def office_record(person: Employee, rng: random.Random, name: str, hours, category: str, day: dt.date) -> list:
    """A course taken in office hours, as the lifelong-learning portal exports it."""
    job_related = rng.random() < 0.4
    moment = dt.datetime.combine(day, dt.time(rng.randint(9, 16), rng.choice([0, 30])))
    return [
        person.national_id,
        person.name,
        name,
        f"{moment:%Y-%m-%d %H:%M}",
        _hours(hours),
        _hours(hours),
        "數位",
        category,
        "e學中心",
        "Y" if job_related else "N",
    ]


def bundle_record(person: Employee, entry, moment: dt.datetime) -> list:
    course = entry.course
    return [
        person.national_id,
        person.name,
        course.name,
        f"{moment:%Y-%m-%d %H:%M}",
        _hours(entry.hours),
        _hours(entry.hours),
        "數位",
        course.category,
        course.platform.name if course.platform else "",
        "",
    ]


def completed_on(row: list) -> dt.date:
    return dt.date.fromisoformat(row[3][:10])


def _weekend_days(start: dt.date):
    day = start
    while True:
        if day.weekday() >= 5:
            yield day
        day += dt.timedelta(days=1)


def _demo_employee_records(person, mains, sides, rng) -> list[list]:
    """The `emp` log-in: main + 窈窕精緻餐 by 103/01/12 (4 h of leave, half of it left to lapse),
    then 幸福嚴選餐 by 103/03/22 (8 h), and part of 豪華主廚餐 since."""
    light, happy, deluxe = sides
    january = [dt.date(2014, 1, d) for d in (4, 4, 5, 5, 6, 7, 8, 9, 10, 11, 11, 12)]
    first = list(mains[person.rank].entries.all()) + list(light.entries.all())
    records = [bundle_record(person, entry, off_duty_moment(rng, day)) for entry, day in zip(first, january)]
    done = {entry.course.name_key for entry in first}
    weekends = _weekend_days(dt.date(2014, 3, 1))
    for entry in list(happy.entries.all()) + list(deluxe.entries.all())[:9]:
        if entry.course.name_key not in done:
            done.add(entry.course.name_key)
            records.append(bundle_record(person, entry, off_duty_moment(rng, next(weekends))))
    return records


class Kaohsiung:
    """The people who act in Kaohsiung's year, and what the files hold."""

    def __init__(self, files: Files, roster: Roster, users: dict[str, User], seed: int = 2014):
        self.files = files
        self.roster = roster
        self.plan = Plan.objects.get(slug="kaohsiung-103")
        self.rad = Plan.objects.get(slug="rad-104")
        self.hr, self.coord, self.coord2 = Person(users["hr"]), Person(users["coord"]), Person(users["coord2"])
        self.sup, self.emp = Person(users["sup"]), Person(users["emp"])
        # Seeded: the demo is the same on every machine; no secret comes from it.
        self.rng = random.Random(seed)  # nosec B311
        self.figures: dict = {}
        self.education = roster.employees(agency="高雄市政府教育局", established=True)
        self.social = roster.employees(agency="高雄市政府社會局", established=True)

    def build(self) -> dict:
        with on(EXPORTS[0][0]):
            import_file(
                self.files,
                "import_course_list",
                "103四季悅讀春季指定課程.csv",
                COURSE_LIST_HEADER,
                [list(c) for c in SPRING_READING],
                "kaohsiung-103",
                "seasonal-reading",
            )
            import_file(
                self.files,
                "import_course_list",
                "103春悅讀指定課程.csv",
                COURSE_LIST_HEADER,
                [list(c) for c in SPRING_READING],
                "kaohsiung-103",
                "seasonal-reading-spring",
            )
            # 春‧悅讀 runs from 103/03/01 to 103/05/31 (the seed gives no dates: HR sets them).
            set_season_dates(self.hr, self.plan, "seasonal-reading-draws", 0, dt.date(2014, 3, 1), dt.date(2014, 5, 31))
        with on(dt.date(2014, 5, 30)):
            publish_draw_seed(self.hr, self.plan, "spring", "103/05/29 今彩539 開獎號碼 04 11 19 27 35")
        records, tallies, absences = self._files()
        self._imports(records, tallies, absences)
        with on(dt.date(2014, 6, 3)):
            run_season_draw(self.hr, self.plan, "spring")
        self._proposals()
        self._classes()
        self._decisions()
        self._leave()
        with on(dt.date(2014, 7, 14)):
            self._contest()
        self.figures.update(
            records=len(records),
            tallies=len(tallies),
            as_of=AS_OF,
            decisions=Decision.objects.filter(plan=self.plan).count(),
            applications=Application.objects.filter(plan=self.plan).count(),
            grants=Entry.objects.filter(plan=self.plan, kind=Entry.Kind.GRANT).count(),
        )
        return self.figures

    # -- what the other systems export -------------------------------------------------------

    def _files(self):
        rng = self.rng
        bundles = list(Bundle.objects.filter(plan=self.plan).prefetch_related("entries__course__platform"))
        mains = {b.rank: b for b in bundles if b.kind == "main"}
        sides = sorted((b for b in bundles if b.kind == "side"), key=lambda b: b.hours)
        people = self.roster.employees(government="高雄市政府")
        demo_employee = self.emp.user.employee
        records, tallies, absences = [], [], []
        for index, person in enumerate(people):
            # 102: a few courses in office hours, a year of history behind the current one.
            for name, hours, category in rng.sample(OTHER_COURSES, k=rng.randint(2, 7)):
                records.append(
                    office_record(
                        person, rng, name, hours, category, dt.date(2013, rng.randint(1, 12), rng.randint(1, 28))
                    )
                )
            if person.pk == demo_employee.pk:
                records += _demo_employee_records(person, mains, sides, rng)
            else:
                day = dt.date(2014, 1, 6) + dt.timedelta(days=rng.randint(0, 60))
                keen = (
                    index % 4
                )  # 0: did nothing, 1: nearly main + a side, 2: main + a side, 3: main + the biggest side
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
                    records.append(bundle_record(person, entry, off_duty_moment(rng, day)))
            for name, hours, category in rng.sample(OTHER_COURSES, k=1 + index % 4):
                records.append(
                    office_record(
                        person, rng, name, hours, category, dt.date(2014, rng.randint(1, 6), rng.randint(1, 28))
                    )
                )
            for forum, (low, high) in (("港都e學苑論壇", (0, 150)), ("e學中心菁英社群網", (0, 60))):
                posts, replies = rng.randint(low, high), rng.randint(low, high)
                tallies.append(
                    [
                        person.national_id,
                        person.name,
                        forum,
                        "2014-01-01",
                        "2014-06-30",
                        posts,
                        replies,
                        rng.randint(0, min(5, posts + replies)),
                    ]
                )
            if index % 9 == 0:
                day = dt.date(2014, 5, rng.randint(5, 9))
                absences.append([person.national_id, "休假", f"{day} 08:30", f"{day} 17:30"])
        return records, tallies, absences

    def _imports(self, records, tallies, absences) -> None:
        """HR imports each month's export from the lifelong-learning portal (the leave it gives is
        granted right after), the vacations from the attendance system and the forum tallies."""
        first = dt.date.min
        for imported_on, last in EXPORTS:
            batch = [r for r in records if first <= completed_on(r) <= last]
            first = last + dt.timedelta(days=1)
            if not batch:
                continue  # nothing completed since the last export: nothing to import
            with on(imported_on):
                if imported_on == dt.date(2014, 7, 1):
                    import_file(self.files, "import_attendance", "103年5月差勤紀錄.csv", ATTENDANCE_HEADER, absences)
                    import_file(self.files, "import_forum", "103上半年論壇發表統計.csv", FORUM_HEADER, tallies)
                name = (
                    f"終身學習紀錄_{last.year - 1911}年{last.month:02d}月.csv"
                    if last.year == 2014
                    else "終身學習紀錄_102年度.csv"
                )
                import_file(self.files, "import_records", name, RECORD_HEADER, batch)

    # -- 熠星 proposals ---------------------------------------------------------------------

    def _proposals(self) -> None:
        """教育局 keeps a draft; 社會局 submits; each names its team on the form; HR selects 社會局's."""
        yixing = Activity.objects.get(plan=self.plan, kind=Activity.Kind.YIXING)
        education, social = self.education, self.social
        fields = {
            "contact": "陳承辦",
            "phone": "07-7995678",
            "email": "elearning@kh.gov.tw",
            "goals": "以社群論壇帶動教師與行政人員數位學習",
            "strategy": "每月一次線上讀書會，搭配港都e學苑課程",
            "schedule": "103年3月至11月",
            "kpis": "社群成員 60 人、讀書會 9 場",
        }
        with on(dt.date(2014, 3, 10)):
            write_proposal(
                self.coord,
                yixing,
                education[0].agency,
                "教育局數位學習社群深耕計畫",
                {**fields, "kpis": ""},
                leader=education[5],
                members=education[6:9],
            )
        with on(dt.date(2014, 3, 12)):
            submitted = write_proposal(
                self.coord2,
                yixing,
                social[0].agency,
                "社會局長照知識數位傳承計畫",
                {**fields, "contact": "黃承辦", "email": "social@kh.gov.tw"},
                submit=True,
                leader=social[5],
                members=social[6:8],
            )
        with on(dt.date(2014, 3, 31)):
            select_proposals(self.hr, [submitted])
        self.figures["proposals"] = Proposal.objects.filter(activity=yixing).count()

    # -- classes and the English camp ----------------------------------------------------------

    def _classes(self) -> None:
        education, social = self.education, self.social
        with on(dt.date(2014, 5, 20)):
            # Who took RAD's self-made-material basic class this spring, and who runs 熠星 work.
            for person in education[5:9] + social[5:7]:
                add_class_history(self.hr, person, "basic", "自製數位教材基礎班", dt.date(2014, 5, 16))
            for person in education[5:7] + social[5:6]:
                add_tag(self.hr, person, EmployeeTag.Tag.YIXING_PARTICIPANT)
            add_tag(self.hr, education[1], EmployeeTag.Tag.ELEARNING_OFFICER)
        app_class = Session.objects.get(
            training_class__activity__plan=self.plan, training_class__slug="app-making", number=1
        )
        frontline = Session.objects.get(
            training_class__activity__plan=self.plan, training_class__slug="frontline", number=3
        )
        advanced = (
            Session.objects.filter(training_class__activity__plan=self.rad, training_class__slug="advanced")
            .order_by("number")
            .first()
        )
        camp = Activity.objects.get(plan=self.plan, kind=Activity.Kind.ENGLISH_CAMP)
        with on(dt.date(2014, 6, 3)):
            nominate(self.coord, app_class, education[1:6])
            nominate(self.coord2, app_class, social[1:4])
            nominate(self.coord, frontline, education[10:18])
            nominate(self.coord2, frontline, social[10:14])
            nominate(self.coord, advanced, education[5:9])  # they attended the basic class
            nominate_to_camp(self.coord, camp, education[20:26], "教育局英語圈", education[20:22])
            nominate_to_camp(self.coord2, camp, social[20:24], "社會局英語圈", social[20:21])
        with on(dt.date(2014, 6, 10)):
            confirm_places(self.hr, [frontline])
        self.figures.update(
            nominations=app_class.nominations.count() + frontline.nominations.count(),
            camp=camp.camp_nominations.count(),
        )

    # -- decisions -------------------------------------------------------------------------

    def _decisions(self) -> None:
        """Every state: eligible, requested, approved, issued, rejected, withheld."""
        plan, hr = self.plan, self.hr
        demo_employee = self.emp.user.employee
        with on(dt.date(2014, 7, 2)):
            desk_evaluates(hr, plan)
        eligible = eligible_people(plan, self.roster.employees(agency="高雄市政府教育局"))
        steps = ["eligible", "requested", "approved", "issued", "rejected", "withheld"]
        by_step = {
            step: [p for n, p in enumerate(p for p in eligible if p != demo_employee) if steps[n % len(steps)] == step]
            for step in steps
        }
        social = eligible_people(plan, self.roster.employees(agency="高雄市政府社會局"))[:4]
        with on(dt.date(2014, 7, 3)):
            file_requests(
                self.coord,
                plan,
                by_step["requested"] + by_step["approved"] + by_step["issued"] + by_step["rejected"] + [demo_employee],
            )
            file_requests(self.coord2, plan, social)  # the rest of 社會局 still eligible, for coord2 to file
        with on(dt.date(2014, 7, 8)):
            approve(hr, decisions_of(plan, by_step["approved"] + by_step["issued"] + [demo_employee]))
            desk_acts(
                hr,
                plan,
                decisions_of(plan, by_step["rejected"]),
                "reject",
                "提報資料不全，請補附終身學習時數證明（附件1）",
            )
            desk_acts(
                hr,
                plan,
                decisions_of(plan, by_step["withheld"]),
                "withhold",
                "課程完成日期待終身學習入口網站更正後再行核定",
            )
        with on(dt.date(2014, 7, 10)):
            desk_issues_order(
                hr,
                plan,
                decisions_of(plan, by_step["issued"] + [demo_employee]),
                "高市府人考字第10330000023號",
                dt.date(2014, 7, 10),
            )

    # -- leave -----------------------------------------------------------------------------

    def _leave(self) -> None:
        """emp uses 2 of January's 4 hours in February (approved, registered), applies for part of
        March's 8; the rest of the supervisor's unit has one application in each state."""
        hr, sup, emp = self.hr, self.sup, self.emp
        with on(dt.date(2014, 2, 5)):
            early = apply_for_leave(emp, self.plan, dt.date(2014, 2, 14), "08:30", "10:30")
        with on(dt.date(2014, 2, 6)):
            approve_leave(sup, early)
        with on(dt.date(2014, 2, 7)):
            register_leave(hr, [early])
        unit = Unit.objects.get(agency__name="高雄市政府教育局", name="資訊教育科")
        states = ["approved", "returned", "submitted", "registered", "cancelled", "submitted"]
        with on(dt.date(2014, 7, 1)):
            balance = balances(self.plan.slug, dt.date(2014, 7, 28))
            colleagues = [
                e
                for e in self.roster.employees(agency=unit.agency.name, unit=unit.name)
                if e.pk not in (emp.user.employee_id, sup.user.employee_id) and balance.get(e.national_id, 0) >= 4
            ]
            applicants = [(state, Person(staff_account(hr, person))) for state, person in zip(states, colleagues)]
            applications = [
                (
                    state,
                    applicant,
                    apply_for_leave(applicant, self.plan, dt.date(2014, 7, 21 + n % 5), "13:30", "17:30"),
                )
                for n, (state, applicant) in enumerate(applicants, start=2)
            ]
        with on(dt.date(2014, 7, 2)):
            for state, _applicant, application in applications:
                if state in ("approved", "registered"):
                    approve_leave(sup, application)
                elif state == "returned":
                    return_leave(sup, application, "該日科內有業務檢查，請改期")
        with on(dt.date(2014, 7, 3)):
            register_leave(hr, [a for state, _p, a in applications if state == "registered"])
        with on(dt.date(2014, 7, 10)):
            for state, applicant, application in applications:
                if state == "cancelled":
                    cancel_leave(applicant, application)
        with on(AS_OF):
            apply_for_leave(emp, self.plan, dt.date(2014, 8, 1), "08:30", "12:30")

    # -- RAD's contest ---------------------------------------------------------------------

    def _contest(self) -> None:
        """RAD's 自製數位教材暨行銷短片競賽 results, imported as HR receives them."""
        rows = []
        for title, review, placing, agency, authors in CONTEST_WORKS:
            staff = self.roster.employees(agency=agency, established=True)[2 : 2 + authors]
            rows += [[title, review, placing, p.national_id, "作者"] for p in staff]
        import_file(
            self.files,
            "import_results",
            "104自製數位教材暨行銷短片競賽結果.csv",
            CONTEST_HEADER,
            rows,
            "rad-104",
            "contest",
        )
