"""State machines declared once: which transitions a model's status allows, who makes them,
what they write, and how a transition that lost a race is told.

Each machine is one `Machine` next to its model (leave.models.APPLICATION_MACHINE and
GRANT_REVIEW_MACHINE, incentives.models.DECISION_MACHINE, programs.models.NOMINATION_MACHINE
and PROPOSAL_MACHINE). A service takes a transition in three steps, all inside one
transaction:

1. `machine.lock(obj)` re-reads the row under a row lock (`SELECT … FOR NO KEY UPDATE`);
2. `machine.check(row, name)` refuses with `LostRace` (a ValidationError) when the state read
   after locking does not allow the transition — the message says what happened meanwhile,
   who and when (from the row's own fields, else from its latest audit entry), never a
   national ID: 「此補休申請已於 101/09/02 14:02 由 王小明 取消，無法核章。」;
3. `machine.move(row, name, user, **changes)` writes the new state, the actor and time
   fields the transition declares, and the changes; the service writes its audit entry
   under the transition's `action`. A message an app registered for the transition
   (`portal.registry.register_transition_notice`) is announced here and sent after commit.

Who may make a transition is the service's predicate (`Transition.who` names it in words):
the row must be locked before the predicate reads it, so the table cannot hold a callable
that runs earlier.

Lock order (every service takes locks in this order, never the reverse, so no two
transactions wait on each other in a circle):

    Plan → Session / CampQuota → Employee → ledger Entry rows (grants, by primary key)
         → Application / GrantReview / Decision (by primary key) / Nomination / Proposal

- Leave: `apply`, `decide`, `register`, `cancel` and `decide_review` lock the employee first
  (FOR NO KEY UPDATE), then the grants they charge or reverse, then the application or the
  review. The nightly lapse job locks only expired grant rows (FOR UPDATE) and writes entries
  whose foreign keys take FOR KEY SHARE on the employee, which never conflicts with the
  employee's FOR NO KEY UPDATE; an application charges only grants usable on a day not before
  today, which the job never touches — so the two cannot deadlock.
- The grant run locks the plan (FOR NO KEY UPDATE) before anything else.
- Decisions are locked in primary-key order (incentives.services._lock).

A deadlock or serialisation failure that still happens is retried by `retry_on_conflict`
(the services' outermost decorator) and, failing that, answered by
`portal.middleware.ConflictMiddleware` with a message rather than a 500.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, models
from django.utils import timezone
from django.utils.translation import gettext as _

from . import clock
from .nationalid import redact
from .registry import transition_notice
from .rocdate import to_roc_short

log = logging.getLogger(__name__)

# PostgreSQL's SQLSTATEs for a deadlock and a serialisation failure: retrying is the cure.
CONFLICT_STATES = {"40P01", "40001"}


class LostRace(ValidationError):
    """A transition refused because the row's state, read under its lock, no longer allows it."""


@dataclass(frozen=True)
class Transition:
    """One transition: from any of `sources` to `target`.

    `label` is the verb shown to people (「核章」); `who` says in words which role or predicate
    may make it (the service checks it after locking); `actor_field`/`time_field` are the
    row's fields the move fills with the user and the time; `action` is the audit action.
    """

    sources: frozenset
    target: str
    label: str
    who: str = ""
    actor_field: str | None = None
    time_field: str | None = None
    action: str = ""


def transition(sources, target, label, **kwargs) -> Transition:
    """A Transition from an iterable of source states (shorthand for the tables)."""
    return Transition(frozenset(sources), target, label, **kwargs)


def person(user) -> str:
    """How a user is named in a message: their employee name, full name, or user name, with
    anything shaped like a national ID masked."""
    if user is None:
        return ""
    employee = getattr(user, "employee", None)
    name = (employee.name if employee is not None else "") or user.get_full_name() or user.get_username()
    return redact(name)


def when(moment) -> str:
    """A moment in the ROC calendar, Taipei time: `101/09/02 14:02`; "" for None."""
    if moment is None:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{to_roc_short(local.date())} {local:%H:%M}"


class Machine:
    """A model's state machine: `transitions` maps a name to a Transition; `noun` names the
    object in messages (「補休申請」); `field` is the status field."""

    def __init__(self, model: type[models.Model], noun, transitions: dict[str, Transition], field: str = "status"):
        self.model, self.noun, self.transitions, self.field = model, noun, transitions, field

    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def allowed(self, row, name: str) -> bool:
        """Whether the row's current state allows the transition."""
        return getattr(row, self.field) in self.transitions[name].sources

    def lock(self, obj, *related: str, queryset=None):
        """The row of `obj` (an instance or a primary key) re-read under FOR NO KEY UPDATE,
        with `related` joined (not locked). DoesNotExist when it is gone."""
        pk = getattr(obj, "pk", obj)
        rows = self.model.objects if queryset is None else queryset
        return rows.select_for_update(of=("self",), no_key=True).select_related(*related).get(pk=pk)

    def last_change(self, row) -> tuple[str, str, str]:
        """(what was done, by whom, when) that brought the row to its current state.

        From the row's fields when a transition into the state declares them, else from the
        latest audit entry of the row; parts not known are "".
        """
        state = getattr(row, self.field)
        for step in self.transitions.values():
            if step.target == state and step.time_field and getattr(row, step.time_field, None):
                if step.actor_field:
                    actor = getattr(row, step.actor_field)
                else:  # the row keeps the time only: who, from its latest audit entry
                    entry = self._latest_entry(row)
                    actor = entry.actor if entry is not None else None
                return str(step.label), person(actor), when(getattr(row, step.time_field))
        entry = self._latest_entry(row)
        if entry is None:
            return "", "", ""
        done = next(
            (
                str(s.label)
                for s in self.transitions.values()
                if s.action and s.action == entry.action and s.target == state
            ),
            "",
        )
        return done, person(entry.actor) if entry.actor_id else _("系統排程"), when(entry.at)

    @staticmethod
    def _latest_entry(row):
        from .models import AuditEntry

        return (
            AuditEntry.objects.filter(object_type=row._meta.label_lower, object_id=str(row.pk))
            .select_related("actor__employee")
            .order_by("-at", "-pk")
            .first()
        )

    def refusal(self, row, name: str) -> str:
        """The message for a transition the row's state does not allow: what happened, who, when."""
        step = self.transitions[name]
        done, who, moment = self.last_change(row)
        state = row._meta.get_field(self.field).flatchoices
        shown = dict(state).get(getattr(row, self.field), getattr(row, self.field))
        values = {"noun": self.noun, "when": moment, "who": who, "done": done, "verb": step.label, "state": shown}
        if done and moment and who:
            return _("此%(noun)s已於 %(when)s 由 %(who)s %(done)s，無法%(verb)s。") % values
        if done and moment:
            return _("此%(noun)s已於 %(when)s %(done)s，無法%(verb)s。") % values
        return _("此%(noun)s目前為「%(state)s」，無法%(verb)s。") % values

    def check(self, row, name: str) -> None:
        """LostRace with `refusal`'s message unless the row's current state allows `name`."""
        if not self.allowed(row, name):
            raise LostRace(self.refusal(row, name), code="lost_race")

    def move(self, row, name: str, user=None, **changes) -> str:
        """Check, then write the transition on the locked row: the target state, the declared
        actor and time fields, and `changes`. Returns the state before."""
        self.check(row, name)
        step = self.transitions[name]
        before = getattr(row, self.field)
        setattr(row, self.field, step.target)
        if step.actor_field:
            setattr(row, step.actor_field, user if getattr(user, "pk", None) else None)
        if step.time_field:
            setattr(row, step.time_field, clock.now())
        for key, value in changes.items():
            setattr(row, key, value)
        row.save()
        # The message an app tied to this transition (issue 18), sent once the transaction commits.
        kind = transition_notice(row._meta.label_lower, name)
        if kind:
            from .notices import announce

            announce(kind, row.pk)
        return before


def is_conflict(error: BaseException) -> bool:
    """A deadlock or serialisation failure reported by PostgreSQL (psycopg's DeadlockDetected,
    SerializationFailure), whether raw or wrapped in Django's OperationalError."""
    for candidate in (error, getattr(error, "__cause__", None)):
        if (
            getattr(candidate, "sqlstate", None) in CONFLICT_STATES
            or getattr(candidate, "pgcode", None) in CONFLICT_STATES
        ):
            return True
    return False


def retry_on_conflict(function=None, *, attempts: int = 4):
    """Run a service again (up to `attempts` times, after a short random pause) when PostgreSQL
    broke a deadlock or a serialisation failure by aborting it.

    Only a call that owns its transaction is retried: inside an outer `atomic` block the
    error propagates to the block's owner. Use as the outermost decorator, above
    `transaction.atomic`.
    """

    def decorate(service):
        @functools.wraps(service)
        def wrapper(*args, **kwargs):
            for attempt in range(1, attempts + 1):
                try:
                    return service(*args, **kwargs)
                except OperationalError as error:
                    if not is_conflict(error) or connection.in_atomic_block or attempt == attempts:
                        raise
                    log.warning(
                        "%s: %s, attempt %d of %d",
                        service.__qualname__,
                        type(error.__cause__).__name__,
                        attempt,
                        attempts,
                    )
                    time.sleep(random.uniform(0.02, 0.1) * attempt)  # nosec B311 (jitter between retries, not a secret)
            raise AssertionError("unreachable")

        return wrapper

    return decorate(function) if function is not None else decorate
