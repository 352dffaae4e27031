"""Reading the compensatory-leave ledger: each grant's figures as of a date, set-based.

A balance is a sum of entries, never a field (STYLE.md, "Money-like things are ledgers").
What has lapsed is derived from the dates, so the figures are right on any date whether or
not the nightly lapse job has run (CONTRACTS.md, `leave_ledger`).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, Sum

from .models import Application, Entry, GrantReview, RecordUse
from .rules import GrantFigures, HeldGrant, grant_figures

ZERO = Decimal(0)


def with_charges(grants):
    """Grants annotated with the hours used (net of uses given back) and withdrawn by HR."""
    reversal_of_grant = Q(charges__kind=Entry.Kind.REVERSAL, charges__reverses_id=F("pk"))
    use_or_give_back = Q(charges__kind=Entry.Kind.USE) | (
        Q(charges__kind=Entry.Kind.REVERSAL) & ~Q(charges__reverses_id=F("pk"))
    )
    return grants.annotate(
        used_sum=Sum("charges__hours", filter=use_or_give_back, default=ZERO),
        withdrawn_sum=Sum("charges__hours", filter=reversal_of_grant, default=ZERO),
        under_review=Exists(GrantReview.objects.filter(grant=OuterRef("pk"), status=GrantReview.Status.OPEN)),
    )


@dataclass
class GrantLine:
    """One grant as of a date: the entry, its figures in hours, its courses, whether HR must look again."""

    entry: Entry
    figures: GrantFigures
    under_review: bool
    courses: list[str] = field(default_factory=list)

    @property
    def usable_from(self) -> dt.date | None:
        """Hours are usable from the day after the course was completed (DOMAIN.md Decision)."""
        return self.entry.earned_on + dt.timedelta(days=1) if self.entry.earned_on else None


def grant_lines(as_of: dt.date, plan=None, employees=None) -> list[GrantLine]:
    """Every grant earned on or before `as_of` (of a plan, of some employees), in four queries.

    Sorted by national ID, plan slug, then the day the hours lapse.
    """
    grants = Entry.objects.filter(kind=Entry.Kind.GRANT, earned_on__lte=as_of)
    if plan is not None:
        grants = grants.filter(plan=plan)
    if employees is not None:
        grants = grants.filter(employee__in=employees)
    # The courses in a query of their own, always run: the same number of queries for 0 grants or many.
    courses: dict[int, list[str]] = {}
    for grant_id, name in (
        RecordUse.objects.filter(grant__in=grants)
        .order_by("grant_id", "record__completed_on", "record_id")
        .values_list("grant_id", "record__course_name")
    ):
        courses.setdefault(grant_id, []).append(name)
    grants = (
        with_charges(grants)
        .select_related("employee", "plan")
        .order_by("employee__national_id", "plan__slug", "usable_until", "earned_on", "pk")
    )
    return [
        GrantLine(
            grant,
            grant_figures(grant.hours, -grant.withdrawn_sum, -grant.used_sum, grant.usable_until, as_of),
            grant.under_review,
            courses.get(grant.pk, []),
        )
        for grant in grants
    ]


def _hours(value: Decimal) -> float:
    return float(round(value, 2))


def ledger_json(as_of: dt.date, plan=None) -> dict:
    """The `leave_ledger --json` document of CONTRACTS.md: people sorted by national ID, then plan."""
    people: list[dict] = []
    for line in grant_lines(as_of, plan):
        entry = line.entry
        if not people or (people[-1]["national_id"], people[-1]["plan"]) != (
            entry.employee.national_id,
            entry.plan.slug,
        ):
            people.append(
                {
                    "national_id": entry.employee.national_id,
                    "plan": entry.plan.slug,
                    "granted": ZERO,
                    "used": ZERO,
                    "lapsed": ZERO,
                    "balance": ZERO,
                    "grants": [],
                }
            )
        person, figures = people[-1], line.figures
        person["granted"] += figures.hours
        person["used"] += figures.used
        person["lapsed"] += figures.lapsed
        person["balance"] += figures.remaining
        person["grants"].append(
            {
                "hours": _hours(figures.hours),
                "usable_from": line.usable_from.isoformat() if line.usable_from else None,
                "usable_until": entry.usable_until.isoformat() if entry.usable_until else None,
                "used": _hours(figures.used),
                "lapsed": _hours(figures.lapsed),
                "remaining": _hours(figures.remaining),
                "under_review": line.under_review,
                "courses": line.courses,
            }
        )
    for person in people:
        for key in ("granted", "used", "lapsed", "balance"):
            person[key] = _hours(person[key])
    return {"as_of": as_of.isoformat(), "people": people}


def held_grants(plan) -> dict[tuple[int, str], list[HeldGrant]]:
    """What the ledger holds under each (employee, rule) of a plan, for the grant run."""
    reviewed, withdrawn_by_hr = set(), set()
    for grant_id, status in GrantReview.objects.filter(grant__plan=plan).values_list("grant_id", "status"):
        reviewed.add(grant_id)
        if status == GrantReview.Status.WITHDRAWN:
            withdrawn_by_hr.add(grant_id)
    records: dict[int, set[int]] = {}
    for grant_id, record_id in RecordUse.objects.filter(grant__plan=plan).values_list("grant_id", "record_id"):
        records.setdefault(grant_id, set()).add(record_id)
    held: dict[tuple[int, str], list[HeldGrant]] = {}
    grants = with_charges(Entry.objects.filter(kind=Entry.Kind.GRANT, plan=plan))
    for pk, employee_id, rule, key, hours, withdrawn in grants.values_list(
        "pk", "employee_id", "rule_code", "grant_key", "hours", "withdrawn_sum"
    ):
        held.setdefault((employee_id, rule), []).append(
            HeldGrant(
                pk,
                key,
                hours + withdrawn,
                frozenset(records.get(pk, ())),
                live=pk not in withdrawn_by_hr,
                reviewable=pk not in reviewed,
            )
        )
    return held


def applications_visible_to(user):
    """Leave applications `user` may see: an HR officer those of the staff they serve; others
    their own and their units' (a unit head's). The scope of `Application` in portal.access."""
    from portal.access import is_hr
    from portal.models import Employee

    if is_hr(user):
        return Application.objects.filter(employee__in=Employee.objects.visible_to(user))
    supervised = Application.objects.filter(employee__unit__in=user.headed_units.all())
    own = Application.objects.filter(employee_id=user.employee_id) if user.employee_id else Application.objects.none()
    return own | supervised


def grant_reviews_visible_to(user):
    """Grant reviews of the people `user` serves (HR's desk). The scope of `GrantReview`."""
    from portal.models import Employee

    return GrantReview.objects.filter(grant__employee__in=Employee.objects.visible_to(user))
