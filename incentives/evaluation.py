"""Evaluate a plan: the set-based path for everyone, the per-person path for one employee."""
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from courses.models import CalendarDay, CourseList
from leave import rules as leave_rules
from portal.models import Employee
from programs.models import Plan

from . import facts as facts_module
from .rules import Award, PersonFacts, Progress, award_counts, evaluate_person

NEARLY_MET = 0.8


@dataclass
class Evaluation:
    employee_id: int
    national_id: str
    name: str
    agency: str
    unit: str
    awards: list[Award] = field(default_factory=list)
    progress: list[Progress] = field(default_factory=list)
    grants: list[leave_rules.LeaveGrant] = field(default_factory=list)
    leave_progress: list[str] = field(default_factory=list)
    # The facts the rules saw, kept so a page can show what the person has (course by course).
    facts: PersonFacts | None = None
    records: list[leave_rules.RecordFact] = field(default_factory=list)

    @property
    def award_counts(self) -> dict[str, int]:
        return award_counts(self.awards)

    @property
    def nearly_met(self) -> bool:
        """No award yet, but at least 80 % of the way to one (the coordinators' "接近達成" filter)."""
        return not self.awards and any(p.ratio >= NEARLY_MET for p in self.progress if not p.met)

    @property
    def leave_hours(self) -> Decimal:
        return sum((g.hours for g in self.grants), Decimal(0))

    def as_json(self) -> dict:
        reasons = [{"rule": a.rule, "award": a.award, "count": a.count, "text": a.text} for a in self.awards]
        reasons += [{"rule": g.rule, "award": "leave", "count": 0, "hours": float(g.hours), "text": g.text} for g in self.grants]
        return {"national_id": self.national_id, "name": self.name, "agency": self.agency,
                "awards": self.award_counts, "leave_hours": float(self.leave_hours), "reasons": reasons}


def default_as_of(plan: Plan) -> dt.date:
    return plan.ends_on or dt.date.today()


def context_for(plan: Plan) -> dict:
    return {"bundles": facts_module.bundles_of(plan), "course_lists": facts_module.course_lists_of(plan)}


def evaluate(plan: Plan, as_of: dt.date | None = None, employees=None, context: dict | None = None) -> list[Evaluation]:
    """Everyone the plan covers (or the given employees), sorted by national ID."""
    as_of = as_of or default_as_of(plan)
    employees = facts_module.covered_employees(plan) if employees is None else employees
    context = context_for(plan) if context is None else context
    people = facts_module.gather(plan, employees, as_of, context)
    records = facts_module.leave_records(plan, employees, as_of, context)
    rules = plan.parameters.get("rules", [])
    results = []
    for pk, national_id, name, agency, unit, rank in (employees.order_by("national_id")
                                                      .values_list("pk", "national_id", "name", "agency__name", "unit__name", "rank")):
        outcome = evaluate_person(rules, people[pk], context)
        evaluation = Evaluation(pk, national_id, name, agency, unit or "", outcome.awards, outcome.progress,
                                facts=people[pk], records=records.get(pk, []))
        for rule in rules:
            if rule.get("kind") not in leave_rules.LEAVE_KINDS:
                continue
            grants, note = leave_rules.entitlement(rule, records.get(pk, []), context["bundles"], rank)
            evaluation.grants += grants
            if note:
                evaluation.leave_progress.append(note)
        results.append(evaluation)
    return results


def warnings(plan: Plan, as_of: dt.date | None = None) -> list[str]:
    """What makes the plan's figures less certain, one Traditional Chinese sentence each (CONTRACTS.md).

    A leave rule's year without an office calendar falls back to weekends (courses.calendar);
    a course list a rule reads that HR has not filled yet decides nothing. Each sentence names
    the file HR should import.
    """
    as_of = as_of or default_as_of(plan)
    rules = plan.parameters.get("rules", [])
    found = []
    if plan.off_duty_definition:
        years = set()
        for rule in rules:
            if rule.get("kind") in leave_rules.LEAVE_KINDS:
                start, end = facts_module._window(rule, as_of, plan.starts_on)
                if start <= end and start.year > 1900:
                    years |= set(range(start.year, end.year + 1))
        known = set(CalendarDay.objects.filter(date__year__in=years).dates("date", "year").values_list("date__year", flat=True)) \
            if years else set()
        for year in sorted(years - known):
            found.append(f"{year} 年（民國 {year - 1911} 年）尚無辦公日曆，公餘時段暫以週六、週日為放假日計算，"
                         f"國定假日、調整放假日及補行上班日均未計入，補休時數可能不正確；"
                         f"請人事單位以 import_calendar 匯入行政院人事行政總處「{year - 1911}年中華民國政府行政機關辦公日曆表」CSV 檔。")
    lists = facts_module.course_lists_of(plan)
    names = dict(CourseList.objects.filter(plan=plan).values_list("slug", "name"))
    for rule in rules:
        slug = rule.get("list")
        if slug and rule.get("kind") in ("course_list_completion", "leave_offduty_list") and not lists.get(slug):
            found.append(f"「{names.get(slug, slug)}」課程清單尚未建立，依此清單的規定（{rule.get('clause', rule.get('code'))}）"
                         f"暫無法計算；請人事單位以 import_course_list {plan.slug} {slug} 匯入課程清單檔。")
    return found


def evaluate_one(plan: Plan, employee: Employee, as_of: dt.date | None = None) -> Evaluation | None:
    """The per-person path: the same rules, facts gathered for this one employee."""
    covered = facts_module.covered_employees(plan).filter(pk=employee.pk)
    found = evaluate(plan, as_of, covered)
    return found[0] if found else None
