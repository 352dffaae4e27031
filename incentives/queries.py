"""Reusable reads of the incentives side: a coordinator's staff standing, filtered and sorted."""

from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext as _

from portal.models import Employee
from portal.params import parse_int
from programs.models import Plan

from .evaluation import Evaluation, evaluate
from .facts import covered_employees
from .models import Decision


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


# The staff page's sorts in SQL (issue 20): "" and "name" by name (Chinese stroke order on
# PostgreSQL with ICU), the others on the stored standings (incentives.refresh).


def standing_queryset(
    user, plan: Plan, unit: str = "", rule: str = "", status: str = "", sort: str = "", complete: bool = False
):
    """The plan's covered staff the user may see, filtered and ordered in SQL: by unit, and by a rule
    met or nearly met as the stored standings (`StoredStanding`) hold it. A queryset of Employee,
    so the page counts and paginates it in the database whatever the agency's size. The stored
    rows are joined (a LEFT JOIN on the (plan, employee, rule) key), never a subquery per person.

    `complete`: every person listed is known to have a whole stored standing (the plan's counts
    are current, `StandingRefresh.counts_current`, so no one was renamed or moved since the
    refresh numbered their `place`): the awards sort joins them as an inner join and orders by
    (weight, place), which PostgreSQL reads from the `stored_standing_by_awards` index in order
    instead of sorting everyone. Same rows, same order."""
    from django.db.models import F, FilteredRelation, Q
    from django.db.models.functions import Collate

    from .refresh import PLACE_ORDER
    from .summaries import stroke_collation

    employees = covered_employees(plan) & Employee.objects.visible_to(user)
    if (unit_id := parse_int(unit)) is not None:
        employees = employees.filter(unit_id=unit_id)
    if status in ("met", "near") or rule:
        employees = employees.annotate(
            by_rule=FilteredRelation(
                "stored_standings", condition=Q(stored_standings__plan=plan, stored_standings__rule_code=rule)
            )
        )
        if status == "met":
            employees = employees.filter(by_rule__met=True)
        elif status == "near":
            employees = employees.filter(by_rule__near=True)
        else:
            employees = employees.filter(by_rule__isnull=False)
    collation = stroke_collation()
    name = Collate("name", collation) if collation else F("name")
    if sort == "unit":
        order = ["agency__name", "unit__name", name, "pk"]
    elif sort in ("awards", "leave", "progress"):
        field = {"awards": "weight", "leave": "leave_hours", "progress": "ratio"}[sort]
        employees = employees.annotate(
            whole=FilteredRelation(
                "stored_standings", condition=Q(stored_standings__plan=plan, stored_standings__rule_code="")
            )
        )
        # Ties (most people share a weight) break on the stored names' code points: comparing tens of
        # thousands of ties through ICU doubled the page's time (bench/bench_pages.py).
        if complete and sort == "awards":
            # Everyone listed has a whole standing numbered in PLACE_ORDER (`place`), so this is
            # the same order as below, read from the stored_standing_by_awards index.
            employees = employees.filter(whole__isnull=False)
            order = [F("whole__weight").desc(), "whole__place", "pk"]
        else:
            order = [F(f"whole__{field}").desc(nulls_last=True), *PLACE_ORDER]
    else:
        order = [name, "agency__name", "unit__name", "pk"]
    return employees.order_by(*order)


def stored_counts(
    user, plan: Plan, unit: str = "", rule: str = "", status: str = "", refresh=None
) -> tuple[int, int] | None:
    """What `standing_queryset(user, plan, unit, rule, status)` would count, read from the plan's
    StandingCount rows: (people listed, of them people with an award). A few rows summed in one
    query (two more for a scoped user's agencies), whatever the agency's size.

    None when the rows cannot answer exactly, and the caller counts live: the counts are not
    current (a refresh is running or anything that moves people or standings happened since the
    last one, `StandingRefresh.counts_current`), or the user sees people other than by agency (a
    supervisor's units, an employee's own row). `refresh`: the plan's StandingRefresh when the
    caller has just read it (saves a query)."""
    from django.db.models import Q, Sum

    from portal.access import is_coordinator, is_hr, serves_every_government
    from portal.queries import served_agency_ids

    from .models import StandingCount, StandingRefresh

    refresh = refresh or StandingRefresh.objects.filter(plan=plan).first()
    if refresh is None or not refresh.counts_current:
        return None
    counts = StandingCount.objects.filter(plan=plan)
    # The same scope as Employee.objects.visible_to: everyone, or by the agencies served.
    if not serves_every_government(user):
        if not (is_hr(user) or is_coordinator(user)):
            return None
        counts = counts.filter(agency_id__in=served_agency_ids(user))
    if (unit_id := parse_int(unit)) is not None:
        counts = counts.filter(unit_id=unit_id)
    counts = counts.filter(rule_code=rule if (status in ("met", "near") or rule) else "")
    if status == "met":
        counts = counts.filter(met=True)
    elif status == "near":
        counts = counts.filter(near=True)
    totals = counts.aggregate(listed=Sum("people"), with_award=Sum("people", filter=Q(awarded=True)))
    return totals["listed"] or 0, totals["with_award"] or 0


def awards_to_file(plan: Plan, employees, with_award_count: int | None = None) -> tuple[int, object]:
    """Of `employees`, how many have more stored awards than requests filed (decisions past
    eligible), and a queryset of their IDs: the people 「提報篩選結果中全部待提報者」 files. Those
    with an award, less those whose filed decisions already cover their awards; only people with
    a filed decision are counted one by one. Two queries for the count, whatever the list's size;
    one, growing only with the decisions filed, when `with_award_count` (how many of `employees`
    have an award, from `stored_counts`) is given."""
    from django.db.models import Count, F, IntegerField, OuterRef, Subquery

    from .models import StoredStanding

    with_award = StoredStanding.objects.filter(plan=plan, rule_code="", met=True, employee__in=employees.values("pk"))
    filed = Decision.objects.filter(plan=plan).exclude(status=Decision.Status.ELIGIBLE)
    counted = (
        filed.filter(employee=OuterRef("employee_id")).order_by().values("employee").annotate(n=Count("pk")).values("n")
    )
    covered = with_award.filter(employee__in=filed.values("employee")).annotate(
        filed_count=Subquery(counted, output_field=IntegerField())
    )
    done = covered.filter(awards__lte=F("filed_count"))
    if with_award_count is None:
        with_award_count = with_award.count()
    return with_award_count - done.count(), with_award.exclude(pk__in=done.values("pk")).values_list(
        "employee_id", flat=True
    )


def evaluate_page(plan: Plan, employee_ids: list[int]) -> list[Evaluation]:
    """The people of one page, evaluated now (a fixed number of queries), in the page's order."""
    results = {r.employee_id: r for r in evaluate(plan, employees=Employee.objects.filter(pk__in=employee_ids))}
    return [results[pk] for pk in employee_ids if pk in results]
