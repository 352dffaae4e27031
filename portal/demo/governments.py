"""The two small demo governments' years: Hualien under its 106 plan, Tainan under its 101 plan.

Each is a finished year, so every result is in, and came in the way HR receives it: Hualien's
熠星 team rated 優等 and its English and MOOCs certificates; Tainan's forum tallies with the
tally sheet, case reports, contest results, English certificates, a moderator's merit granted
by HR, classes attended, and compensatory leave used or lapsed.
"""

import datetime as dt
import random

from incentives.models import Decision
from leave.models import Application, Entry
from portal.models import Employee, Unit, User
from programs.models import Activity, EmployeeTag, Plan, Session

from .doors import DemoStepFailed, Files, Person, balances, import_file, on
from .kaohsiung import COURSE_LIST_HEADER, OTHER_COURSES, RECORD_HEADER, _hours, office_record
from .people import Roster, staff_account, supervisor_account
from .steps import (
    add_tag,
    apply_for_leave,
    approve,
    approve_leave,
    confirm_places,
    decisions_of,
    desk_evaluates,
    desk_grants,
    desk_issues_order,
    eligible_people,
    file_requests,
    nominate,
    nominate_to_camp,
    record_attendance,
    register_leave,
    select_proposals,
    write_proposal,
)

HUALIEN_AS_OF = dt.date(2017, 12, 31)
TAINAN_AS_OF = dt.date(2012, 12, 31)
BUFFET = [
    ("公務倫理與廉政治理", 2, "e學中心", "公務倫理類"),
    ("性別平等與性騷擾防治", 2, "e學中心", "性別主流類"),
    ("氣候變遷調適與環境教育", 2, "e學中心", "環境教育類"),
    ("資通安全基本概念", 3, "e學中心", "資訊安全類"),
    ("公務英文寫作入門", 2, "e學中心", "在職培訓類"),
    ("花蓮在地觀光行銷", 1, "e學中心", "在職培訓類"),
]
POLICY_COURSES = [
    ("府城四百年文化導覽", 2, "e學中心", "在職培訓類"),
    ("低碳城市與綠能生活", 2, "e學中心", "環境教育類"),
    ("公務員服務法與廉政倫理", 2, "e學中心", "公務倫理類"),
    ("災害防救與社區韌性", 2, "e學中心", "國防教育類"),
    ("便民服務與溝通技巧", 2, "e學中心", "在職培訓類"),
]
CERTIFICATE_HEADER = ["身分證字號", "證書", "取得日期"]
RESULT_HEADERS = {
    "team-ratings": ["團隊", "評等", "身分證字號", "角色"],
    "contest": ["作品", "審查", "名次", "身分證字號", "角色"],
    "case-reports": ["身分證字號", "題目", "繳交日期", "審查"],
}
FORUM_HEADER = ["身分證字號", "姓名", "論壇名稱", "統計起日", "統計迄日", "發表篇數", "回應篇數", "不計入篇數"]


def _record(person: Employee, name: str, hours, category: str, day: dt.date, at: dt.time) -> list:
    return [
        person.national_id,
        person.name,
        name,
        f"{day} {at:%H:%M}",
        _hours(hours),
        _hours(hours),
        "數位",
        category,
        "e學中心",
        "",
    ]


def _covered(roster: Roster, government: str, agency: str | None = None) -> list[Employee]:
    """The 編制內 staff the plan covers (Hualien's police bureau is outside it), in the roster's order."""
    return [
        p
        for p in roster.employees(government=government, agency=agency, established=True)
        if p.agency.name != "花蓮縣警察局"
    ]


def _import_records(
    files: Files, file_name: str, rows: list[list], imported_on: dt.date, last: dt.date, first: dt.date
) -> None:
    with on(imported_on):
        import_file(
            files,
            "import_records",
            file_name,
            RECORD_HEADER,
            [r for r in rows if first <= dt.date.fromisoformat(r[3][:10]) <= last],
        )


def _on_every_decision(
    hr: Person,
    coordinator: Person,
    plan: Plan,
    agency: str,
    roster: Roster,
    *,
    keep_eligible: int,
    keep_requested: int | None,
    days: tuple[dt.date, dt.date, dt.date],
    order: str,
    order_date: dt.date,
) -> None:
    """The coordinator files the agency's staff but every `keep_eligible`-th; HR approves and
    issues the rest but every `keep_requested`-th filed."""
    people = eligible_people(plan, roster.employees(agency=agency))
    filed = [p for n, p in enumerate(people) if n % keep_eligible != keep_eligible - 1]
    approved = [p for n, p in enumerate(filed) if keep_requested is None or n % keep_requested != keep_requested - 1]
    with on(days[0]):
        file_requests(coordinator, plan, filed)
    with on(days[1]):
        approve(hr, decisions_of(plan, approved))
    with on(days[2]):
        desk_issues_order(hr, plan, decisions_of(plan, approved), order, order_date)


def build_hualien(files: Files, roster: Roster, users: dict[str, User], seed: int = 106) -> dict:
    plan = Plan.objects.get(slug="hualien-106")
    # Seeded: the demo is the same on every machine; no secret comes from it.
    rng = random.Random(seed)  # nosec B311
    hr, coordinator = Person(users["hr"]), Person(users["hlcoord"])
    demo_employee = users["hlemp"].employee
    with on(dt.date(2017, 1, 3)):
        import_file(
            files,
            "import_course_list",
            "106自助餐課程名單.csv",
            COURSE_LIST_HEADER,
            [list(c) for c in BUFFET],
            "hualien-106",
            "buffet-courses",
        )
    records = []
    for index, person in enumerate(roster.employees(government="花蓮縣政府")):
        taken = BUFFET if person == demo_employee or index % 3 == 0 else rng.sample(BUFFET, k=rng.randint(0, 4))
        for name, hours, _platform, category in taken:
            records.append(
                _record(
                    person,
                    name,
                    hours,
                    category,
                    dt.date(2017, rng.randint(2, 9), rng.randint(1, 28)),
                    dt.time(rng.randint(9, 16), 0),
                )
            )
        for name, hours, category in rng.sample(OTHER_COURSES, k=rng.randint(2, 8)):
            records.append(
                office_record(person, rng, name, hours, category, dt.date(2017, rng.randint(1, 11), rng.randint(1, 28)))
            )
    _import_records(
        files, "終身學習紀錄_106年1至9月.csv", records, dt.date(2017, 10, 2), dt.date(2017, 9, 30), dt.date.min
    )
    _import_records(
        files,
        "終身學習紀錄_106年10至11月.csv",
        records,
        dt.date(2017, 12, 1),
        dt.date(2017, 11, 30),
        dt.date(2017, 10, 1),
    )

    covered = _covered(roster, "花蓮縣政府")
    english = [demo_employee] + [p for p in covered if p != demo_employee][:11]
    certificates = [[p.national_id, "英語課程完課", "106/05/31"] for p in english]
    certificates += [[p.national_id, "雲端視訊互動", "106/10/20"] for p in english[:5]]
    certificates += [
        [p.national_id, name, day]
        for p in covered[12:15]
        for name, day in (("磨課師完課證明", "106/06/30"), ("磨課師認證考試", "106/08/19"))
    ]
    with on(dt.date(2017, 11, 1)):
        import_file(
            files,
            "import_results",
            "106英語及磨課師證書.csv",
            CERTIFICATE_HEADER,
            certificates,
            "hualien-106",
            "certificates",
        )

    education = _covered(roster, "花蓮縣政府", "花蓮縣政府教育處")
    yixing = Activity.objects.get(plan=plan, kind=Activity.Kind.YIXING)
    title = "花蓮縣政府數位學習熠星專案小組"
    members = [demo_employee] + [p for p in education[1:5] if p != demo_employee][:3]
    with on(dt.date(2017, 4, 5)):
        team = write_proposal(
            coordinator,
            yixing,
            education[0].agency,
            title,
            {
                "government": "花蓮縣",
                "agency": "花蓮縣政府教育處",
                "contact": "吳承辦",
                "title": "科員",
                "phone": "03-8462860",
                "email": "elearning@hl.gov.tw",
                "address": "花蓮市府前路17號",
                "plan_name": "洄瀾數位學習熠星計畫",
                "goals": "以自製數位教材傳承花蓮在地公務經驗",
                "topics": "國際教育與觀光行銷",
                "participants": "本府教育處、觀光處同仁",
                "strategy": "成立專案小組，每月製作一門微課程",
                "schedule": "106年4月至12月",
                "kpis": "完成自製數位教材 4 門、論壇討論 300 則",
            },
            submit=True,
            leader=education[0],
            members=members,
        )
    with on(dt.date(2017, 4, 20)):
        select_proposals(hr, [team])
    with on(dt.date(2017, 12, 15)):
        # The rating comes as a file; the import checks the team is the proposal's and marks it rated.
        rows = [[title, "優等", education[0].national_id, "主持人"]] + [
            [title, "優等", p.national_id, "成員"] for p in members
        ]
        import_file(
            files,
            "import_results",
            "106熠星方案評等結果.csv",
            RESULT_HEADERS["team-ratings"],
            rows,
            "hualien-106",
            "team-ratings",
        )
    with on(dt.date(2017, 12, 18)):
        write_proposal(coordinator, yixing, education[0].agency, "107年度英語力提升社群（草稿）", {"contact": "吳承辦"})
    camp = Activity.objects.get(plan=plan, kind=Activity.Kind.ENGLISH_CAMP)
    with on(dt.date(2017, 5, 2)):
        nominate_to_camp(
            coordinator,
            camp,
            [p for p in english[:6] if p.agency == education[0].agency],
            "洄瀾國際教育圈",
            [english[0]],
        )

    with on(dt.date(2017, 12, 18)):
        desk_evaluates(hr, plan)
    _on_every_decision(
        hr,
        coordinator,
        plan,
        "花蓮縣政府教育處",
        roster,
        keep_eligible=4,
        keep_requested=3,
        days=(dt.date(2017, 12, 19), dt.date(2017, 12, 20), dt.date(2017, 12, 22)),
        order="府人考字第1060200001號",
        order_date=dt.date(2017, 12, 22),
    )
    return {
        "records": len(records),
        "certificates": len(certificates),
        "decisions": Decision.objects.filter(plan=plan).count(),
    }


def build_tainan(files: Files, roster: Roster, users: dict[str, User], seed: int = 101) -> dict:
    plan = Plan.objects.get(slug="tainan-101")
    # Seeded: the demo is the same on every machine; no secret comes from it.
    rng = random.Random(seed)  # nosec B311
    hr, coordinator = Person(users["hr"]), Person(users["tncoord"])
    with on(dt.date(2012, 1, 3)):
        import_file(
            files,
            "import_course_list",
            "101政策性數位學習課程計畫表（附件4）.csv",
            COURSE_LIST_HEADER,
            [list(c) for c in POLICY_COURSES],
            "tainan-101",
            "policy-courses",
        )
    records, tallies = [], []
    weekends = [dt.date(2012, 1, 7) + dt.timedelta(days=7 * w + d) for w in range(35) for d in (0, 1)]
    for index, person in enumerate(roster.employees(government="臺南市政府")):
        keen = index % 3  # 0: over 40 hours with policy courses on weekends; 1: some; 2: little
        for name, hours, category in rng.sample(OTHER_COURSES, k=(12, 6, 2)[keen]):
            records.append(
                office_record(
                    person,
                    rng,
                    name,
                    hours + (2 if keen == 0 else 0),
                    category,
                    dt.date(2012, rng.randint(1, 9), rng.randint(1, 28)),
                )
            )
        if keen < 2:
            for name, hours, _platform, category in rng.sample(POLICY_COURSES, k=(3, 1)[keen]):
                records.append(
                    _record(person, name, hours, category, rng.choice(weekends[20:66]), dt.time(rng.randint(9, 20), 0))
                )
        posts = (rng.randint(180, 420), rng.randint(60, 230), rng.randint(0, 80))[keen] + (300 if index == 4 else 0)
        tallies.append(
            [
                person.national_id,
                person.name,
                "臺南市政府公共論壇",
                "2012-01-01",
                "2012-08-31",
                posts,
                posts // 2,
                rng.randint(0, min(12, posts + posts // 2)),
            ]
        )

    covered = _covered(roster, "臺南市政府")
    education = _covered(roster, "臺南市政府", "臺南市政府教育局")
    moderator = education[1]
    with on(dt.date(2012, 1, 10)):
        add_tag(hr, moderator, EmployeeTag.Tag.FORUM_MODERATOR)
    _classes_tainan(hr, coordinator, plan, education)
    with on(dt.date(2012, 8, 6)):
        import_file(
            files,
            "import_results",
            "101行政案例及研究報告.csv",
            RESULT_HEADERS["case-reports"],
            [
                [education[0].national_id, "從公共論壇看校園午餐採購爭議", "101/07/20", "通過"],
                [education[0].national_id, "社區大學數位學習推廣之研究", "101/08/01", "通過"],
                [education[2].national_id, "國小課後照顧班申請流程簡化案例", "101/07/30", "通過"],
                [covered[1].national_id, "公務人員終身學習時數登錄問題探討", "101/08/10", "未通過"],
            ],
            "tainan-101",
            "case-reports",
        )
    with on(dt.date(2012, 9, 3)):
        import_file(files, "import_forum", "101年1至8月公共論壇發表統計.csv", FORUM_HEADER, tallies)
    _import_records(
        files, "終身學習紀錄_101年1至9月.csv", records, dt.date(2012, 10, 1), dt.date(2012, 9, 30), dt.date.min
    )
    with on(dt.date(2012, 10, 1)):
        import_file(
            files,
            "import_results",
            "101英語證書.csv",
            CERTIFICATE_HEADER,
            [[p.national_id, "英語初級", "101/03/15"] for p in education[6:11]]
            + [[p.national_id, "英語中級", "101/09/20"] for p in education[6:9]],
            "tainan-101",
            "certificates",
        )
    with on(dt.date(2012, 10, 3)):
        import_file(
            files,
            "import_results",
            "101自製數位教材暨行銷短片競賽結果.csv",
            RESULT_HEADERS["contest"],
            [
                ["府城古蹟數位導覽（自製數位教材）", "通過", "1", education[3].national_id, "作者"],
                ["府城古蹟數位導覽（自製數位教材）", "通過", "1", education[4].national_id, "作者"],
                ["府城古蹟數位導覽（自製數位教材）", "通過", "1", education[0].national_id, "機關首長"],
                ["臺南好時光（行銷短片）", "通過", "佳作", covered[2].national_id, "作者"],
                ["公文線上簽核操作教學（自製數位教材）", "通過", "", education[5].national_id, "作者"],
                ["公文線上簽核操作教學（自製數位教材）", "通過", "", covered[3].national_id, "作者"],
            ],
            "tainan-101",
            "contest",
        )

    with on(dt.date(2012, 10, 5)):
        desk_evaluates(hr, plan)
        desk_grants(
            hr, plan, moderator, "moderator", "merit", 1, "擔任本府公共論壇版主，經營績效優良（全年主題文章 120 篇）"
        )
    # Filed by the 101/10/15 deadline (the tally sheet goes with the forum requests).
    _on_every_decision(
        hr,
        coordinator,
        plan,
        "臺南市政府教育局",
        roster,
        keep_eligible=5,
        keep_requested=4,
        days=(dt.date(2012, 10, 8), dt.date(2012, 10, 22), dt.date(2012, 11, 5)),
        order="府人考字第1010000001號",
        order_date=dt.date(2012, 11, 5),
    )
    applications = _leave_tainan(hr, plan, covered)
    return {
        "records": len(records),
        "tallies": len(tallies),
        "decisions": Decision.objects.filter(plan=plan).count(),
        "applications": applications,
        "grants": Entry.objects.filter(plan=plan, kind=Entry.Kind.GRANT).count(),
    }


def _classes_tainan(hr: Person, coordinator: Person, plan: Plan, education: list[Employee]) -> None:
    """tncoord nominates to the platform, seed and advanced classes; HR confirms places and records who came."""
    for slug, chosen, nominated_on in (
        ("platform", education[0:3], dt.date(2012, 2, 15)),
        ("seed", education[3:9], dt.date(2012, 3, 15)),
        ("advanced", education[3:6], dt.date(2012, 4, 16)),
    ):
        session = Session.objects.get(training_class__activity__plan=plan, training_class__slug=slug, number=1)
        with on(nominated_on):
            nominate(coordinator, session, chosen)
        with on(nominated_on + dt.timedelta(days=7)):
            confirm_places(hr, [session])
        with on(session.ends_on + dt.timedelta(days=1)):
            confirmed = list(session.nominations.filter(status="confirmed").order_by("priority", "created_at", "id"))
            record_attendance(hr, [n for i, n in enumerate(confirmed) if i != 1], attended=True)
            record_attendance(hr, confirmed[1:2], attended=False)


def _leave_tainan(hr: Person, plan: Plan, covered: list[Employee]) -> int:
    """Four of the staff with hours apply on 101/10/22 (at least two weeks ahead); every other
    one's unit head approves and HR registers it."""
    chosen = []
    with on(dt.date(2012, 10, 22)):
        balance = balances(plan.slug, dt.date(2012, 10, 22))
        for person in covered:
            if len(chosen) >= 4 or person.unit_role == "單位主管" or balance.get(person.national_id, 0) < 2:
                continue
            applicant = Person(staff_account(hr, person))
            chosen.append(
                (person, apply_for_leave(applicant, plan, dt.date(2012, 11, 12 + len(chosen)), "08:30", "10:30"))
            )
    for n, (person, application) in enumerate(chosen, start=1):
        if n % 2 == 0:
            continue
        unit = Unit.objects.get(pk=person.unit_id)
        with on(dt.date(2012, 10, 23)):
            head = Employee.objects.filter(unit=unit, unit_role="單位主管").first()
            if head is None:
                raise DemoStepFailed(f"{unit} 沒有單位主管")
            approve_leave(Person(supervisor_account(hr, head, unit)), application)
        with on(dt.date(2012, 10, 24)):
            register_leave(hr, [application])
    return Application.objects.filter(plan=plan).count()
