"""Reusable reads of the incentives side: a coordinator's staff standing, filtered and sorted."""
from collections import defaultdict

from portal.models import Employee
from programs.models import Plan

from .evaluation import NEARLY_MET, Evaluation, evaluate
from .facts import covered_employees
from .models import Decision

SORTS = {
    "": lambda r: r.national_id,
    "name": lambda r: (r.agency, r.unit, r.name),
    "awards": lambda r: (-sum(a.weight for a in r.awards), r.agency, r.unit, r.name),
    "leave": lambda r: (-r.leave_hours, r.agency, r.unit, r.name),
    # Closest to the next award first: who a coordinator might still nudge.
    "progress": lambda r: (-max((p.ratio for p in r.progress if not p.met), default=0), r.agency, r.unit, r.name),
}


def _met(result: Evaluation, rule: str) -> bool:
    return any(a.rule == rule for a in result.awards) if rule else bool(result.awards)


def _near(result: Evaluation, rule: str) -> bool:
    if not rule:
        return result.nearly_met
    return not _met(result, rule) and any(p.rule == rule and not p.met and p.ratio >= NEARLY_MET for p in result.progress)


def staff_standing(user, plan: Plan, unit: str = "", rule: str = "", status: str = "", sort: str = "") -> list[Evaluation]:
    """The plan's covered staff the user may see, evaluated, filtered by unit and by a rule met or nearly met."""
    employees = covered_employees(plan) & Employee.objects.visible_to(user)
    if unit.isdigit():
        employees = employees.filter(unit_id=int(unit))
    results = evaluate(plan, employees=employees)
    if status == "met":
        results = [r for r in results if _met(r, rule)]
    elif status == "near":
        results = [r for r in results if _near(r, rule)]
    elif rule:
        results = [r for r in results if _met(r, rule) or any(p.rule == rule for p in r.progress)]
    results.sort(key=SORTS.get(sort, SORTS[""]))
    return results


def filed_statuses(plan: Plan, results: list[Evaluation]) -> dict[int, list[str]]:
    """Per employee, the status of each decision already made under the plan (one query)."""
    statuses = defaultdict(list)
    for employee_id, status in (Decision.objects.filter(plan=plan, employee_id__in=[r.employee_id for r in results])
                                .values_list("employee_id", "status")):
        statuses[employee_id].append(status)
    return statuses


def still_to_file(result: Evaluation, statuses: list[str]) -> bool:
    """Whether a person has an award no request was filed for yet (a decision still eligible, or none yet)."""
    filed = [s for s in statuses if s != Decision.Status.ELIGIBLE]
    return bool(result.awards) and len(filed) < len(result.awards)
