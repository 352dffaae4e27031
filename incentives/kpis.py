"""The figures HR reports against a plan's KPI targets, per agency, in a fixed number of queries."""
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from courses.models import LearningRecord
from programs.models import CaseReport, ClassHistory, ContestEntry, Plan

from .facts import covered_employees

ZERO = Decimal(0)


@dataclass
class AgencyFigures:
    agency_id: int
    name: str
    staff: int = 0
    with_5_digital: int = 0
    hours: Decimal = ZERO
    digital: Decimal = ZERO
    people_ids: dict = field(default_factory=dict)

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
    per_person = (LearningRecord.objects.filter(employee__in=employees.values("pk"), completed_on__range=(start, end))
                  .values_list("employee_id", "employee__agency_id")
                  .annotate(total=Sum("hours"), digital=Sum("digital_hours")))
    for _employee_id, agency_id, total, digital in per_person:
        figure = agencies[agency_id]
        figure.hours += total or ZERO
        figure.digital += digital or ZERO
        figure.with_5_digital += int((digital or ZERO) >= 5)
    staff = sum(a.staff for a in agencies.values())
    overall = {
        "digital_5h_share": round(100 * sum(a.with_5_digital for a in agencies.values()) / staff, 1) if staff else 0.0,
        "average_hours": round(float(sum((a.hours for a in agencies.values()), ZERO)) / staff, 1) if staff else 0.0,
        "average_digital_hours": round(float(sum((a.digital for a in agencies.values()), ZERO)) / staff, 1) if staff else 0.0,
        "digital_talents": ClassHistory.objects.filter(employee__in=employees.values("pk"), attended_on__range=(start, end)).count(),
        "materials": ContestEntry.objects.filter(plan=plan, review="通過").count(),
        "case_reports": CaseReport.objects.filter(plan=plan, accepted=True).count(),
        "staff": staff,
    }
    return {"overall": overall, "agencies": sorted(agencies.values(), key=lambda a: a.name)}


def kpi_rows(plan: Plan, overall: dict) -> list[dict]:
    """Each KPI target of the plan next to its actual figure."""
    rows = []
    for kpi in plan.kpis:
        actual = overall.get(kpi.get("code"))
        target = kpi.get("target")
        met = actual is not None and target is not None and Decimal(str(actual)) >= Decimal(str(target))
        rows.append({**kpi, "actual": actual, "met": met,
                     "ratio": min(float(actual) / float(target), 1.0) if actual is not None and target else 0.0})
    return rows


def chart_bars(values: list[tuple[str, float]], maximum: float | None = None, width: int = 360) -> list[dict]:
    """Bars for a server-rendered SVG chart (prints as it shows)."""
    top = maximum or max([v for _l, v in values] + [1])
    return [{"label": label, "value": value, "width": round(width * min(value / top, 1), 1), "y": i * 26}
            for i, (label, value) in enumerate(values)]


