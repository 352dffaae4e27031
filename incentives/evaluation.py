"""Evaluate a plan: the set-based path for everyone, the per-person path for one employee."""

import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from courses.models import Bundle, CalendarDay, CourseList
from portal.lookups import Keys
from portal.models import Employee
from portal.prefetch import Ahead
from programs.models import Plan

from . import facts as facts_module
from . import kinds
from .leave_rules import LeaveGrant, RecordFact
from .rules import Award, PersonFacts, Progress, award_counts

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
    grants: list[LeaveGrant] = field(default_factory=list)
    leave_progress: list[str] = field(default_factory=list)
    # The facts the rules saw, kept so a page can show what the person has (course by course).
    facts: PersonFacts | None = None
    records: list[RecordFact] = field(default_factory=list)

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
        reasons += [
            {"rule": g.rule, "award": "leave", "count": 0, "hours": float(g.hours), "text": g.text} for g in self.grants
        ]
        return {
            "national_id": self.national_id,
            "name": self.name,
            "agency": self.agency,
            "awards": self.award_counts,
            "leave_hours": float(self.leave_hours),
            "reasons": reasons,
        }


def default_as_of(plan: Plan) -> dt.date:
    return plan.ends_on or dt.date.today()


def plan_name(plan: Plan) -> str:
    return f"{plan.slug}「{plan.title}」"


def plan_refs(plan: Plan, context: dict | None = None) -> kinds.PlanRefs:
    """The course lists and side bundles the plan's rules may name (slugs); read from
    `context` (`context_for`) when given, else two queries."""
    if context is not None:
        return kinds.PlanRefs(set(context["list_names"]), {b.slug for b in context["bundles"] if b.kind == "side"})
    return kinds.PlanRefs(
        set(CourseList.objects.filter(plan=plan).values_list("slug", flat=True)),
        set(Bundle.objects.filter(plan=plan, kind="side").values_list("slug", flat=True)),
    )


def check_plan_rules(plan: Plan, rules: list | None = None, context: dict | None = None) -> list[dict]:
    """The plan's rules (or `rules`, about to be saved) checked against their kinds and the plan.

    Raises kinds.RuleParameterError with one Chinese sentence per problem, each naming the
    plan, the rule and the field. Every evaluation runs through this, so a plan stored with
    parameters nobody can read is refused with that message instead of crashing a page.
    """
    rules = plan.parameters.get("rules", []) if rules is None else rules
    kinds.check_rules(plan_name(plan), rules, plan_refs(plan, context))
    return rules


def context_for(plan: Plan) -> dict:
    """What the plan's rules read besides a person's facts, in two queries: its bundles
    (`BundleInfo`s), its course lists' entries {slug: [(key, name, hours)]} and names {slug: name}."""
    return contexts_for([plan])[plan.pk]


def contexts_for(plans) -> dict[int, dict]:
    """`context_for` of each plan, {plan id: context}: two queries whatever the number of plans."""
    return _contexts(plans, facts_module.bundles_of_plans(plans), facts_module.course_lists_of_plans(plans))


def _contexts(plans, bundles: dict, lists: dict, **shared) -> dict[int, dict]:
    """{plan id: context} from `bundles_of_plans` and `course_lists_of_plans` shaped results,
    each context also holding `shared` (the same for every plan)."""
    return {
        p.pk: {"bundles": bundles[p.pk], "course_lists": lists[p.pk][0], "list_names": lists[p.pk][1], **shared}
        for p in plans
    }


# What `evaluate` reads of each employee, once, for their facts and their names.
ROSTER = ("pk", "national_id", "name", "agency__name", "unit__name", "rank", "unit_role", "unit_id")


def contexts_with_calendar(plans) -> dict[int, dict]:
    """`contexts_for(plans)`, each context also holding `calendar_years` (the years the office
    calendar holds, for `warnings`): one query in all, the employee page's (issue 20)."""
    bundles, lists, years = facts_module.course_groups_of_plans(plans)
    return _contexts(plans, bundles, lists, calendar_years=years)


def evaluate(
    plan: Plan,
    as_of: dt.date | None = None,
    employees=None,
    context: dict | None = None,
    *,
    rules=None,
    roster: list[tuple] | None = None,
) -> list[Evaluation]:
    """Everyone the plan covers (or the given employees), sorted by national ID.

    `rules`: the plan's rules already checked (`check_plan_rules`), as a streamed evaluation
    passes them to each chunk; else they are checked here. `roster`: the employees' `ROSTER`
    fields in national-ID order, when the caller has read them (a streamed chunk reads them
    to find where it ends; the employee page has its one person in hand); else one query.
    `employees` may also be employee keys (`portal.lookups.Keys`), with their `roster`
    (`chunk_roster`).
    Raises kinds.RuleParameterError.
    """
    context = context_for(plan) if context is None else context
    rules = check_plan_rules(plan, context=context) if rules is None else rules
    as_of = as_of or default_as_of(plan)
    employees = facts_module.covered_employees(plan) if employees is None else employees
    # The employees with their names, read once: the facts gathered below start from the same rows.
    if roster is None:
        roster = list(employees.order_by("national_id").values_list(*ROSTER))
    # The leave rules' records first: the first completions of a window they cover come from them.
    leave_rows = facts_module.read_leave_rows(plan, employees, as_of, context)
    roster_facts = [(r[0], r[5], r[6], r[7]) for r in roster]
    people = facts_module.gather(plan, employees, as_of, context, roster_facts, leave_rows)
    records = facts_module.leave_records(plan, employees, as_of, context, leave_rows)
    if context.get("ahead") is not None:
        # The chunk's statements have run: the next chunk's go to PostgreSQL now and are
        # answered while the rules below run in Python (portal.prefetch).
        context["ahead"].send()
    # Each rule's kind looked up once for the chunk, not once a person (`kinds.entitlement` for each).
    leave_rules = [(rule, kinds.kind_of(rule).entitle) for rule in rules if rule["kind"] in kinds.LEAVE_KINDS]
    decided = kinds.deciders(rules)
    bundles = context["bundles"]
    results = []
    for pk, national_id, name, agency, unit, rank, _role, _unit_id in roster:
        outcome = kinds.evaluate_person(rules, people[pk], context, decided)
        evaluation = Evaluation(
            pk,
            national_id,
            name,
            agency,
            unit or "",
            outcome.awards,
            outcome.progress,
            facts=people[pk],
            records=records.get(pk, []),
        )
        for rule, entitle in leave_rules:
            grants, note = entitle(rule, evaluation.records, bundles, rank)
            evaluation.grants += grants
            if note:
                evaluation.leave_progress.append(note)
        results.append(evaluation)
    return results


def chunk_starts(plan: Plan, size: int) -> Iterator[str]:
    """The national ID after which each chunk of `size` covered employees starts ("" first).

    One query, read as a stream: the IDs go by and only every size-th is kept, so a national
    plan's chunks are known without holding its roster.
    """
    yield ""
    ids = facts_module.covered_employees(plan).order_by("national_id").values_list("national_id", flat=True)
    for n, national_id in enumerate(ids.iterator(chunk_size=10_000), start=1):
        if n % size == 0:
            yield national_id


def chunk_roster(plan: Plan, after: str, size: int, ahead: Ahead | None = None) -> tuple[Keys, list[tuple]]:
    """One chunk of the covered employees: the `size` next after national ID `after`, as
    (their keys, their `ROSTER` rows in national-ID order). One query: the roster, taken
    from what `ahead` sent for when it did (`portal.prefetch.Ahead.also`).

    The chunk's queries take the keys (`facts.of_employees`) and start from those employees
    by primary key, instead of finding a range of national IDs again through the coverage's
    conditions (agencies, exclusions, employment types), which the planner may answer by
    reading the whole government's staff once per query.
    """
    roster = ahead.rows(roster_query(plan, after, size)) if ahead else list(roster_query(plan, after, size))
    return Keys(row[0] for row in roster), roster


def chunks(plan: Plan, size: int, ahead: Ahead | None = None) -> Iterator[tuple[Keys, list[tuple]]]:
    """Each chunk of the covered employees in national-ID order, as `chunk_roster` gives it:
    one query a chunk, and one more, empty or short, that ends them."""
    after = ""
    while True:
        keys, roster = chunk_roster(plan, after, size, ahead)
        if roster:
            yield keys, roster
        if len(roster) < size:
            return
        after = roster[-1][1]


def roster_query(plan: Plan, after: str, size: int):
    """The `ROSTER` rows of the `size` covered employees after national ID `after`, in order."""
    covered = facts_module.covered_employees(plan).filter(national_id__gt=after)
    return covered.order_by("national_id").values_list(*ROSTER)[:size]


def stream_context(plan: Plan, as_of: dt.date) -> dict:
    """The context every chunk shares (bundles, course lists, every unit's averages), read once.

    A whole plan's evaluation reports awards and grants, not each person's next step, so the
    rules skip the progress sentences (`explain`: False).
    """
    return {**facts_module.prepare_stream(plan, as_of, context_for(plan)), "explain": False}


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector off for a block, then back as it was.

    A chunk allocates a few dozen small objects per person (facts, dicts, awards), none in a
    cycle, and keeps them alive until it is written; the collector, triggered every 700
    allocations, rescanned those live objects again and again (a third of a whole plan's
    evaluation at 50,000 staff). Reference counting frees them as before; the caller
    collects the young generations between chunks, so memory stays bounded.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def evaluate_stream(plan: Plan, as_of: dt.date | None = None, chunk_size: int | None = None) -> Iterator[Evaluation]:
    """Everyone the plan covers, sorted by national ID, evaluated `chunk_size` employees at a time.

    The same results as `evaluate(plan, as_of)`, yielded as each chunk is done: memory holds one
    chunk's facts, never the whole plan's, and each chunk runs the same fixed number of queries
    (issue 20: a national evaluation in bounded memory). On PostgreSQL, outside a transaction,
    the next chunk's statements are answered on a second connection while this chunk's rules
    run (`portal.prefetch.Ahead`; `EVALUATION_PREFETCH`). Raises kinds.RuleParameterError.
    """
    rules = check_plan_rules(plan)
    as_of = as_of or default_as_of(plan)
    size = chunk_size or settings.EVALUATION_CHUNK_SIZE
    context = stream_context(plan, as_of)
    # The next chunk's statements answered while this chunk's rules run (PostgreSQL, outside
    # a transaction): its roster is read before this chunk is evaluated.
    ahead = context["ahead"] = Ahead.open()
    try:
        with collector_paused():
            pending = chunks(plan, size, ahead)
            following = next(pending, None)
            while following is not None:
                # The next chunk's roster is read before this chunk is evaluated.
                (keys, roster), following = following, next(pending, None)
                if ahead is not None:
                    ahead.start(keys, following[0] if following else None)
                    if following and len(following[1]) == size:
                        # The roster after the next chunk goes ahead with its statements.
                        ahead.also(roster_query(plan, following[1][-1][1], size))
                results = evaluate(plan, as_of, keys, context, rules=rules, roster=roster)
                yield from results
                del results
                # The chunk's facts are gone by now (reference counting freed them); the young
                # generations hold at most what the chunk left in cycles, so this pass is short.
                gc.collect(1)
    finally:
        context.pop("ahead", None)
        if ahead is not None:
            ahead.close()


def shared_json(context: dict) -> dict:
    """The part of a stream's context a Celery chunk cannot rebuild cheaply (the unit
    averages), as JSON for the task's arguments: {rule code: {unit id: {metric: "12.34"}}}."""
    return {
        code: {str(unit): {k: str(v) for k, v in metrics.items()} for unit, metrics in units.items()}
        for code, units in context.get("unit_averages", {}).items()
    }


def evaluate_chunk_json(plan: Plan, as_of: dt.date, after: str, size: int, shared: dict) -> list[dict]:
    """One chunk of a distributed evaluation: the `size` covered employees after national ID
    `after`, each as its `evaluate --json` entry (CONTRACTS.md), in national-ID order.

    `shared` is `shared_json` of the stream's context, so the chunk reads no unit's records
    again. Raises kinds.RuleParameterError.
    """
    context = {**context_for(plan), "explain": False}
    context["unit_averages"] = {
        code: {int(unit): {k: Decimal(v) for k, v in metrics.items()} for unit, metrics in units.items()}
        for code, units in shared.items()
    }
    with collector_paused():
        employees, roster = chunk_roster(plan, after, size)
        return [r.as_json() for r in evaluate(plan, as_of, employees, context, roster=roster)]


def warnings(plan: Plan, as_of: dt.date | None = None, context: dict | None = None, rules=None) -> list[str]:
    """What makes the plan's figures less certain, one Traditional Chinese sentence each (CONTRACTS.md).

    `rules`: the plan's rules already checked (`check_plan_rules`), else checked here.
    A leave rule's year without an office calendar falls back to weekends (courses.calendar);
    a course list a rule reads that HR has not filled yet decides nothing. Each sentence names
    the file HR should import.
    """
    context = context_for(plan) if context is None else context
    try:
        rules = check_plan_rules(plan, context=context) if rules is None else rules
    except kinds.RuleParameterError as error:
        return error.messages  # nothing can be figured until HR corrects the rule
    as_of = as_of or default_as_of(plan)
    found = []
    if plan.off_duty_definition:
        years = set()
        for rule in rules:
            if rule.get("kind") in kinds.LEAVE_KINDS:
                start, end = facts_module._window(rule, as_of, plan.starts_on)
                if start <= end and start.year > 1900:
                    years |= set(range(start.year, end.year + 1))
        if "calendar_years" in context:  # read with the bundles (`contexts_with_calendar`)
            known = context["calendar_years"] & years
        elif years:
            known = set(
                CalendarDay.objects.filter(date__year__in=years)
                .dates("date", "year")
                .values_list("date__year", flat=True)
            )
        else:
            known = set()
        for year in sorted(years - known):
            found.append(
                f"{year} 年（民國 {year - 1911} 年）尚無辦公日曆，公餘時段暫以週六、週日為放假日計算，"
                f"國定假日、調整放假日及補行上班日均未計入，補休時數可能不正確；"
                f"請人事單位以 import_calendar 匯入行政院人事行政總處「{year - 1911}年中華民國政府行政機關辦公日曆表」CSV 檔。"
            )
    lists, names = context["course_lists"], context["list_names"]
    for rule in rules:
        slug = rule.get("list")
        kind = kinds.kind_of(rule)
        if slug and kind is not None and not kind.promotion and not lists.get(slug):
            found.append(
                f"「{names.get(slug, slug)}」課程清單尚未建立，依此清單的規定（{rule.get('clause', rule.get('code'))}）"
                f"暫無法計算；請人事單位以 import_course_list {plan.slug} {slug} 匯入課程清單檔。"
            )
        if kind is not None and kind.code == "threshold_tiers" and not rule.get("tiers"):
            found.append(
                f"規則 {rule['code']}（{rule.get('clause', '')}）尚未設定獎勵級距，暫不核給獎勵；"
                f"請人事單位於「計畫規則」頁填寫級距。"
            )
    return found


def evaluate_one(plan: Plan, employee: Employee, as_of: dt.date | None = None) -> Evaluation | None:
    """The per-person path: the same rules, facts gathered for this one employee."""
    covered = facts_module.covered_employees(plan).filter(pk=employee.pk)
    found = evaluate(plan, as_of, covered)
    return found[0] if found else None
