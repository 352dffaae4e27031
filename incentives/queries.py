"""Reusable reads of the incentives side: a coordinator's staff standing, filtered and sorted."""

from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext as _

from portal.models import Employee
from portal.params import parse_int
from programs.models import Plan

from .evaluation import NEARLY_MET, Evaluation, evaluate
from .facts import covered_employees
from .models import Decision
from .summaries import by_name

# "" and "name" sort by name (summaries.by_name: Chinese stroke order where the database offers it).
SORTS = {
    "unit": lambda r: (r.agency, r.unit, r.name),
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
    return not _met(result, rule) and any(
        p.rule == rule and not p.met and p.ratio >= NEARLY_MET for p in result.progress
    )


def staff_standing(
    user, plan: Plan, unit: str = "", rule: str = "", status: str = "", sort: str = ""
) -> list[Evaluation]:
    """The plan's covered staff the user may see, evaluated, filtered by unit and by a rule met or nearly met."""
    employees = covered_employees(plan) & Employee.objects.visible_to(user)
    if (unit_id := parse_int(unit)) is not None:
        employees = employees.filter(unit_id=unit_id)
    results = evaluate(plan, employees=employees)
    if status == "met":
        results = [r for r in results if _met(r, rule)]
    elif status == "near":
        results = [r for r in results if _near(r, rule)]
    elif rule:
        results = [r for r in results if _met(r, rule) or any(p.rule == rule for p in r.progress)]
    if sort not in SORTS:
        return by_name(results)
    results.sort(key=SORTS[sort])
    return results


def filed_statuses(plan: Plan, results: list[Evaluation]) -> dict[int, list[str]]:
    """Per employee, the status of each decision already made under the plan (one query)."""
    statuses = defaultdict(list)
    for employee_id, status in Decision.objects.filter(
        plan=plan, employee_id__in=[r.employee_id for r in results]
    ).values_list("employee_id", "status"):
        statuses[employee_id].append(status)
    return statuses


def decision_notes(plan: Plan, results: list[Evaluation]) -> dict[int, list[str]]:
    """Per employee, what HR wrote back (one query): why a request was returned (still eligible, to be
    filed again) or not granted."""
    notes = defaultdict(list)
    for employee_id, status, returned, rejected in (
        Decision.objects.filter(plan=plan, employee_id__in=[r.employee_id for r in results])
        .filter(Q(status=Decision.Status.ELIGIBLE, return_reason__gt="") | Q(status=Decision.Status.REJECTED))
        .order_by("pk")
        .values_list("employee_id", "status", "return_reason", "rejection_reason")
    ):
        if status == Decision.Status.ELIGIBLE:
            notes[employee_id].append(_("人事單位退回：%(reason)s") % {"reason": returned})
        else:
            notes[employee_id].append(_("不予核定：%(reason)s") % {"reason": rejected})
    return notes


def still_to_file(result: Evaluation, statuses: list[str]) -> bool:
    """Whether a person has an award no request was filed for yet (a decision still eligible, or none yet)."""
    filed = [s for s in statuses if s != Decision.Status.ELIGIBLE]
    return bool(result.awards) and len(filed) < len(result.awards)


def desk_decisions(user, plan: str = "", rule: str = "", status: str = "", agency: str = "", order: str = ""):
    """The decisions on HR's desk (`Decision.objects.visible_to`), filtered by plan slug, rule code,
    status, agency (with the agencies under it) and 獎懲令文號; one query with everything a row shows."""
    from django.db.models import Q

    decisions = (
        Decision.objects.visible_to(user)
        .select_related("plan", "employee__agency", "employee__unit", "requested_by")
        .order_by("plan__slug", "employee__agency__name", "employee__unit__name", "employee__name", "rule_code")
    )
    if plan:
        decisions = decisions.filter(plan__slug=plan)
    if rule:
        decisions = decisions.filter(rule_code=rule)
    if status in Decision.Status.values:
        decisions = decisions.filter(status=status)
    if (pk := parse_int(agency)) is not None:
        decisions = decisions.filter(
            Q(employee__agency_id=pk) | Q(employee__agency__parent_id=pk) | Q(employee__agency__government_id=pk)
        )
    if order:
        decisions = decisions.filter(order_number=order.strip())
    return decisions


def past_deadline(plan: Plan, employee_ids, today) -> list[Decision]:
    """The chosen people's awards still eligible whose rule's filing deadline is over (coordinators
    can no longer file them; HR may accept them late). One query."""
    from .services import filing_deadline

    decisions = (
        Decision.objects.filter(plan=plan, employee_id__in=employee_ids, status=Decision.Status.ELIGIBLE)
        .select_related("employee")
        .order_by("employee__name")
    )
    return [d for d in decisions if (deadline := filing_deadline(plan, d.rule_code)) and today > deadline]
