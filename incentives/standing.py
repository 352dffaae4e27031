"""One employee's own page: learning this year, every rule of every plan that covers them,
bundles course by course, leave and decisions — in a fixed number of queries.

The number of queries grows with the number of plans (a handful), never with the number
of records, decisions, grants or applications. The rules themselves run through the same
`evaluate` as the set-based path, for this one person.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from courses.models import LearningRecord
from courses.offduty import OfficeHours
from portal import clock, rocdate
from portal.models import Employee
from programs.models import Plan

from . import kinds
from .evaluation import Evaluation, check_plan_rules, contexts_with_calendar, evaluate
from .evaluation import warnings as plan_warnings
from .models import Decision
from .rules import Award, Progress, number

ZERO = Decimal(0)

# Sections an app above this one adds to a person's own page: name -> provider(employee).
# `leave` registers its summary (leave.apps.LeaveConfig.ready), so this module never imports it.
PERSON_SECTIONS: dict = {}


def register_person_section(name: str, provider) -> None:
    """Add a section to the person's page; `provider(employee)` returns what the template reads."""
    PERSON_SECTIONS[name] = provider


def yearly_minimum(year: int) -> dict:
    """National minimum learning hours, a per-year setting (DOMAIN.md, "Targets")."""
    table = getattr(settings, "YEARLY_MINIMUM_HOURS", {})
    applicable = [y for y in table if y <= year]
    return table[max(applicable)] if applicable else {"total": 20, "set_topics": 10}


@dataclass
class Month:
    month: int
    hours: Decimal = ZERO
    digital: Decimal = ZERO
    job: Decimal = ZERO


@dataclass
class RuleStanding:
    """One reward or leave rule of a plan, as one person stands against it."""

    code: str
    label: str
    clause: str
    leave: bool = False
    have: str = ""
    awards: list[Award] = field(default_factory=list)
    next_steps: list[Progress] = field(default_factory=list)
    ratio: float = 0.0
    met: bool = False
    deadline: dt.date | None = None
    grants: list = field(default_factory=list)
    bar: bool = True  # a promotion (a lottery) has chances, not progress

    @property
    def percent(self) -> int:
        return round(self.ratio * 100)

    @property
    def badge(self) -> str:
        if not self.met:
            return ""
        if self.leave:
            return _("已達上限")
        return _("已全部完成") if self.code and not self.awards and not self.next_steps else _("已達最高獎勵")

    @property
    def shown_deadline(self) -> dt.date | None:
        """The deadline, unless the next step already says it ("…，截止 103/08/31")."""
        return None if self.met or any("截止" in s.text for s in self.next_steps) else self.deadline


@dataclass
class BundleCourse:
    name: str
    hours: Decimal
    done_on: dt.date | None
    off_duty: bool
    hours_text: str = ""  # "2 小時", worded once per page (`bundle_standings`)
    when_text: str = ""  # "103/01/13 完成（公餘）" or "尚未完成"


@dataclass
class BundleStanding:
    name: str
    kind: str
    courses: list[BundleCourse]

    @property
    def done(self) -> int:
        return sum(1 for c in self.courses if c.done_on)

    @property
    def hours(self) -> Decimal:
        return sum((c.hours for c in self.courses), ZERO)

    @property
    def percent(self) -> int:
        return round(100 * self.done / len(self.courses)) if self.courses else 0


@dataclass
class PlanStanding:
    plan: Plan
    rules: list[RuleStanding]
    bundles: list[BundleStanding]
    warnings: list[str] = field(default_factory=list)  # what makes these figures less certain

    @property
    def awards(self) -> list[Award]:
        return [a for r in self.rules for a in r.awards]


@dataclass
class MyStanding:
    employee: Employee
    year: int
    years: list[int]
    totals: dict
    months: list[Month]
    categories: list[tuple[str, Decimal]]
    minimum: dict
    plans: list[PlanStanding]
    sections: dict
    decisions: list[Decision]
    wins: list = field(default_factory=list)  # seasonal draws the person won (incentives.models.Draw)
    plan_years: list[int] = field(default_factory=list)  # the years of every plan covering the person

    @property
    def leave(self):
        """The leave section (`leave.queries.LeaveSummary`), when the leave app provides one."""
        return self.sections.get("leave")

    @property
    def share(self) -> int:
        """How far this year's hours are towards the yearly minimum, in per cent (at most 100)."""
        total = self.minimum["total"]
        return min(int(self.totals["total"] / total * 100), 100) if total else 100

    @property
    def plans_without_rules(self) -> list[PlanStanding]:
        return [p for p in self.plans if not p.rules]

    @property
    def missing_hours(self) -> Decimal:
        return max(Decimal(self.minimum["total"]) - self.totals["total"], ZERO)


def my_standing(employee: Employee, year: int | None = None) -> MyStanding:
    """The person's page for a year (default: the latest year they learned in, else this year, so
    the page never opens on an empty year): only the plans that cover them,
    of that year (issue 20). Their learning by year, month and category is one grouped query;
    the page's queries do not grow with the number of plans in the database or of records."""
    covering = covering_plans(employee)
    per = defaultdict(lambda: [ZERO, ZERO, ZERO])  # (year, month, category) -> hours, digital, job
    for y, month, category, hours, digital, job in (
        LearningRecord.objects.filter(employee=employee)
        .annotate(y=ExtractYear("completed_on"), month=ExtractMonth("completed_on"))
        .values_list("y", "month", "category")
        .annotate(h=Sum("hours"), d=Sum("digital_hours"), j=Sum("hours", filter=Q(job_related=True)))
        .order_by()
    ):
        cell = per[(y, month, category)]
        cell[0] += hours or ZERO
        cell[1] += digital or ZERO
        cell[2] += job or ZERO
    learned = {key[0] for key in per}
    year = year or (max(learned) if learned else clock.today().year)
    months = {m: Month(m) for m in range(1, 13)}
    by_category: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for (y, month, category), (hours, digital, job) in per.items():
        if y != year:
            continue
        row = months[month]
        months[month] = Month(month, row.hours + hours, row.digital + digital, row.job + job)
        if category:
            by_category[category] += hours
    totals = {
        "total": sum((m.hours for m in months.values()), ZERO),
        "digital": sum((m.digital for m in months.values()), ZERO),
        "job": sum((m.job for m in months.values()), ZERO),
    }
    categories = sorted(by_category.items(), key=lambda item: (-item[1], item[0]))
    years = sorted(learned | {year}, reverse=True)
    return MyStanding(
        employee=employee,
        year=year,
        years=years,
        totals=totals,
        months=list(months.values()),
        categories=categories,
        minimum=yearly_minimum(year),
        plans=plans_for(employee, plans_of_year(covering, year)),
        plan_years=sorted({p.roc_year + 1911 for p in covering if p.roc_year}),
        sections={name: provider(employee) for name, provider in PERSON_SECTIONS.items()},
        decisions=list(
            Decision.objects.filter(employee=employee)
            .defer("facts")  # the facts behind each decision are HR's to read, not this page's
            .select_related("plan")
            .order_by("-updated_at", "-pk")
        ),
        wins=draws_won(employee),
    )


def draws_won(employee: Employee) -> list:
    """The seasonal draws this person won, newest first (a handful of draws a year, read at once)."""
    from .models import Draw

    # A draw's chance list and winners' lines can hold a whole plan's staff: never read here.
    drawn = (
        Draw.objects.filter(status=Draw.Status.DRAWN)
        .defer("chances", "winners")
        .select_related("plan")
        .order_by("-drawn_at")
    )
    return [draw for draw in drawn if employee.pk in draw.winner_ids]


def covering_plans(employee: Employee) -> list[Plan]:
    """The plans that cover the person, every year, newest first: one query, whatever the
    number of plans in the database.

    Coverage as `facts.covered_employees` decides it (the issuer and the agencies whose
    government it is, or everyone for a central plan; minus the excluded agencies and their
    children; only the plan's employment types; staff who have not left), read here for one
    person from the candidate plans of their agency, their government and the central ones.
    """
    if not employee.active:
        return []
    agency = employee.agency
    issuers = {agency.pk, agency.government_id} - {None}
    candidates = (
        Plan.objects.filter(Q(issuer_id__in=issuers) | Q(parameters__coverage_scope="all"))
        .exclude(excluded_agencies__in={agency.pk, agency.parent_id} - {None})
        .select_related("issuer")
        .order_by("-roc_year", "slug")
    )
    found = []
    for plan in candidates:
        if plan.parameters.get("coverage_scope") != "all" and plan.issuer_id not in issuers:
            continue
        if plan.employment_types and employee.employment_type not in plan.employment_types:
            continue
        found.append(plan)
    return found


def plans_of_year(plans: list[Plan], year: int) -> list[Plan]:
    """The plans a year's page shows: that year's (and any plan without a year); when the
    person has no plan of that year, the latest year's before it (else the earliest after),
    so the page evaluates a year's plans, never every plan in the database (issue 20)."""

    def of(y):
        return [p for p in plans if not p.roc_year or p.roc_year + 1911 == y]

    years = sorted({p.roc_year + 1911 for p in plans if p.roc_year})
    if not years or year in years:
        return of(year) if years else plans
    before = [y for y in years if y < year]
    return of(before[-1] if before else years[0])


def plans_for(employee: Employee, plans: list[Plan] | None = None) -> list[PlanStanding]:
    """How the person stands under each of `plans` (default: every plan that covers them).

    `plans` must cover the person (`covering_plans` decides it, so the facts are read for
    this one employee without the coverage's subqueries). The plans' bundles and course lists,
    with the years the office calendar holds, are one query for all of them; the person is
    the one in hand (its agency and unit read with it, as the view does), never read again;
    each plan's rules are checked once.
    """
    plans = covering_plans(employee) if plans is None else plans
    contexts = contexts_with_calendar(plans) if plans else {}
    one = Employee.objects.filter(pk=employee.pk)
    roster = [
        (
            employee.pk,
            employee.national_id,
            employee.name,
            employee.agency.name,
            employee.unit.name if employee.unit_id else None,
            employee.rank,
            employee.unit_role,
            employee.unit_id,
        )
    ]
    # The one agency whose office hours the person's records are judged by, in hand: no query.
    hours = OfficeHours.of(employee.agency)
    own_hours = {employee.agency_id: hours} if hours != OfficeHours() else {}
    standings = []
    for plan in plans:
        context = {**contexts[plan.pk], "own_office_hours": own_hours}
        try:
            rules = check_plan_rules(plan, context=context)
            found = evaluate(plan, employees=one, context=context, rules=rules, roster=roster)
        except kinds.RuleParameterError as error:
            # A plan whose rules HR must correct: said on the page, never a crash.
            standings.append(PlanStanding(plan, [], [], error.messages))
            continue
        if not found:
            continue
        standings.append(
            PlanStanding(
                plan,
                rule_standings(plan, found[0], context, context["list_names"]),
                bundle_standings(found[0], context),
                plan_warnings(plan, context=context, rules=rules),
            )
        )
    return standings


def _date(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def rule_label(rule: dict, list_names: dict) -> str:
    """The rule's name as a person reads it (its kind's label, `incentives.kinds`)."""
    kind = kinds.kind_of(rule)
    return kind.label(rule, list_names) if kind else rule.get("code", "")


def _have(rule: dict, result: Evaluation, context: dict) -> str:
    """What the person has towards the rule, in a few words (its kind's `have`)."""
    kind = kinds.kind_of(rule)
    if result.facts is None or kind is None or kind.have is None:
        return ""
    return kind.have(rule, result.facts, result.records, context)


def rule_standings(plan: Plan, result: Evaluation, context: dict, list_names: dict) -> list[RuleStanding]:
    rows = []
    for rule in plan.parameters.get("rules", []):
        code, kind = rule.get("code", ""), rule.get("kind", "")
        row = RuleStanding(
            code,
            rule_label(rule, list_names),
            rule.get("clause", ""),
            leave=kind in kinds.LEAVE_KINDS,
            have=_have(rule, result, context),
        )
        if kinds.KINDS[kind].promotion:
            row.bar = False
        elif row.leave:
            row.grants = [g for g in result.grants if g.rule == code]
            cap = Decimal(str(rule.get("cap_hours_per_year") or rule.get("cap_hours") or 0))
            earned = sum((g.hours for g in row.grants), ZERO)
            row.have = _("已取得補休 %(h)s 小時（上限 %(cap)s 小時）") % {"h": number(earned), "cap": number(cap)}
            row.ratio = float(min(earned / cap, 1)) if cap else 0.0
            row.met = bool(cap) and earned >= cap
            window = rule.get("year_window") or rule.get("window") or {}
            row.deadline = _date(window.get("end"))
            if not row.met:
                row.next_steps = [
                    Progress(code, note, row.ratio, False) for note in result.leave_progress if note and not row.grants
                ]
        else:
            row.awards = [a for a in result.awards if a.rule == code]
            progress = [p for p in result.progress if p.rule == code]
            row.next_steps = [p for p in progress if not p.met]
            row.met = bool(progress) and all(p.met for p in progress) or (not progress and bool(row.awards))
            ratios = [p.ratio for p in row.next_steps]
            row.ratio = 1.0 if row.met else (max(ratios) if ratios else 0.0)
            deadlines = [p.deadline for p in progress if p.deadline]
            row.deadline = _date(
                rule.get("filing_deadline") or rule.get("deadline") or (deadlines[0] if deadlines else "")
            )
        if kind == "threshold_tiers" and rule.get("list") and not rule.get("tiers"):
            # A list whose rewards the plan sets elsewhere (Hualien's buffet): progress is the share of courses done.
            courses = context["course_lists"].get(rule.get("list"), [])
            completed = result.facts.completed_in.get(code, {}) if result.facts else {}
            done = sum(1 for c in courses if c[0] in completed)
            row.ratio = done / len(courses) if courses else 0.0
            row.met = bool(courses) and done == len(courses)
        rows.append(row)
    return rows


def bundle_standings(result: Evaluation, context: dict) -> list[BundleStanding]:
    """The person's main (by rank) and every side bundle, course by course."""
    bundles = context["bundles"]
    if not bundles or result.facts is None:
        return []
    off_duty = {r.course_key for r in result.records if r.off_duty}
    shown = [b for b in bundles if b.kind != "main" or b.rank == result.facts.rank]
    # The row's words are translated once for the page, never once per course (issue 20).
    hours_text, done_text, off_text, todo_text = _("%(h)s 小時"), _("%(d)s 完成"), _("（公餘）"), _("尚未完成")

    def course(key, name, hours):
        done_on = result.facts.completed.get(key)
        off = key in off_duty
        when = done_text % {"d": rocdate.to_roc_short(done_on)} + (off_text if off else "") if done_on else todo_text
        return BundleCourse(name, hours, done_on, off, hours_text % {"h": floatformat(hours, "-2")}, when)

    return [BundleStanding(b.name, b.kind, [course(*c) for c in b.courses]) for b in shown]
