"""Stored standings (issue 20, "Pages that do not grow with the agency"): the staff page's filters
and sorts read `StoredStanding` in SQL instead of evaluating everyone on every request.

`refresh_standings` is the one writer. Its doors: every applied import that can change what the
rules count (`incentives.apps`, on `portal.signals.import_applied`), a rule change
(`incentives.services.update_rule`), the staff page's 「重新整理」 button, the command
`refresh_standings [PLAN…]` and Celery beat's nightly `incentives.refresh_standings_everywhere`.
Decisions do not feed the evaluation (`incentives.facts` reads no decision), so a decision's
transition changes no stored standing; what a decision changes (filed or not) is read live.
"""

import datetime as dt
import itertools
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portal.models import Employee
from programs.models import Plan

from .evaluation import NEARLY_MET, Evaluation, check_plan_rules, default_as_of, evaluate
from .facts import covered_employees
from .kinds import RuleParameterError
from .models import StandingCount, StandingRefresh, StoredStanding

# Employees evaluated at a time: memory is bounded by the chunk, queries constant per chunk.
CHUNK = 2000

# The staff page's order among people of equal standing (incentives.queries.standing_queryset):
# the refresh numbers the people in it (StoredStanding.place).
PLACE_ORDER = ("agency__name", "unit__name", "name", "pk")

# Import kinds whose rows a rule may count (leave.signals.GRANT_AFTER is these less forum tallies).
REFRESH_AFTER = {
    "records",
    "forum",
    "attendance",
    "calendar",
    "course-list",
    "certificates",
    "team-ratings",
    "contest",
    "case-reports",
    "roster",
}


def rows_for(plan_id: int, result: Evaluation, place: int = 0) -> list[StoredStanding]:
    """The stored rows of one evaluated person: the whole standing ("") and one per rule named by an
    award or a progress line; `place`, the person's place in PLACE_ORDER among the plan's people,
    goes on the whole standing. Pure: no query."""
    by_rule: dict[str, dict] = {}

    def entry(code: str) -> dict:
        return by_rule.setdefault(code, {"met": False, "ratio": 0.0, "awards": 0, "weight": 0})

    for award in result.awards:
        row = entry(award.rule)
        row["met"] = True
        row["awards"] += 1
        row["weight"] += award.weight
    for progress in result.progress:
        row = entry(progress.rule)
        if not progress.met:
            row["ratio"] = max(row["ratio"], float(progress.ratio))
    leave = result.leave_hours
    rows = [
        StoredStanding(
            plan_id=plan_id,
            employee_id=result.employee_id,
            rule_code="",
            met=bool(result.awards),
            near=result.nearly_met,
            ratio=max((float(p.ratio) for p in result.progress if not p.met), default=0.0),
            awards=len(result.awards),
            weight=sum(a.weight for a in result.awards),
            leave_hours=leave.quantize(Decimal("0.01")),
            place=place,
        )
    ]
    for code, row in by_rule.items():
        rows.append(
            StoredStanding(
                plan_id=plan_id,
                employee_id=result.employee_id,
                rule_code=code[:60],
                met=row["met"],
                near=not row["met"] and row["ratio"] >= NEARLY_MET,
                ratio=row["ratio"],
                awards=row["awards"],
                weight=row["weight"],
                leave_hours=Decimal(0),
            )
        )
    return rows


def refresh_standings(plan: Plan, as_of: dt.date | None = None) -> int:
    """Evaluate everyone the plan covers and store their standings; returns the people stored.

    Chunks of CHUNK employees, each evaluated in a fixed number of queries (memory bounded by the
    chunk) and written in one transaction under the plan's `StandingRefresh` row lock, so two
    refreshes of one plan run one after the other and a page never reads a chunk half written.
    People no longer covered lose their rows. A plan whose rules cannot be read stores nothing
    (its pages show the rule problem). Implements issue 20 item 2: "filters that need the
    evaluation may read stored standings, refreshed after each import, rule change or decision
    that touches them".
    """
    try:
        check_plan_rules(plan)
    except RuleParameterError:
        return 0
    as_of = as_of or default_as_of(plan)
    StandingRefresh.objects.get_or_create(plan=plan)
    with transaction.atomic():
        locked = StandingRefresh.objects.select_for_update().get(plan=plan)
        started_from, moves_from = locked.changes, locked.moves
        # The counts stop counting while the rows under them are rewritten (the page counts live).
        StandingRefresh.objects.filter(plan=plan).update(counted_changes=0)
        StoredStanding.objects.filter(plan=plan).exclude(employee_id__in=covered_employees(plan)).delete()
    # In the staff page's tie order (incentives.queries.standing_queryset), so each person's
    # place in it is their index here (StoredStanding.place, the awards sort's second key).
    ids = list(covered_employees(plan).order_by(*PLACE_ORDER).values_list("pk", flat=True))
    places = {pk: n for n, pk in enumerate(ids, start=1)}
    for chunk in _chunks(ids, CHUNK):
        results = evaluate(plan, as_of, Employee.objects.filter(pk__in=chunk))
        rows = [row for result in results for row in rows_for(plan.pk, result, places[result.employee_id])]
        with transaction.atomic():
            StandingRefresh.objects.select_for_update().get(plan=plan)
            StoredStanding.objects.filter(plan=plan, employee_id__in=chunk).delete()
            StoredStanding.objects.bulk_create(rows, batch_size=5000)
    with transaction.atomic():
        refresh = StandingRefresh.objects.select_for_update().get(plan=plan)
        refresh.refreshed_at, refresh.as_of, refresh.people = timezone.now(), as_of, len(ids)
        refresh.refreshed_changes = started_from
        # Counted under the lock, after every chunk, and stamped with what the refresh started
        # from: a person moved or renamed since the start (`coverage_changed`; their place may be
        # wrong too) or a change to what the rules count leaves the stamps behind, and the page
        # counts and sorts live until the next refresh.
        _store_counts(plan)
        refresh.counted_changes, refresh.counted_moves = started_from, moves_from
        refresh.save()
    _analyze()
    return len(ids)


def _store_counts(plan: Plan) -> None:
    """Replace the plan's StandingCount rows with the stored standings of the people it covers now,
    grouped by agency, unit, rule and status (one GROUP BY, one insert)."""
    from django.db.models import Count, Exists, OuterRef

    awarded = StoredStanding.objects.filter(plan=plan, employee_id=OuterRef("employee_id"), rule_code="", met=True)
    groups = (
        StoredStanding.objects.filter(plan=plan, employee__in=covered_employees(plan))
        .annotate(awarded=Exists(awarded))
        .values("employee__agency_id", "employee__unit_id", "rule_code", "met", "near", "awarded")
        .annotate(people=Count("pk"))
        .order_by()
    )
    StandingCount.objects.filter(plan=plan).delete()
    StandingCount.objects.bulk_create(
        [
            StandingCount(
                plan=plan,
                agency_id=g["employee__agency_id"],
                unit_id=g["employee__unit_id"],
                rule_code=g["rule_code"],
                met=g["met"],
                near=g["near"],
                awarded=g["awarded"],
                people=g["people"],
            )
            for g in groups
        ],
        batch_size=5000,
    )


def coverage_changed(sender=None, **kwargs) -> None:
    """Receiver of the saves and deletions of employees, agencies and units and of a plan's
    coverage: who a plan covers, or in which agency and unit, may have changed, so every plan's
    StandingCount rows stop counting (the page counts live) until its next refresh. The stored
    standings themselves stay as they are (what the rules count did not change). One UPDATE."""
    StandingRefresh.objects.filter(counted_changes__gt=0).update(counted_changes=0)


def _analyze() -> None:
    """Fresh statistics for the planner after a refresh rewrote a plan's rows (PostgreSQL), so the
    page's filters use the indexes at once instead of waiting for autovacuum."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {StoredStanding._meta.db_table}")


def refresh_everywhere() -> dict[str, int]:
    """Every plan's stored standings (nightly): {plan slug: people stored}."""
    return {plan.slug: refresh_standings(plan) for plan in Plan.objects.order_by("pk")}


def standings_changed(plan_ids=None) -> None:
    """Something a rule counts changed (an import, for every plan; a rule change, for its plan):
    the plans' stored standings are stale, and, where a worker runs the jobs, their refresh is
    queued. In-process (no broker) the staff page refreshes a stale plan when it next needs it,
    so a command-line import or a test does not evaluate every plan after every file."""
    from django.conf import settings

    plans = Plan.objects.all() if plan_ids is None else Plan.objects.filter(pk__in=list(plan_ids))
    pks = list(plans.values_list("pk", flat=True))
    StandingRefresh.objects.bulk_create([StandingRefresh(plan_id=pk) for pk in pks], ignore_conflicts=True)
    StandingRefresh.objects.filter(plan_id__in=pks).update(changes=F("changes") + 1)
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        for pk in pks:
            transaction.on_commit(lambda pk=pk: _queue_refresh(pk))


def _queue_refresh(plan_id: int) -> None:
    # Sent by its Celery name: incentives.tasks calls this module, not the other way round, and
    # send_task needs no registered task object (Celery discovers tasks lazily, in workers only).
    from portal.celery import app

    app.send_task("incentives.refresh_standings", args=[plan_id])


def refresh_after_import(sender, batch, **kwargs):
    """`portal.signals.import_applied` receiver (connected in incentives.apps). Any import may
    have moved people (bulk writes send no model signals), so every one resets the counts."""
    coverage_changed()
    if batch.kind in REFRESH_AFTER:
        standings_changed()


def last_refresh(plan: Plan) -> StandingRefresh | None:
    """The plan's refresh row (None: never asked for)."""
    return StandingRefresh.objects.filter(plan=plan).first()


def refreshes_in_request(plan: Plan) -> bool:
    """Whether a page may refresh the plan's standings itself: always without a worker (tasks
    in-process), and with workers when the plan covers at most STANDING_REFRESH_IN_REQUEST people
    (about 0.3 ms a person, so the default 2,000 stays well under a second). A larger plan's
    refresh is the workers' job: queued by the change, the page meanwhile says when its
    figures were taken."""
    from django.conf import settings

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True
    limit = settings.STANDING_REFRESH_IN_REQUEST
    return covered_employees(plan)[: limit + 1].count() <= limit


def ensure_fresh(plan: Plan, *, before_filing: bool = False) -> StandingRefresh:
    """The page's door when it needs stored standings: a plan never refreshed, or stale, is
    refreshed now when `refreshes_in_request`; otherwise a never-refreshed plan's refresh is
    queued (a stale one's already is) and the page says when the figures were taken.

    `before_filing`: filing 「全部待提報者」 is a state change and must not act on a refresh still
    waiting for a worker, so a stale plan is refreshed now whatever its size."""
    refresh = last_refresh(plan)
    never = refresh is None or refresh.refreshed_at is None
    if never or refresh.stale:
        if before_filing or refreshes_in_request(plan):
            refresh_standings(plan)
        elif never:
            standings_changed([plan.pk])  # queued for a worker; the page says it is being prepared
    return last_refresh(plan)


def _chunks(ids: list[int], size: int):
    iterator = iter(ids)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
