"""Evaluate a plan: the set-based path for everyone, the per-person path for one employee."""
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

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


def evaluate_one(plan: Plan, employee: Employee, as_of: dt.date | None = None) -> Evaluation | None:
    """The per-person path: the same rules, facts gathered for this one employee."""
    covered = facts_module.covered_employees(plan).filter(pk=employee.pk)
    found = evaluate(plan, as_of, covered)
    return found[0] if found else None
