"""Facts for the rules, gathered for a whole plan in a fixed number of queries.

Every query here filters on the employees in question and aggregates in the database;
none runs per employee. The per-person path calls the same functions with one employee.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from django.db import models
from django.db.models import Count, F, Min, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, ExtractYear

from courses.models import (
    AttendancePeriod,
    Bundle,
    CalendarDay,
    CourseList,
    ForumTally,
    LearningRecord,
)
from courses.offduty import Absence, OfficeHours, is_off_duty_given
from courses.queries import calendar_exceptions, own_office_hours, with_off_duty_inputs
from portal.lookups import Keys
from portal.models import Agency, Employee
from programs.models import CaseReport, Certificate, ContestEntry, Plan, TeamMember

from . import kinds
from .leave_rules import RecordFact
from .rules import BundleInfo, PersonFacts

ZERO = Decimal(0)
_OFFICE_HOURS = OfficeHours()


def covered_employees(plan: Plan):
    """The plan's coverage (適用對象) as a filter over agency and employment type."""
    people = Employee.objects.filter(active=True)
    # A central plan (RAD's, coverage scope "all") covers every government; others their own tree.
    if plan.parameters.get("coverage_scope") != "all":
        people = people.filter(agency__in=Agency.objects.filter(Q(pk=plan.issuer_id) | Q(government_id=plan.issuer_id)))
    # A subquery, not a list read first: the coverage stays one statement.
    excluded = plan.excluded_agencies.values("pk")
    people = people.exclude(Q(agency_id__in=excluded) | Q(agency__parent_id__in=excluded))
    if plan.employment_types:
        people = people.filter(employment_type__in=plan.employment_types)
    return people


def _rows(queryset, context: dict) -> list:
    """`list(queryset)`, or its rows already sent for by a streamed evaluation while the
    chunk before worked (`portal.prefetch.Ahead`, in `context["ahead"]`)."""
    ahead = context.get("ahead")
    return ahead.rows(queryset) if ahead is not None else list(queryset)


def of_employees(employees, field: str = "employee") -> Q:
    """The condition "`field` is one of `employees`": employee keys (`portal.lookups.Keys`: a
    streamed chunk names its own, `evaluation.chunk_roster`) as one array (`__any_of`), so
    that each query starts from those people by key; else the queryset's keys as a subquery."""
    if isinstance(employees, Keys):
        return Q(**{f"{field}__pk__any_of": employees})
    return Q(**{f"{field}__in": employees.values("pk")})


def _window(rule: dict, as_of: dt.date, period_start: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """A rule's window, both days included (DOMAIN.md Decision).

    Where the plan gives only a deadline ("by 103-08-31"), the window starts on the plan
    period's first day, so learning from an earlier year never counts towards this year's rule.
    """
    window = rule.get("window") or rule.get("year_window") or {}
    start = dt.date.fromisoformat(window["start"]) if window.get("start") else (period_start or dt.date.min)
    end = dt.date.fromisoformat(str(window["end"])) if window.get("end") else dt.date.max
    if rule.get("deadline"):
        end = min(end, dt.date.fromisoformat(str(rule["deadline"])))
    return start, min(end, as_of)


def forum_total(rule: dict):
    """The tally a rule counts (DOMAIN.md Decision): Taoyuan 發表篇數 (`count: posts`), posts
    less the excluded ones; Tainan 發表及回應 (`count: posts_and_replies`, the default)."""
    if rule.get("count") == "posts":
        return F("posts") - F("excluded")
    return F("posts") + F("replies") - F("excluded")


def bundles_of(plan: Plan) -> list[BundleInfo]:
    """The plan's bundles (by kind, hours, slug), each with its courses in entry order: one query."""
    return bundles_of_plans([plan])[plan.pk]


def bundles_of_plans(plans) -> dict[int, list[BundleInfo]]:
    """Each plan's bundles (by kind, hours, slug), each with its courses in entry order.

    Shape: {plan id: [BundleInfo, …]} for every plan given (an empty list for a plan without
    bundles). One query whatever the number of plans: the bundles joined to their entries.
    """
    found: dict[int, dict[int, list]] = {p.pk: {} for p in plans}
    for plan_id, pk, slug, name, kind, rank, key, course, hours in (
        Bundle.objects.filter(plan__in=[p.pk for p in plans])
        .order_by("plan_id", "kind", "hours", "slug", "entries__pk")
        .values_list(
            "plan_id",
            "pk",
            "slug",
            "name",
            "kind",
            "rank",
            "entries__course__name_key",
            "entries__course__name",
            "entries__hours",
        )
    ):
        _add_bundle_row(found, plan_id, pk, slug, name, kind, rank, key, course, hours)
    return _bundle_infos(found)


def _add_bundle_row(found: dict, plan_id, pk, slug, name, kind, rank, key, course, hours) -> None:
    """Fold one row of a bundle joined to its entries into `found` {plan id: {bundle id: […]}}."""
    bundle = found[plan_id].setdefault(pk, [slug, name, kind, rank, []])
    if key is not None:
        bundle[4].append((key, course, hours))


def _bundle_infos(found: dict) -> dict[int, list[BundleInfo]]:
    return {
        plan_id: [BundleInfo(slug, name, kind, rank, tuple(courses)) for slug, name, kind, rank, courses in b.values()]
        for plan_id, b in found.items()
    }


def course_lists_of_plans(plans) -> dict[int, tuple[dict, dict]]:
    """Each plan's course lists: {plan id: ({slug: [(key, name, hours)]}, {slug: list name})}.

    A list without entries has a name but no key in the first dict (a rule reading it decides
    nothing, `evaluation.warnings`). One query whatever the number of plans.
    """
    found: dict[int, tuple[dict, dict]] = {p.pk: ({}, {}) for p in plans}
    for plan_id, slug, list_name, key, course, hours in (
        CourseList.objects.filter(plan__in=[p.pk for p in plans])
        .order_by("plan_id", "pk", "entries__pk")
        .values_list("plan_id", "slug", "name", "entries__course__name_key", "entries__course__name", "entries__hours")
    ):
        _add_list_row(found, plan_id, slug, list_name, key, course, hours)
    return found


def _add_list_row(found: dict, plan_id, slug, list_name, key, course, hours) -> None:
    """Fold one row of a course list joined to its entries into `found` {plan id: (lists, names)}."""
    lists, names = found[plan_id]
    names[slug] = list_name
    if key is not None:
        lists.setdefault(slug, []).append((key, course, hours))


def course_groups_of_plans(plans) -> tuple[dict, dict, set[int]]:
    """`bundles_of_plans` and `course_lists_of_plans` of `plans`, and the years the office
    calendar holds (`evaluation.warnings` asks), in one query: the employee page's (issue 20).

    The three are one UNION ALL with the same columns, sorted in SQL as the two queries sort:
    bundles by plan, kind, hours, slug and entry; lists by plan, list and entry.
    """
    ids = [p.pk for p in plans]
    # Typed NULLs: PostgreSQL types an untyped NULL of a DISTINCT branch as text.
    null_int = Cast(Value(None), models.IntegerField())
    null_hours = Cast(Value(None), models.DecimalField(max_digits=6, decimal_places=2))
    columns = ("src", "group_plan", "group_kind", "group_hours", "order_slug", "group_pk", "entry_pk")
    columns += ("group_slug", "group_name", "group_rank", "course_key", "course_name", "entry_hours")
    bundles = Bundle.objects.filter(plan__in=ids).annotate(
        src=Value(0),
        group_plan=F("plan_id"),
        group_kind=F("kind"),
        group_hours=F("hours"),
        order_slug=F("slug"),
        group_pk=F("pk"),
        entry_pk=F("entries__pk"),
        group_slug=F("slug"),
        group_name=F("name"),
        group_rank=F("rank"),
        course_key=F("entries__course__name_key"),
        course_name=F("entries__course__name"),
        entry_hours=F("entries__hours"),
    )
    lists = CourseList.objects.filter(plan__in=ids).annotate(
        src=Value(1),
        group_plan=F("plan_id"),
        group_kind=Value(""),
        group_hours=null_hours,
        order_slug=Value(""),  # lists keep their own order (by key), not their slugs'
        group_pk=F("pk"),
        entry_pk=F("entries__pk"),
        group_slug=F("slug"),
        group_name=F("name"),
        group_rank=Value(""),
        course_key=F("entries__course__name_key"),
        course_name=F("entries__course__name"),
        entry_hours=F("entries__hours"),
    )
    calendar_years = (
        CalendarDay.objects.annotate(
            src=Value(2),
            group_plan=null_int,
            group_kind=Value(""),
            group_hours=null_hours,
            order_slug=Value(""),
            group_pk=Cast(ExtractYear("date"), models.IntegerField()),
            entry_pk=null_int,
            group_slug=Value(""),
            group_name=Value(""),
            group_rank=Value(""),
            course_key=Value(""),
            course_name=Value(""),
            entry_hours=null_hours,
        )
        .order_by()
        .values_list(*columns)
        .distinct()
    )
    rows = (
        bundles.order_by()
        .values_list(*columns)
        .union(lists.order_by().values_list(*columns), calendar_years, all=True)
        .order_by("src", "group_plan", "group_kind", "group_hours", "order_slug", "group_pk", "entry_pk")
    )
    found_bundles: dict[int, dict[int, list]] = {p.pk: {} for p in plans}
    found_lists: dict[int, tuple[dict, dict]] = {p.pk: ({}, {}) for p in plans}
    years: set[int] = set()
    for src, plan_id, kind, _h, _o, pk, _e, slug, name, rank, key, course, hours in rows:
        if src == 2:
            years.add(pk)
        elif src == 0:
            _add_bundle_row(found_bundles, plan_id, pk, slug, name, kind, rank, key, course, hours)
        else:
            _add_list_row(found_lists, plan_id, slug, name, key, course, hours)
    return _bundle_infos(found_bundles), found_lists, years


@dataclass(frozen=True)
class LeaveRows:
    """The records a plan's leave rules can grant for, as one chunk's query read them
    (`read_leave_rows`): every record of `keys` from `start` to `end` (both included) of the
    chunk's employees, ordered by employee, day and record id. `rows` are tuples (record id,
    employee id, course key, hours, digital hours, day, time or None, day off,
    in office hours). `_first_completions` reads a window these rows cover from
    them instead of querying again (Kaohsiung's bundle rule and its leave rule read the same
    courses in the same year)."""

    keys: frozenset
    start: dt.date
    end: dt.date
    rows: list


def gather(
    plan: Plan, employees, as_of: dt.date, context: dict, roster=None, leave_rows: LeaveRows | None = None
) -> dict[int, PersonFacts]:
    """Each employee's facts for the plan's rules, {employee id: PersonFacts}.

    `roster`: the employees' (pk, rank, unit role, unit id or None) already read (`evaluate`
    reads them once with their names); else one query reads them. A unit-average rule takes
    the units from it and reads no employee again. `leave_rows`: the chunk's leave
    records already read (`read_leave_rows`); a window of first completions they cover is
    taken from them, without a query.
    """
    rules = plan.parameters.get("rules", [])
    if roster is None:
        roster = employees.values_list("pk", "rank", "unit_role", "unit_id")
    people = {}
    member_units = {}  # employee id -> unit id, for those with a unit
    for pk, rank, role, unit_id in roster:
        people[pk] = PersonFacts(pk, rank=rank, unit_role=role)
        if unit_id is not None:
            member_units[pk] = unit_id
    of_them = of_employees(employees)
    period_start = plan.starts_on
    records = LearningRecord.objects.filter(of_them, completed_on__lte=as_of)
    # Rules sharing a window share its sums (Taoyuan's personal and unit rules both read the
    # year): one query per window, not per rule, each rule still getting its own values.
    hour_sums: dict[tuple, list] = {}
    forum_sums: dict[tuple, list] = {}
    for rule in kinds.needs(rules, kinds.METRICS) + kinds.needs(rules, kinds.UNIT_METRICS):
        start, end = _window(rule, as_of, period_start)
        metrics = set(kinds.metrics_of(rule))
        if metrics & {"hours", "digital_hours", "job_related_hours", "digital_hours_per_head"}:
            if (start, end) not in hour_sums:
                hour_sums[(start, end)] = _rows(
                    records.filter(completed_on__range=(start, end))
                    .values("employee_id")
                    .annotate(
                        sum_hours=Sum("hours"),
                        sum_digital=Sum("digital_hours"),
                        sum_job=Coalesce(Sum("hours", filter=Q(job_related=True)), ZERO),
                    )
                    .values_list("employee_id", "sum_hours", "sum_digital", "sum_job"),
                    context,
                )
            code = rule["code"]
            for employee_id, hours, digital, job in hour_sums[(start, end)]:
                values = people[employee_id].metrics.setdefault(code, {})
                values.update(hours=hours, digital_hours=digital, job_related_hours=job)
        if metrics & {"forum_posts", "forum_posts_per_head"}:
            counted = "posts" if rule.get("count") == "posts" else "posts_and_replies"
            if (start, end, counted) not in forum_sums:
                # A tally counts when its counting window lies inside the rule's window.
                forum_sums[(start, end, counted)] = _rows(
                    ForumTally.objects.filter(of_them, window_start__gte=start, window_end__lte=end)
                    .values("employee_id")
                    .annotate(total=Sum(forum_total(rule)), excluded=Sum("excluded"))
                    .values_list("employee_id", "total", "excluded"),
                    context,
                )
            code = rule["code"]
            for employee_id, total, excluded in forum_sums[(start, end, counted)]:
                person = people[employee_id]
                person.metrics.setdefault(code, {})["forum_posts"] = Decimal(total)
                person.forum_excluded[code] = excluded
        if kinds.UNIT_METRICS in kinds.kind_of(rule).facts:
            _unit_metrics(rule, plan, people, start, end, context, member_units)
    keys = {c[0] for b in context["bundles"] for c in b.courses} | {
        c[0] for cl in context["course_lists"].values() for c in cl
    }
    if keys:
        # Each window of first completions: (where it goes, its course keys, first day, last day).
        # What the pages show: first completion inside the plan period, never an earlier year's
        # (no rule reads it: a whole plan's `evaluate`, which explains nothing, skips it).
        windows = [(None, keys, period_start, as_of)] if context.get("explain", True) else []
        # What each course rule counts: first completion inside that rule's own window.
        course_rules = [r for r in kinds.needs(rules, kinds.COMPLETIONS) if not kinds.kind_of(r).promotion]
        course_rules += [r for r in kinds.needs(rules, kinds.LIST_METRICS) if r.get("list")]
        windows += [(rule["code"], keys, *_window(rule, as_of, period_start)) for rule in course_rules]
        # A promotion's seasons (四季悅讀): each designated course first completed within the season's dates.
        for rule in kinds.needs(rules, kinds.COMPLETIONS):
            for season in rule.get("seasons", []) if kinds.kind_of(rule).promotion else []:
                season_keys = {c[0] for c in context["course_lists"].get(season["list"], [])}
                if season_keys and season.get("starts_on") and season.get("ends_on"):
                    start = dt.date.fromisoformat(season["starts_on"])
                    end = min(dt.date.fromisoformat(season["ends_on"]), as_of)
                    windows.append((kinds.season_key(rule, season), season_keys, start, end))
        _first_completions(people, records, windows, leave_rows)
    for rule in kinds.needs(rules, kinds.LIST_METRICS):
        if rule.get("list"):
            _list_metrics(rule, people, context)
    if not any(
        kinds.needs(rules, fact) for fact in (kinds.CERTIFICATES, kinds.TEAMS, kinds.CONTEST, kinds.CASE_REPORTS)
    ):
        return people  # no rule reads results: no query for them
    certificates = Certificate.objects.filter(of_them, plan=plan, obtained_on__lte=as_of)
    reports = CaseReport.objects.filter(of_them, plan=plan, submitted_on__lte=as_of)
    if period_start:
        # A certificate or report from before the plan period belongs to an earlier year's rules.
        certificates = certificates.filter(obtained_on__gte=period_start)
        reports = reports.filter(submitted_on__gte=period_start)
    for employee_id, name, obtained in certificates.values_list("employee_id", "name", "obtained_on"):
        people[employee_id].certificates[name] = obtained
    for employee_id, team, rating, role in TeamMember.objects.filter(of_them, team__plan=plan).values_list(
        "employee_id", "team__name", "team__rating", "role"
    ):
        people[employee_id].teams.append((team, rating, role))
    for employee_id, title, review, placing in ContestEntry.objects.filter(
        of_employees(employees, "authors"), plan=plan
    ).values_list("authors", "title", "review", "placing"):
        people[employee_id].contest.append((title, review, placing, "作者"))
    for employee_id, title, review, placing in ContestEntry.objects.filter(
        of_employees(employees, "agency_head"), plan=plan
    ).values_list("agency_head", "title", "review", "placing"):
        people[employee_id].contest.append((title, review, placing, "機關首長"))
    for employee_id, title, submitted, accepted in reports.values_list(
        "employee_id", "title", "submitted_on", "accepted"
    ):
        people[employee_id].case_reports.append((title, submitted, accepted))
    return people


# Up to this many people (a person's own page, a page of staff), their completions' days are
# read in one query and each window's first completion found in Python; a whole plan's
# evaluation groups in SQL, one query per window.
FEW_PEOPLE = 100


def _first_completions(people: dict[int, PersonFacts], records, windows: list, known: LeaveRows | None = None) -> None:
    """Each person's first completion of each course inside each window.

    `windows`: [(code, course keys, first day or None, last day)]; code None fills
    `PersonFacts.completed`, any other `completed_in[code]` ({course key: date}). A window
    whose courses and days `known` covers is read from its rows; the rest in one query for a
    few people (FEW_PEOPLE), else one grouped query per window.
    """

    def put(code, employee_id, key, first):
        person = people[employee_id]
        (person.completed if code is None else person.completed_in.setdefault(code, {}))[key] = first

    if known is not None:
        covered = [w for w in windows if w[2] and known.start <= w[2] and w[3] <= known.end and w[1] <= known.keys]
        for code, keys, start, end in covered:
            # The rows come by employee and day: the first one of a course is its first completion.
            seen = set()
            for row in known.rows:
                employee_id, key, day = row[1], row[2], row[5]
                if start <= day <= end and key in keys and (employee_id, key) not in seen:
                    seen.add((employee_id, key))
                    put(code, employee_id, key, day)
        windows = [w for w in windows if w not in covered]
    if not windows:
        return
    if len(people) > FEW_PEOPLE:
        for code, keys, start, end in windows:
            found = records.filter(course_key__in=keys, completed_on__lte=end)
            found = found.filter(completed_on__gte=start) if start else found
            for employee_id, key, first in found.values_list("employee_id", "course_key").annotate(
                first=Min("completed_on")
            ):
                put(code, employee_id, key, first)
        return
    every_key = set().union(*(w[1] for w in windows))
    starts = [w[2] for w in windows]
    found = records.filter(course_key__in=every_key, completed_on__lte=max(w[3] for w in windows))
    found = found.filter(completed_on__gte=min(starts)) if all(starts) else found
    days = defaultdict(list)  # (employee id, course key) -> days completed, earliest first
    for employee_id, key, day in found.values_list("employee_id", "course_key", "completed_on").order_by().distinct():
        days[(employee_id, key)].append(day)
    for (employee_id, key), completed in days.items():
        completed.sort()
        for code, keys, start, end in windows:
            first = (
                next((d for d in completed if (not start or d >= start) and d <= end), None) if key in keys else None
            )
            if first is not None:
                put(code, employee_id, key, first)


def _list_metrics(rule: dict, people: dict[int, PersonFacts], context: dict) -> None:
    """Courses and hours (the list's hours) completed from the rule's course list inside its window.

    Hualien 106 陸、一、（四）: the buffet list's reward is tiered on what a person completed of
    the list by 106/09/30; the hours are the list's hours for each course, not the record's.
    """
    listed = {key: hours for key, _name, hours in context["course_lists"].get(rule["list"], [])}
    for person in people.values():
        done = [key for key in person.completed_in.get(rule["code"], {}) if key in listed]
        values = person.metrics.setdefault(rule["code"], {})
        values["list_courses"] = Decimal(len(done))
        values["list_hours"] = sum((Decimal(listed[key]) for key in done), ZERO)


def unit_averages(rule: dict, plan: Plan, start: dt.date, end: dt.date, units=None) -> dict[int, dict]:
    """Per unit: digital hours and posts per established-post civil servant (Taoyuan 陸、二；陸、四).

    Shape: {unit id: {"digital_hours_per_head": Decimal, "forum_posts_per_head": Decimal}},
    for the given unit ids (None: every unit the plan covers), three queries whatever their
    number. The numerator counts only the unit's members whom the plan covers (a teacher's
    hours add nothing), the denominator only its covered 編制內 staff; a unit without them has
    no average and is left out (DOMAIN.md Decision: never divided by 1).
    """
    members = covered_employees(plan).exclude(unit=None)
    if units is not None:
        members = members.filter(unit__in=units)
    totals = defaultdict(lambda: {"digital": ZERO, "posts": ZERO, "heads": 0})
    for unit_id, digital in (
        LearningRecord.objects.filter(employee__in=members.values("pk"), completed_on__range=(start, end))
        .values_list("employee__unit_id")
        .annotate(total=Sum("digital_hours"))
    ):
        totals[unit_id]["digital"] = digital or ZERO
    for unit_id, posts in (
        ForumTally.objects.filter(employee__in=members.values("pk"), window_start__gte=start, window_end__lte=end)
        .values_list("employee__unit_id")
        .annotate(total=Sum(forum_total(rule)))
    ):
        totals[unit_id]["posts"] = Decimal(posts or 0)
    for unit_id, heads in members.filter(employment_type="編制內").values_list("unit_id").annotate(n=Count("pk")):
        totals[unit_id]["heads"] = heads
    return {
        unit_id: {
            "digital_hours_per_head": (unit["digital"] / unit["heads"]).quantize(Decimal("0.01")),
            "forum_posts_per_head": (unit["posts"] / unit["heads"]).quantize(Decimal("0.01")),
        }
        for unit_id, unit in totals.items()
        if unit["heads"]
    }


def _unit_metrics(rule, plan, people, start, end, context, member_units):
    """Each person's unit averages (`unit_averages`).

    The whole covered unit is read even when one person is evaluated, so both paths see the
    same average. A streamed evaluation computes every unit's once, before its first chunk,
    and keeps them in `context["unit_averages"]` (rule code -> averages), so a chunk reads none.
    `member_units`: {employee id: unit id} of those with a unit (`gather` reads them with the roster).
    """
    known = context.get("unit_averages", {})
    averages = (
        known[rule["code"]]
        if rule["code"] in known
        else unit_averages(rule, plan, start, end, set(member_units.values()))
    )
    for employee_id, unit_id in member_units.items():
        if unit_id in averages:
            people[employee_id].unit_metrics[rule["code"]] = averages[unit_id]


def prepare_stream(plan: Plan, as_of: dt.date, context: dict) -> dict:
    """What every chunk of a streamed evaluation shares, computed once: the unit averages and
    the office calendar's exceptions in the leave rules' window.

    Returns `context` with "unit_averages" filled for each unit-average rule (a few
    queries per rule, whatever the number of employees) and the exceptions (one query).
    """
    context["unit_averages"] = {
        rule["code"]: unit_averages(rule, plan, *_window(rule, as_of, plan.starts_on))
        for rule in kinds.needs(plan.parameters.get("rules", []), kinds.UNIT_METRICS)
    }
    if _calendar_exceptions(plan, as_of, context) is not None:
        _own_office_hours(context)
    return context


def _own_office_hours(context: dict) -> dict:
    """`own_office_hours` of every agency, kept in `context` (one query for the chunks sharing
    it; the employee page puts its one person's agency there, `standing.standings_of`)."""
    if "own_office_hours" not in context:
        context["own_office_hours"] = own_office_hours()
    return context["own_office_hours"]


def _calendar_exceptions(plan: Plan, as_of: dt.date, context: dict):
    """The office calendar's exceptions in the leave rules' window (`calendar_exceptions`),
    kept in `context` so that the chunks sharing it read them once; None when no leave rule
    reads records."""
    scope = _leave_scope(plan, as_of, context)
    if scope is None or not scope[3]:
        return None
    window = ("calendar_exceptions", scope[1], scope[2])
    if window not in context:
        context[window] = calendar_exceptions(scope[1], scope[2])
    return context[window]


def leave_record_keys(leave_rules: list[dict], context: dict) -> tuple[set[str], set[str]]:
    """The course keys a leave rule can grant for: (every such key, those on a rule's list).

    Kaohsiung's bundles give leave only for bundle courses, Tainan's only for courses on its
    policy list (附件4); no other record can become a grant, so no other is read one by one.
    """
    listed = {
        c[0]
        for rule in leave_rules
        if kinds.kind_of(rule).grants_for == "list"
        for c in context["course_lists"].get(rule.get("list"), [])
    }
    bundled = (
        {c[0] for b in context["bundles"] for c in b.courses}
        if any(kinds.kind_of(rule).grants_for == "bundles" for rule in leave_rules)
        else set()
    )
    return listed | bundled, listed


def _leave_scope(plan: Plan, as_of: dt.date, context: dict):
    """(leave rules reading records, first day, last day, course keys, keys on a list), or
    None when no rule of the plan reads records one by one (no leave rule, no off-duty definition)."""
    leave_rules = kinds.needs(plan.parameters.get("rules", []), kinds.RECORDS)
    if not leave_rules or not plan.off_duty_definition:
        return None
    starts, ends = zip(*(_window(r, as_of, plan.starts_on) for r in leave_rules))
    # A rule without a window start reads from the earliest record; kept inside what an aware
    # datetime in Taipei can hold (date.min at +08:00 is before year 1 in UTC).
    start, end = max(min(starts), dt.date(1900, 1, 1)), min(max(ends), dt.date(9999, 12, 30))
    keys, listed = leave_record_keys(leave_rules, context)
    return leave_rules, start, end, keys, listed


def read_leave_rows(plan: Plan, employees, as_of: dt.date, context: dict) -> LeaveRows | None:
    """The one query of `leave_records` that reads records one by one, run on its own so that
    `gather` can take first completions from the same rows. None when the plan reads none.

    The office calendar and the agency's office hours are decided in SQL (courses.queries).
    """
    scope = _leave_scope(plan, as_of, context)
    if scope is None or not scope[3]:
        return None
    _rules, start, end, keys, _listed = scope
    exceptions = _calendar_exceptions(plan, as_of, context)
    records = with_off_duty_inputs(
        LearningRecord.objects.filter(of_employees(employees), completed_on__range=(start, end)).filter(
            course_key__in=keys
        ),
        exceptions,
        _own_office_hours(context),
    ).order_by("employee_id", "completed_on", "pk")
    rows = _rows(
        records.values_list(
            "pk",
            "employee_id",
            "course_key",
            "hours",
            "digital_hours",
            "completed_on",
            "completed_at",
            "day_off",
            "in_office_hours",
        ),
        context,
    )
    return LeaveRows(frozenset(keys), start, end, rows)


def leave_records(
    plan: Plan, employees, as_of: dt.date, context: dict, read: LeaveRows | None = None
) -> dict[int, list[RecordFact]]:
    """Each record in a leave rule's window that the rule can grant for, with whether it was off duty.

    Shape: {employee id: [RecordFact, …]} in record order. Only the courses a leave rule can
    grant for are read (`leave_record_keys`); a rule with thresholds on the whole window
    (Tainan's 5 digital and 40 total hours) gets one summary fact per person holding the sum
    of the other records (`RecordFact.summary_of`). The office calendar and office hours are
    decided in SQL (courses.queries); only records on a day the person has an attendance
    period go through the pure rule with those periods. `read`: the rows `read_leave_rows`
    already gave for these employees, else read here. A fixed number of queries, whatever
    the number of employees or records (DOMAIN.md: off duty, the plan's definition).
    """
    scope = _leave_scope(plan, as_of, context)
    if scope is None:
        return {}
    leave_rules, start, end, keys, listed = scope
    of_them = of_employees(employees)
    result: dict[int, list[RecordFact]] = defaultdict(list)
    for rule in leave_rules:
        if kinds.kind_of(rule).totals:
            # The records read one by one below (every rule's courses, over every rule's window)
            # are left out of the sum, so none is counted twice.
            r_start, r_end = _window(rule, as_of, plan.starts_on)
            for employee_id, hours, digital in (
                LearningRecord.objects.filter(of_them, completed_on__range=(r_start, r_end))
                .exclude(course_key__in=keys)
                .values("employee_id")
                .annotate(h=Sum("hours"), d=Sum("digital_hours"))
                .values_list("employee_id", "h", "d")
            ):
                result[employee_id].append(
                    RecordFact(0, "", "", hours, digital, r_start, False, False, summary_of=rule["code"])
                )
    if not keys:
        return dict(result)
    tz = dt.timezone(dt.timedelta(hours=8))
    absences: dict[int, list[Absence]] = defaultdict(list)
    for employee_id, kind, starts_at, ends_at in _rows(
        AttendancePeriod.objects.filter(
            of_them,
            ends_at__gte=dt.datetime.combine(start, dt.time.min, tz),
            starts_at__lte=dt.datetime.combine(end, dt.time.max, tz),
        )
        .order_by()  # each record looks at all of its day's periods: no order needed
        .values_list("employee_id", "kind", "starts_at", "ends_at"),
        context,
    ):
        absences[employee_id].append(
            Absence(kind, starts_at.astimezone(tz).replace(tzinfo=None), ends_at.astimezone(tz).replace(tzinfo=None))
        )
    if read is None:
        read = read_leave_rows(plan, employees, as_of, context)
    # The office hours of those with an attendance period: the default's, unless some agency
    # keeps its own; then the agencies of those people are read, by key.
    own_hours = _own_office_hours(context)
    hours_of = (
        {
            pk: own_hours.get(agency_id, _OFFICE_HOURS)
            for pk, agency_id in Employee.objects.filter(pk__in=list(absences)).values_list("pk", "agency_id")
        }
        if absences and own_hours
        else {}
    )
    definition = plan.off_duty_definition
    # Without an attendance period that day, the answer depends on the database's two booleans
    # and whether the record has a time: the pure rule's answer for each of the eight cases,
    # asked once, not once a record.
    plain = (
        {
            (day_off, in_office, timed): is_off_duty_given(
                dt.datetime(2000, 1, 1, 12) if timed else dt.date(2000, 1, 1),
                day_off=day_off,
                in_office_hours=in_office,
                definition=definition,
            )
            for day_off in (False, True)
            for in_office in (False, True)
            for timed in (False, True)
        }
        if read.rows
        else {}
    )
    # A course's name as the plan's bundle or list spells it (the record's own spelling is
    # one of the variants the key makes equal): the record's row is then read from the
    # index alone (courses.LearningRecord's record_person_year).
    names = {c[0]: c[1] for b in context["bundles"] for c in b.courses}
    names.update((c[0], c[1]) for cl in context["course_lists"].values() for c in cl)
    name_of = names.get
    # Each person's attendance periods by the days they touch in the window, so that a
    # record finds its day's periods by one look-up.
    days_of: dict[int, dict[dt.date, list[Absence]]] = {}
    for employee_id, periods in absences.items():
        by_day = days_of[employee_id] = defaultdict(list)
        for absence in periods:
            for day in absence.days(start, end):
                by_day[day].append(absence)
    # The rows come by employee: each person's list is found once, not once a record. The
    # database's booleans (0 and 1 on SQLite) are the keys of `plain` as they come.
    for employee_id, rows in groupby(read.rows, key=itemgetter(1)):
        own = days_of.get(employee_id)
        add = result[employee_id].append
        for pk, _employee, key, hours, digital, completed_on, completed_at, day_off, in_office in rows:
            today = own.get(completed_on) if own else None
            if today:
                moment = dt.datetime.combine(completed_on, completed_at) if completed_at else completed_on
                off = is_off_duty_given(
                    moment,
                    day_off=bool(day_off),
                    in_office_hours=bool(in_office),
                    definition=definition,
                    office_hours=hours_of.get(employee_id, _OFFICE_HOURS),
                    absences=today,
                )
            else:
                off = plain[(day_off, in_office, completed_at is not None)]
            add(RecordFact(pk, key, name_of(key, key), hours, digital, completed_on, off, key in listed))
    return dict(result)
