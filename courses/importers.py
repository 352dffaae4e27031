"""Importers for what the rules count, all on the portal's import framework."""

import datetime as dt
import operator
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from portal import rocdate
from portal.imports.base import Chunk, Counts, Importer, Row, RowError, Upsert
from portal.imports.columns import (
    BooleanColumn,
    ChoiceColumn,
    DateColumn,
    DateTimeColumn,
    DecimalColumn,
    IntegerColumn,
    NationalIdColumn,
    TextColumn,
    TimeColumn,
    cell_text,
)
from portal.imports.lookups import PeopleImporter, reject_duplicate_keys
from portal.imports.upsert import Window, bulk_upsert

from .models import (
    AttendancePeriod,
    CalendarDay,
    Course,
    CourseList,
    CourseListEntry,
    ForumTally,
    LearningRecord,
    Platform,
)
from .names import normalize_course_name

MODES = {"數位": "數位", "實體": "實體", "混成": "混成", "1": "數位", "2": "實體", "3": "混成"}

NO_HOURS = Decimal("0.00")

LEAVE_KINDS = [
    "休假",
    "補休",
    "公假",
    "加班",
    "出差",
    "病假",
    "事假",
    "婚假",
    "喪假",
    "產假",
    "產前假",
    "陪產假",
    "陪產檢及陪產假",
    "流產假",
    "生理假",
    "家庭照顧假",
    "延長病假",
    "公傷假",
    "器官捐贈假",
    "防疫隔離假",
]


def national_id_column():
    return NationalIdColumn("身分證字號", "身分證號", "統一證號", key="national_id")


RECORD_KEY = ["employee_id", "course_key", "completed_on", "provider"]
RECORD_FIELDS = [
    "course_name",
    "hours",
    "digital_hours",
    "mode",
    "category",
    "job_related",
    "started_on",
    "completed_at",
]


class RecordImporter(PeopleImporter):
    """Learning records from a lifelong-learning portal export.

    Option `period` ("YYYY-MM-DD:YYYY-MM-DD", as `period_option` writes it): the file is
    complete for the people it names over that period (by 學習迄日, both ends included);
    after its rows are applied, those people's counted records in the period whose key the
    file does not hold are withdrawn (`withdrawn_at`, `withdrawn_by`), in the same
    transaction. A withdrawn key that comes back in a later file is restored.
    """

    kind = "records"
    label = _("學習紀錄")
    takes_period = True
    upsert = Upsert(
        LearningRecord,
        RECORD_KEY,
        RECORD_FIELDS,
        duplicate_column="課程名稱",
        cleared=["withdrawn_at", "withdrawn_by_id"],
        correction_fields=["employee_id", "course_key", "provider"],
    )
    columns = [
        national_id_column(),
        TextColumn("姓名", key="name", required=False),
        TextColumn("課程名稱", "班期名稱", key="course_name", max_length=300),
        DateColumn("學習起日", "上課起日", key="started_on", required=False),
        DateTimeColumn("學習迄日", "完成日期", "結訓日期", key="completed"),
        TimeColumn("完成時間", key="completed_at", required=False),
        DecimalColumn("學習時數", "認證時數", "時數", key="hours"),
        DecimalColumn("數位時數", key="digital_hours", required=False),
        ChoiceColumn("學習性質", key="mode", required=False, default="", choices=MODES),
        TextColumn("課程類別", key="category", required=False, max_length=50),
        TextColumn("開課機關", "學習機構", "平臺", key="provider", required=False, max_length=100),
        BooleanColumn("與業務相關", key="job_related", required=False),
    ]

    def check_columns(self, c: Chunk) -> None:
        completed = c["completed"]
        c["completed_on"] = [day for day, _time in completed]
        times_in_date = [time for _day, time in completed]
        c.fail(
            "學習迄日",
            _("學習迄日早於學習起日"),
            [s is not None and s > e for s, e in zip(c["started_on"], c["completed_on"])],
        )
        c.fail(
            "數位時數",
            _("數位時數大於學習時數"),
            [d is not None and d > h for d, h in zip(c["digital_hours"], c["hours"])],
        )
        c["completed_at"] = [a or b for a, b in zip(c["completed_at"], times_in_date)]
        # CONTRACTS.md: without 數位時數, 數位 means every hour is digital.
        c["digital_hours"] = [
            (h if m == "數位" else NO_HOURS) if d is None else d
            for d, h, m in zip(c["digital_hours"], c["hours"], c["mode"])
        ]
        c["course_key"] = c.mapped(normalize_course_name, "course_name")

    def window(self) -> Window | None:
        period = self.options.get("period")
        if not period:
            return None
        start, end = rocdate.parse_period(period)
        return Window("employee_id", "completed_on", start, end)

    def withdrawal_stamp(self) -> dict:
        return {"withdrawn_at": timezone.now(), "withdrawn_by_id": self.options.get("batch_id")}

    @classmethod
    def report_lines(cls, report: dict, names: dict[int, str]) -> list[str]:
        """The lines that tell people what an import corrected, withdrew and (on a dry run)
        added, from an ImportBatch.report; `names`: employee id → name (no national ID)."""
        lines = []
        paired = {_json_key(c["key"]) for c in report.get("corrections", [])}
        after = {_json_key(c["after_key"]) for c in report.get("corrections", [])}
        for entry in report.get("additions", []):
            if _json_key(entry["key"]) not in after:
                lines.append(
                    _("新增：%(who)s課程「%(course)s」完成日期 %(day)s，%(hours)s 小時") % _described(entry, names)
                )
        for entry in report.get("corrections", []):
            lines.append(
                _("更正：課程「%(course)s」完成日期 %(before)s → %(after)s（%(name)s）")
                % {
                    "course": entry["values"]["course_name"],
                    "name": names.get(entry["key"]["employee_id"], "?"),
                    "before": _roc(entry["key"]["completed_on"]),
                    "after": _roc(entry["after_key"]["completed_on"]),
                }
            )
        for entry in report.get("withdrawals", []):
            if _json_key(entry["key"]) not in paired:
                lines.append(
                    _("撤回：%(who)s課程「%(course)s」完成日期 %(day)s，%(hours)s 小時") % _described(entry, names)
                )
        return lines


def _json_key(key: dict) -> tuple:
    return tuple(sorted((name, str(value)) for name, value in key.items()))


def _roc(value) -> str:
    return rocdate.to_roc_short(dt.date.fromisoformat(str(value)[:10]))


def _described(entry: dict, names: dict[int, str]) -> dict:
    return {
        "who": f"{names.get(entry['key']['employee_id'], '?')} ",
        "course": entry["values"]["course_name"],
        "day": _roc(entry["key"]["completed_on"]),
        "hours": _hours(entry["values"]["hours"]),
    }


def _hours(value) -> str:
    return format(Decimal(str(value)).normalize(), "f")  # 2.00 → 2, 1.50 → 1.5, 10.00 → 10


class ForumImporter(PeopleImporter):
    kind = "forum"
    label = _("論壇發表統計")
    upsert = Upsert(
        ForumTally,
        ["employee_id", "forum", "window_start", "window_end"],
        ["posts", "replies", "excluded"],
        duplicate_column="論壇名稱",
    )
    columns = [
        national_id_column(),
        TextColumn("姓名", key="name", required=False),
        TextColumn("論壇名稱", key="forum", max_length=100),
        DateColumn("統計起日", key="window_start"),
        DateColumn("統計迄日", key="window_end"),
        IntegerColumn("發表篇數", key="posts"),
        IntegerColumn("回應篇數", key="replies"),
        IntegerColumn("不計入篇數", key="excluded", required=False, default=0),
    ]

    def check_columns(self, c: Chunk) -> None:
        c.fail("統計迄日", _("統計迄日早於統計起日"), map(operator.lt, c["window_end"], c["window_start"]))
        c.fail(
            "不計入篇數",
            _("不計入篇數大於發表與回應篇數合計"),
            [x > p + r for x, p, r in zip(c["excluded"], c["posts"], c["replies"])],
        )


def _local(day: dt.date, time: dt.time | None, end: bool) -> dt.datetime:
    # A bare date means the whole day: from its start, or up to the start of the next day.
    if time is None:
        moment = dt.datetime.combine(day + dt.timedelta(days=1) if end else day, dt.time.min)
    else:
        moment = dt.datetime.combine(day, time)
    return timezone.make_aware(moment)


class AttendanceImporter(PeopleImporter):
    kind = "attendance"
    label = _("差勤紀錄")
    upsert = Upsert(AttendancePeriod, ["employee_id", "kind", "starts_at", "ends_at"], [], duplicate_column="起始")
    columns = [
        national_id_column(),
        TextColumn("姓名", key="name", required=False),
        ChoiceColumn("假別", key="kind", choices={k: k for k in LEAVE_KINDS}),
        DateTimeColumn("起始", key="start"),
        DateTimeColumn("迄止", key="end"),
    ]

    def check_columns(self, c: Chunk) -> None:
        c["starts_at"] = [_local(day, time, end=False) for day, time in c["start"]]
        c["ends_at"] = [_local(day, time, end=True) for day, time in c["end"]]
        c.fail("迄止", _("迄止時間不晚於起始時間"), map(operator.le, c["ends_at"], c["starts_at"]))


class CalendarImporter(Importer):
    """The DGPA office calendar CSV: 西元日期,星期,是否放假,備註."""

    kind = "calendar"
    label = _("辦公日曆")
    upsert = Upsert(CalendarDay, ["date"], ["is_day_off", "note"], duplicate_column="西元日期")
    columns = [
        DateColumn("西元日期", key="date"),
        TextColumn("星期", key="weekday", required=False, max_length=2),
        ChoiceColumn("是否放假", key="is_day_off", choices={"0": False, "2": True}),
        TextColumn("備註", key="note", required=False, max_length=50),
    ]


class CourseListImporter(Importer):
    """Fills one named course list of a plan; the list becomes exactly the file."""

    kind = "course-list"
    label = _("課程清單")
    columns = [
        TextColumn("課程名稱", key="course_name", max_length=300),
        DecimalColumn("認證時數", key="hours"),
        TextColumn("平臺", key="platform", required=False, max_length=100),
        TextColumn("課程類別", key="category", required=False, max_length=50),
    ]

    def check_columns(self, c: Chunk) -> None:
        c["course_key"] = c.mapped(normalize_course_name, "course_name")

    def validate(self, rows, errors):
        reject_duplicate_keys(rows, errors, lambda v: (v["course_key"], v["platform"]), "課程名稱")
        if not CourseList.objects.filter(plan__slug=self.options.get("plan"), slug=self.options.get("list")).exists():
            errors.append(RowError(0, "", _("找不到計畫 %(plan)s 的課程清單 %(list)s。") % self.options))

    def apply(self, rows):
        course_list = CourseList.objects.get(plan__slug=self.options["plan"], slug=self.options["list"])
        platforms = ensure_platforms({r.values["platform"] for r in rows if r.values["platform"]})
        courses = ensure_courses(
            [
                (r.values["course_name"], platforms.get(r.values["platform"]), r.values["hours"], r.values["category"])
                for r in rows
            ]
        )
        wanted = [
            {
                "course_list_id": course_list.id,
                "course_id": courses[(r.values["course_key"], platforms.get(r.values["platform"]))],
                "hours": r.values["hours"],
            }
            for r in rows
        ]
        counts = bulk_upsert(CourseListEntry, wanted, ["course_list_id", "course_id"], ["hours"])
        keep = {w["course_id"] for w in wanted}
        dropped = course_list.entries.exclude(course_id__in=keep)
        for course_id, hours in dropped.values_list("course_id", "hours"):
            counts.changed({"course_list_id": course_list.id, "course_id": course_id}, {"hours": hours}, None)
        removed, _detail = dropped.delete()
        counts.updated += removed
        return counts


def ensure_platforms(names: set[str]) -> dict[str, int]:
    known = dict(Platform.objects.filter(name__in=names).values_list("name", "id"))
    created = Platform.objects.bulk_create([Platform(name=n) for n in names - set(known)])
    known.update({p.name: p.id for p in created})
    return known


def ensure_courses(items: list[tuple[str, int | None, Decimal, str]]) -> dict[tuple[str, int | None], int]:
    """(name, platform id, hours, category) → course id by (name key, platform), creating missing courses."""
    keys = {
        (normalize_course_name(name), platform): (name, platform, hours, category)
        for name, platform, hours, category in items
    }
    known = {(c.name_key, c.platform_id): c.id for c in Course.objects.filter(name_key__in={k for k, _p in keys})}
    missing = [
        Course(name=name, name_key=key[0], platform_id=platform, hours=hours, category=category)
        for key, (name, platform, hours, category) in keys.items()
        if key not in known
    ]
    for course in Course.objects.bulk_create(missing, batch_size=1000):
        known[(course.name_key, course.platform_id)] = course.id
    return known


__all__ = [
    "RecordImporter",
    "ForumImporter",
    "AttendanceImporter",
    "CalendarImporter",
    "CourseListImporter",
    "Counts",
    "Row",
    "cell_text",
]
