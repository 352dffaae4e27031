"""The figures HR reports against a plan's KPI targets, per agency, in a fixed number of queries,
and the people behind each figure (the drill-down)."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from courses.models import LearningRecord
from portal.models import Employee
from programs.models import Activity, CaseReport, ClassHistory, ContestEntry, Plan, SeedTeacher

from .facts import covered_employees

ZERO = Decimal(0)
DIGITAL_MINIMUM = Decimal(5)

# The figures a dashboard links to the people behind: slug -> heading.
FIGURES = {
    "staff": _("涵蓋人員"),
    "digital-5h": _("數位學習達 5 小時以上人員"),
    "digital-under-5h": _("數位學習未達 5 小時人員"),
    "hours": _("各人學習時數"),
    "digital-talents": _("培育之數位人才"),
    "materials": _("自製數位教材暨行銷短片（審查通過）"),
    "case-reports": _("行政案例或研究報告（審查通過）"),
}
# Each KPI code of the plans' data and the figure that lists its people.
KPI_FIGURE = {
    "digital_5h_share": "digital-5h",
    "average_hours": "hours",
    "average_digital_hours": "hours",
    "digital_talents": "digital-talents",
    "materials": "materials",
    "case_reports": "case-reports",
    "staff": "staff",
}


def period(plan: Plan) -> tuple[dt.date, dt.date]:
    return (
        plan.starts_on or dt.date(plan.roc_year + 1911, 1, 1),
        plan.ends_on or dt.date(plan.roc_year + 1911, 12, 31),
    )


@dataclass
class AgencyFigures:
    agency_id: int
    name: str
    staff: int = 0
    with_5_digital: int = 0
    hours: Decimal = ZERO
    digital: Decimal = ZERO
    talents: int = 0
    materials: int = 0
    case_reports: int = 0
    people_ids: dict = field(default_factory=dict)

    @property
    def under_5_digital(self) -> int:
        return self.staff - self.with_5_digital

    @property
    def average_digital_hours(self) -> float:
        return round(float(self.digital) / self.staff, 1) if self.staff else 0.0

    @property
    def digital_share(self) -> float:
        return round(100 * self.with_5_digital / self.staff, 1) if self.staff else 0.0

    @property
    def average_hours(self) -> float:
        return round(float(self.hours) / self.staff, 1) if self.staff else 0.0


def figures(plan: Plan, start, end) -> dict:
    employees = covered_employees(plan)
    agencies: dict[int, AgencyFigures] = {}
    for agency_id, name, staff in employees.values_list("agency_id", "agency__name").annotate(n=Count("pk")):
        agencies[agency_id] = AgencyFigures(agency_id, name, staff)
    per_person = (
        LearningRecord.objects.filter(employee__in=employees.values("pk"), completed_on__range=(start, end))
        .values_list("employee_id", "employee__agency_id")
        .annotate(total=Sum("hours"), digital=Sum("digital_hours"))
    )
    for _employee_id, agency_id, total, digital in per_person:
        figure = agencies[agency_id]
        figure.hours += total or ZERO
        figure.digital += digital or ZERO
        figure.with_5_digital += int((digital or ZERO) >= DIGITAL_MINIMUM)
    ids = employees.values("pk")
    for agency_id, n in (
        ClassHistory.objects.filter(employee__in=ids, attended_on__range=(start, end))
        .values_list("employee__agency_id")
        .annotate(n=Count("pk"))
    ):
        agencies[agency_id].talents = n
    for agency_id, n in (
        ContestEntry.objects.filter(plan=plan, review="通過", authors__in=ids)
        .values_list("authors__agency_id")
        .annotate(n=Count("pk", distinct=True))
    ):
        agencies[agency_id].materials = n
    for agency_id, n in (
        CaseReport.objects.filter(plan=plan, accepted=True, employee__in=ids)
        .values_list("employee__agency_id")
        .annotate(n=Count("pk"))
    ):
        agencies[agency_id].case_reports = n
    staff = sum(a.staff for a in agencies.values())
    overall = {
        "digital_5h_share": round(100 * sum(a.with_5_digital for a in agencies.values()) / staff, 1) if staff else 0.0,
        "average_hours": round(float(sum((a.hours for a in agencies.values()), ZERO)) / staff, 1) if staff else 0.0,
        "average_digital_hours": round(float(sum((a.digital for a in agencies.values()), ZERO)) / staff, 1)
        if staff
        else 0.0,
        "digital_talents": ClassHistory.objects.filter(
            employee__in=employees.values("pk"), attended_on__range=(start, end)
        ).count(),
        "materials": ContestEntry.objects.filter(plan=plan, review="通過").count(),
        "case_reports": CaseReport.objects.filter(plan=plan, accepted=True).count(),
        "staff": staff,
    }
    return {"overall": overall, "agencies": sorted(agencies.values(), key=lambda a: a.name)}


def seed_teachers(plan: Plan, viewer=None) -> list[SeedTeacher]:
    """The plan's digital-talent registry (數位人才資料庫, Tainan 伍、一、（三）): its seed teachers,
    by agency and name, shown beside the KPI of talents trained but never counted into it (that
    KPI counts 人次 of training, 捌、一、（三）; DOMAIN.md). With a `viewer`, only the entries they
    may see (programs.queries.seed_teachers_visible_to: all of them for the plan's own HR)."""
    from programs.queries import seed_teachers_visible_to

    teachers = SeedTeacher.objects if viewer is None else seed_teachers_visible_to(viewer)
    return list(
        teachers.filter(activity__plan=plan, activity__kind=Activity.Kind.TALENT_REGISTRY)
        .select_related("employee__agency", "employee__unit")
        .order_by("employee__agency__name", "employee__name")
    )


def kpi_rows(plan: Plan, overall: dict) -> list[dict]:
    """Each KPI target of the plan next to its actual figure."""
    rows = []
    for kpi in plan.kpis:
        actual = overall.get(kpi.get("code"))
        target = kpi.get("target")
        met = actual is not None and target is not None and Decimal(str(actual)) >= Decimal(str(target))
        rows.append(
            {
                **kpi,
                "actual": actual,
                "met": met,
                "figure": KPI_FIGURE.get(kpi.get("code"), ""),
                "ratio": min(float(actual) / float(target), 1.0) if actual is not None and target else 0.0,
            }
        )
    return rows


def chart_bars(values: list[tuple[str, float]], maximum: float | None = None, width: int = 360) -> list[dict]:
    """Bars for a server-rendered SVG chart (prints as it shows)."""
    top = maximum or max([v for _l, v in values] + [1])
    return [
        {"label": label, "value": value, "width": round(width * min(value / top, 1), 1), "y": i * 26}
        for i, (label, value) in enumerate(values)
    ]


BAR_STEP, BAR_LEFT, BAR_WIDTH = 26, 200, 360
VALUE_CHAR_PX = 7  # a digit of the 12 px value label


def bar_chart(
    label: str,
    values: list[tuple[str, float]],
    color: str,
    *,
    maximum: float | None = None,
    target: float | None = None,
    font: str = "",
) -> dict:
    """One chart for templates/incentives/_bar_chart.html; `target` draws a dashed line at the goal."""
    top = maximum or max([v for _l, v in values] + [target or 0, 1])
    target_x = round(BAR_LEFT + BAR_WIDTH * min(target / top, 1), 1) if target else None
    bars = chart_bars(values, top, BAR_WIDTH)
    for bar in bars:
        # The value follows its bar, unless the dashed target line would run through it: then
        # it goes just past the line, so the line never covers a figure.
        x = BAR_LEFT + bar["width"] + 6
        if target_x is not None and x - 3 <= target_x <= x + VALUE_CHAR_PX * len(str(bar["value"])) + 3:
            x = target_x + 5
        bar["label_x"] = round(x, 1)
    return {
        "label": label,
        "color": color,
        "font": font,
        "bars": bars,
        "height": BAR_STEP * len(values) + 10,
        "target_x": target_x,
    }


def bar_charts(
    label: str, values: list[tuple[str, float]], color: str, *, per_chart: int = 30, **options
) -> list[dict]:
    """The same chart cut into parts that fit a printed page, every part on the same scale."""
    top = options.pop("maximum", None) or max([v for _l, v in values] + [options.get("target") or 0, 1])
    return [
        bar_chart(label, values[i : i + per_chart], color, maximum=top, **options)
        for i in range(0, len(values), per_chart)
    ] or [bar_chart(label, [], color, maximum=top, **options)]


@dataclass
class Person:
    """One row of a drill-down: who, and the facts that put them behind the figure."""

    employee: Employee
    hours: Decimal = ZERO
    digital: Decimal = ZERO
    item: str = ""  # a class attended, a work, a report
    day: dt.date | None = None
    result: str = ""


def figure_people(plan: Plan, figure: str, employees, agency_id: int | None = None) -> list[Person]:
    """The people behind one figure of the dashboard, among the given (covered and visible) employees.

    Three queries at most, whatever the number of people.
    """
    start, end = period(plan)
    if agency_id is not None:
        employees = employees.filter(agency_id=agency_id)
    people = employees.select_related("agency", "unit")
    if figure in ("staff", "digital-5h", "digital-under-5h", "hours"):
        sums = {
            pk: (total or ZERO, digital or ZERO)
            for pk, total, digital in (
                LearningRecord.objects.filter(employee__in=employees.values("pk"), completed_on__range=(start, end))
                .values_list("employee_id")
                .annotate(t=Sum("hours"), d=Sum("digital_hours"))
            )
        }
        rows = [
            Person(e, *sums.get(e.pk, (ZERO, ZERO)))
            for e in people.order_by("agency__name", "unit__name", "name", "pk")
        ]
        if figure == "digital-5h":
            rows = [r for r in rows if r.digital >= DIGITAL_MINIMUM]
        elif figure == "digital-under-5h":
            rows = sorted((r for r in rows if r.digital < DIGITAL_MINIMUM), key=lambda r: r.digital)
        elif figure == "hours":
            rows.sort(key=lambda r: (-r.hours, -r.digital))
        return rows
    if figure == "digital-talents":
        return [
            Person(h.employee, item=h.class_name, day=h.attended_on)
            for h in (
                ClassHistory.objects.filter(employee__in=employees, attended_on__range=(start, end))
                .select_related("employee__agency", "employee__unit")
                .order_by("employee__agency__name", "employee__name", "attended_on")
            )
        ]
    if figure == "materials":
        authors = ContestEntry.authors.through.objects.filter(
            contestentry__plan=plan, contestentry__review="通過", employee__in=employees
        )
        return [
            Person(
                a.employee,
                item=a.contestentry.title,
                result=a.contestentry.get_placing_display() if a.contestentry.placing else str(_("審查通過")),
            )
            for a in authors.select_related("contestentry", "employee__agency", "employee__unit").order_by(
                "employee__agency__name", "contestentry__title", "employee__name"
            )
        ]
    if figure == "case-reports":
        return [
            Person(r.employee, item=r.title, day=r.submitted_on)
            for r in (
                CaseReport.objects.filter(plan=plan, accepted=True, employee__in=employees)
                .select_related("employee__agency", "employee__unit")
                .order_by("employee__agency__name", "employee__name", "submitted_on")
            )
        ]
    raise KeyError(figure)


def figure_columns(figure: str) -> list[tuple[str, str]]:
    """The facts shown for each person of a figure: (Person attribute, heading)."""
    if figure in ("staff", "digital-5h", "digital-under-5h", "hours"):
        return [("hours", _("學習時數")), ("digital", _("數位學習時數"))]
    if figure == "digital-talents":
        return [("item", _("研習班別")), ("day", _("參訓日期"))]
    if figure == "materials":
        return [("item", _("作品")), ("result", _("審查結果"))]
    return [("item", _("題目")), ("day", _("繳交日期"))]
