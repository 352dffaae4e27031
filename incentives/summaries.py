"""Short figures for the coordinators' staff list: learning hours per person, how much is
still missing in one line (「尚缺 15 門／25 小時」), and the order of names.

Everything here is set-based: one call answers for the whole list in a fixed number of queries.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from courses.models import LearningRecord
from programs.models import Plan

from .evaluation import Evaluation
from .facts import bundles_of

ZERO = Decimal(0)
# PostgreSQL's ICU collation for Taiwan: Traditional Chinese in stroke order (CLDR's default for zh-Hant).
STROKE_COLLATION = "zh-Hant-TW-x-icu"
_collation_available: dict[str, bool] = {}


@dataclass
class Hours:
    """A person's certified learning hours inside the plan's period."""

    total: Decimal = ZERO
    digital: Decimal = ZERO
    job_related: Decimal = ZERO


@dataclass
class Shortfall:
    """What a person still lacks for the plan's next award: a count of courses and of hours where the
    rules are counted that way, and the full sentences behind them."""

    courses: int = 0
    hours: Decimal = ZERO
    details: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One short line, such as 「尚缺 15 門／25 小時」; empty when nothing is missing."""
        if not self.details:
            return ""
        parts = []
        if self.courses:
            parts.append(_("%(n)d 門") % {"n": self.courses})
        if self.hours:
            parts.append(_("%(h)s 小時") % {"h": _number(self.hours)})
        if not parts:
            parts.append(_("%(n)d 項") % {"n": len(self.details)})
        return _("尚缺 %(parts)s") % {"parts": "／".join(parts)}


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}" if value % 1 else str(int(value))


def hours_in_period(plan: Plan, employee_ids: list[int]) -> dict[int, Hours]:
    """Per person, the certified, digital and job-related hours completed in the plan's period (one query)."""
    records = LearningRecord.objects.filter(employee_id__in=employee_ids)
    if plan.starts_on:
        records = records.filter(completed_on__gte=plan.starts_on)
    if plan.ends_on:
        records = records.filter(completed_on__lte=plan.ends_on)
    rows = records.values("employee_id").annotate(
        total=Sum("hours"), digital=Sum("digital_hours"), job=Coalesce(Sum("hours", filter=Q(job_related=True)), ZERO)
    )
    return {row["employee_id"]: Hours(row["total"] or ZERO, row["digital"] or ZERO, row["job"] or ZERO) for row in rows}


def _next_hours(rule: dict, values: dict) -> Decimal:
    """The hours still missing for the lowest tier of an hours rule not met yet (0 when every tier is met)."""
    for tier in rule.get("tiers", []):
        paths = [p.get("all_of", [p]) for p in tier["any_of"]] if "any_of" in tier else [tier.get("all_of", [])]
        gaps = []
        for path in paths:
            needs = [
                Decimal(str(c["min"])) - Decimal(values.get(c["metric"], 0) or 0)
                for c in path
                if c.get("metric") in ("hours", "digital_hours", "job_related_hours") and "min" in c
            ]
            if needs:
                gaps.append(max(max(needs), ZERO))
        if gaps and min(gaps) > 0:
            return min(gaps)
    return ZERO


def shortfalls(plan: Plan, results: list[Evaluation]) -> dict[int, Shortfall]:
    """Per person of the list, what is still missing: the unmet progress sentences, the courses of the
    person's own main bundle and of the nearest side bundle not finished yet, and the hours of hour
    thresholds not met yet (one query for the bundles, whatever the list's length)."""
    bundles = bundles_of(plan)
    rules = plan.parameters.get("rules", [])
    hour_rules = [r for r in rules if r.get("kind") == "threshold_tiers"]
    bundle_rules = [r for r in rules if r.get("kind") == "bundle_completion"]
    answer = {}
    for result in results:
        short = Shortfall(details=[p.text for p in result.progress if not p.met])
        facts = result.facts
        if facts is not None and short.details:
            completed = facts.completed
            mains = [b for b in bundles if b.kind == "main" and b.rank == facts.rank]
            # The sides of the tiers above what the person has earned: the next award, not any side.
            earned = {a.rule: a.count for a in result.awards}
            wanted = {
                t.get("side")
                for r in bundle_rules
                for t in r.get("tiers", [])
                if t.get("count", 0) > earned.get(r.get("code"), 0)
            }
            sides = [b for b in bundles if b.kind != "main" and (not bundle_rules or b.slug in wanted)]
            missing = [c for b in mains for c in b.courses if c[0] not in completed]
            open_sides = [[c for c in b.courses if c[0] not in completed] for b in sides]
            open_sides = [courses for courses in open_sides if courses]
            if open_sides and (mains or sides):
                missing += min(open_sides, key=lambda courses: (len(courses), sum(c[2] for c in courses)))
            short.courses = len(missing)
            short.hours = sum((c[2] for c in missing), ZERO)
            if not missing:
                gaps = [_next_hours(rule, facts.metrics.get(rule.get("code"), {})) for rule in hour_rules]
                short.hours = min((g for g in gaps if g > 0), default=ZERO)
        answer[result.employee_id] = short
    return answer


def stroke_collation() -> str | None:
    """The database's collation for Chinese stroke order, or None where there is none (SQLite, or a
    PostgreSQL built without ICU). Asked once per process and database."""
    if connection.vendor != "postgresql":
        return None
    alias = connection.alias
    if alias not in _collation_available:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_collation WHERE collname = %s", [STROKE_COLLATION])
            _collation_available[alias] = cursor.fetchone() is not None
    return STROKE_COLLATION if _collation_available[alias] else None
