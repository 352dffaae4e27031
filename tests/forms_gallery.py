"""Every printed form with realistic, awkward data (three-character names, long units), for the
pictures kept as CI artefacts and the checks that names never wrap (tests/test_form_pictures.py)."""

import datetime as dt
import os
import re
import subprocess  # nosec B404: poppler's pdftoppm and pdftotext, fixed arguments
import tempfile
from html import unescape
from pathlib import Path

from django.conf import settings

from incentives.models import Decision, RuleVersion
from leave import services as leave_services
from leave.models import RecordUse
from portal.models import Role
from tests.factories import (
    AgencyFactory,
    DecisionFactory,
    EmployeeFactory,
    EntryFactory,
    ForumTallyFactory,
    LearningRecordFactory,
    PlanFactory,
    UnitFactory,
    UserFactory,
)

# Where the pictures go: CI keeps artifacts/ (see .ci/run), like the browser tests' screenshots.
PICTURES = Path(os.environ.get("PDF_PNG_DIR") or Path(settings.BASE_DIR) / "artifacts" / "pdf-png")

# Names and units that broke one character a line in narrow columns (issue 17).
PEOPLE = [
    ("呂宇俊", "資訊管理科第二股", "薦任科員"),
    ("歐陽娜娜", "秘書室", "科長"),
    ("林美玲", "綜合企劃科", "專員"),
    ("陳大文", "人事室", "主任"),
    ("王小明", "法制科", "約僱人員"),
]
FORUM_RULE = {
    "code": "forum-posts",
    "kind": "threshold_tiers",
    "clause": "伍、一、（一）",
    "tally_sheet": "附件1",
    "window": {"start": "2012-01-01", "end": "2012-08-31"},
    "filing_deadline": "2012-10-15",
    "tiers": [{"award": "commendation", "count": 1, "any_of": [{"all_of": [{"metric": "forum_posts", "min": 200}]}]}],
}


def png_pages(pdf: bytes, name: str) -> list[Path]:
    """The PDF as PNGs at 60 dpi (pdftoppm), written under PICTURES as NAME-1.png, NAME-2.png…"""
    PICTURES.mkdir(parents=True, exist_ok=True)
    for old in PICTURES.glob(f"{name}-*.png"):
        old.unlink()
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        subprocess.run(["pdftoppm", "-r", "60", "-png", handle.name, str(PICTURES / name)], check=True)  # nosec B603 B607
    return sorted(PICTURES.glob(f"{name}-*.png"))


def text_lines(pdf: bytes) -> list[str]:
    """Each line of text as poppler lays it out (pdftotext -bbox-layout): words of one table
    cell's line are one line here, so a name that wraps shows up split over two lines."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        xhtml = subprocess.run(
            ["pdftotext", "-bbox-layout", handle.name, "-"],
            check=True,  # nosec B603 B607
            capture_output=True,
        ).stdout.decode()
    return [
        "".join(unescape(w) for w in re.findall(r"<word [^>]*>([^<]*)</word>", line))
        for line in re.findall(r"<line[^>]*>(.*?)</line>", xhtml, re.S)
    ]


def kaohsiung_plan():
    government = AgencyFactory(name="高雄市政府")
    return government, PlanFactory(
        slug="kaohsiung-103",
        issuer=government,
        roc_year=103,
        title="高雄市政府103年度推動數位學習實施計畫",
        parameters={
            "rules": [
                {
                    "code": "bundle-leave",
                    "kind": "leave_bundles",
                    "form": "附件2",
                    "clause": "陸、六、（四）",
                    "form_title": "公餘時間完成數位學習補休申請表",
                },
                {"code": "bundle-reward", "kind": "bundle_completion", "clause": "陸、六、（三）"},
            ]
        },
    )


def tainan_plan():
    government = AgencyFactory(name="臺南市政府")
    plan = PlanFactory(
        slug="tainan-101",
        issuer=government,
        roc_year=101,
        title="臺南市政府101年度數位學習推廣計畫",
        starts_on=dt.date(2012, 1, 1),
        ends_on=dt.date(2012, 12, 31),
        off_duty_definition="whole_days",
        kpis=[
            {
                "code": "digital_5h_share",
                "label": "數位學習達5小時比率",
                "target": 95,
                "unit": "%",
                "clause": "捌、一、（一）",
            },
            {
                "code": "average_hours",
                "label": "每人學習時數平均",
                "target": 30,
                "unit": "小時",
                "clause": "捌、一、（二）",
            },
            {"code": "materials", "label": "自製數位教材", "target": 15, "unit": "門", "clause": "捌、一、（四）"},
        ],
        parameters={
            "rules": [
                {
                    "code": "leave",
                    "kind": "leave_offduty_list",
                    "use_within_months": 6,
                    "form": "附件5",
                    "form_title": "利用公餘時段數位學習補休申請表",
                    "clause": "伍、四",
                    "window": {"start": "2012-01-01", "end": "2012-09-30"},
                    "min_digital_hours": 5,
                    "min_total_hours": 40,
                    "cap_hours": 8,
                    "final_cutoff": "2012-12-28",
                    "list": "policy-courses",
                },
                FORUM_RULE,
            ]
        },
    )
    from courses.models import CourseList

    CourseList.objects.create(plan=plan, slug="policy-courses", name="政策性數位學習課程")
    return government, plan


def leave_application(plan, government, courses, grant_hours, leave_day, hours_used, start=dt.time(8, 30)):
    """An approved application using one grant earned by `courses` [(name, hours, day, time)]."""
    unit = UnitFactory(
        agency=AgencyFactory(name=f"{government.name}人事處", parent=government), name="資訊管理科第二股"
    )
    employee = EmployeeFactory(name="呂宇俊", title="薦任科員", unit=unit)
    user = UserFactory(role=Role.EMPLOYEE, employee=employee)
    head = UserFactory(role=Role.SUPERVISOR, employee=EmployeeFactory(name="歐陽娜娜", unit=unit))
    head.headed_units.set([unit])
    last = max(c[2] for c in courses)
    grant = EntryFactory(
        employee=employee,
        plan=plan,
        kind="grant",
        hours=grant_hours,
        earned_on=last,
        usable_until=last + dt.timedelta(days=183),
    )
    for name, hours, day, time in courses:
        record = LearningRecordFactory(
            employee=employee,
            course_name=name,
            course_key=name,
            hours=hours,
            digital_hours=hours,
            completed_on=day,
            completed_at=time,
        )
        RecordUse.objects.create(record=record, grant=grant)
    end = (dt.datetime.combine(leave_day, start) + dt.timedelta(hours=hours_used)).time()
    application = leave_services.apply(user, plan, leave_day, start, end, today=last + dt.timedelta(days=2))
    return leave_services.decide(head, application, approve=True)


def kaohsiung_leave():
    government, plan = kaohsiung_plan()
    courses = [
        ("公務倫理與廉政", 3, dt.date(2014, 3, 1), dt.time(20, 15)),
        ("政府資訊公開法概述", 2, dt.date(2014, 3, 2), dt.time(9, 40)),
        ("顧客關係管理實務", 3, dt.date(2014, 3, 8), dt.time(22, 40)),
        ("情緒管理與壓力調適", 2, dt.date(2014, 3, 9), dt.time(14, 5)),
    ]
    return leave_application(plan, government, courses, 4, dt.date(2014, 4, 10), 4)


def tainan_leave():
    government, plan = tainan_plan()
    courses = [
        ("臺南市政府政策行銷概論", 3, dt.date(2012, 3, 10), dt.time(10, 0)),
        ("性別主流化概論", 2, dt.date(2012, 3, 11), dt.time(21, 30)),
    ]
    return leave_application(plan, government, courses, 5, dt.date(2012, 4, 20), 3)


def decisions_world():
    """A plan's filed decisions over two agencies, for the roster and the order roster."""
    government, plan = kaohsiung_plan()
    version = RuleVersion.objects.create(plan=plan, number=1, rules=plan.parameters["rules"])
    agencies = [
        AgencyFactory(name="高雄市政府人事處", parent=government),
        AgencyFactory(name="高雄市政府工務局養護工程處", parent=government),
    ]
    decisions = []
    for n, (name, unit, title) in enumerate(PEOPLE):
        person = EmployeeFactory(name=name, title=title, unit=UnitFactory(agency=agencies[n % 2], name=unit))
        decisions.append(
            DecisionFactory(
                plan=plan,
                employee=person,
                rule_code="bundle-reward",
                rule_version=version,
                award="commendation",
                count=1 + n % 2,
                reason="完成「職能主餐(薦任)」+「副餐2-幸福嚴選餐」double-e組合套餐課程",
                status=Decision.Status.ISSUED,
                order_number="高市府人考字第10330500100號",
                order_date=dt.date(2014, 9, 15),
            )
        )
    return plan, decisions


def forum_world():
    """Tainan's forum tallies (附件1) for the tally sheet and the staff list."""
    government, plan = tainan_plan()
    agency = AgencyFactory(name="臺南市政府人事處", parent=government)
    people = []
    for (name, unit, title), posts in zip(PEOPLE, (250, 520, 170, 90, 205)):
        person = EmployeeFactory(name=name, title=title, unit=UnitFactory(agency=agency, name=unit))
        ForumTallyFactory(
            employee=person,
            forum="臺南市政府公共論壇",
            window_start=dt.date(2012, 1, 1),
            window_end=dt.date(2012, 8, 31),
            posts=posts,
            replies=12,
            excluded=3,
        )
        LearningRecordFactory(
            employee=person,
            course_name="課",
            course_key="課",
            hours=posts / 10,
            digital_hours=6,
            completed_on=dt.date(2012, 5, 1),
        )
        people.append(person)
    coordinator = UserFactory(role=Role.COORDINATOR, agencies=[agency])
    return plan, agency, people, coordinator
