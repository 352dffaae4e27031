"""What a coordinator sees before nominating: each listed person's eligibility for a session, with the
reason, and the places left. Reads only; `services.nominate` decides again under its lock."""

from dataclasses import dataclass

from django.db.models import Count

from . import eligibility
from .models import Session
from .services import ACTIVE, candidates, class_names


@dataclass(frozen=True)
class Standing:
    """One person against one session: may they be nominated, and if not, why."""

    eligible: bool
    reason: str = ""
    priority: str = ""


@dataclass(frozen=True)
class Places:
    """Places left in a session: overall (None without a capacity) and per agency with a quota."""

    capacity: int | None
    taken: int
    agencies: list[tuple[str, int, int]]  # (agency name, quota, left)

    @property
    def left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.taken, 0)


def standings(session: Session, employees: list) -> dict[int, Standing]:
    """Per listed employee, whether the session's conditions admit them (set-based: a fixed number of
    queries for the whole list, as `services.nominate` checks them)."""
    training_class = session.training_class
    ids = [e.pk for e in employees]
    facts = candidates(ids, training_class.activity.plan.issuer_id)
    names = class_names(training_class)
    taken = set(session.nominations.filter(employee_id__in=ids).values_list("employee_id", flat=True))
    answer = {}
    for employee_id in ids:
        reasons = ["已推薦過本期"] if employee_id in taken else []
        reasons += eligibility.refusal_reasons(training_class.conditions, facts[employee_id], names)
        label = eligibility.priority(training_class.priority_groups, facts[employee_id])[1] if not reasons else ""
        answer[employee_id] = Standing(not reasons, "；".join(reasons), label)
    return answer


def places(session: Session, agencies) -> Places:
    """The session's places left, and for each of the given agencies with a quota, that quota's places left."""
    active = session.nominations.filter(status__in=ACTIVE)
    per_agency = dict(active.values_list("employee__agency_id").annotate(n=Count("pk")))
    quotas = [
        (
            a.name,
            int(session.agency_quotas[str(a.pk)]),
            max(int(session.agency_quotas[str(a.pk)]) - per_agency.get(a.pk, 0), 0),
        )
        for a in agencies
        if str(a.pk) in session.agency_quotas
    ]
    return Places(session.capacity, sum(per_agency.values()), quotas)
