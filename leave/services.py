"""Every change to compensatory leave goes through here, and every one is a ledger entry."""

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from courses.calendar import WorkCalendar
from courses.models import LearningRecord
from courses.offduty import OfficeHours
from incentives import facts, kinds
from incentives.evaluation import check_plan_rules, chunks, context_for
from incentives.rules import number
from portal import audit, clock, notices
from portal.models import Employee, Unit
from portal.permissions import is_hr
from portal.rocdate import to_roc_long
from portal.statemachine import retry_on_conflict
from programs.models import Plan

from . import queries
from . import rules as leave_rules
from .models import APPLICATION_MACHINE, GRANT_REVIEW_MACHINE, Application, Entry, GrantReview, RecordUse

ZERO = Decimal(0)
log = logging.getLogger(__name__)


def leave_rule(plan: Plan) -> dict:
    """The plan's first leave rule (its application settings: notice, cut-off, form), or {}."""
    rules = plan.parameters.get("rules", [])
    return next((r for r in rules if isinstance(r, dict) and r.get("kind") in kinds.LEAVE_KINDS), {})


def leave_plans():
    """Plans with at least one compensatory-leave rule (the grant runs' scope)."""
    return [p for p in Plan.objects.order_by("slug") if leave_rule(p)]


@dataclass
class GrantRun:
    """What one grant run wrote (or, with dry_run, would write) for a plan as of a date."""

    plan: Plan
    as_of: dt.date
    dry_run: bool
    granted: list[tuple[int, leave_rules.LeaveGrant]] = field(default_factory=list)  # (employee id, grant)
    reviews: list[tuple[int, str]] = field(default_factory=list)  # (grant entry id, reason)

    @property
    def hours(self) -> Decimal:
        return sum((g.hours for _e, g in self.granted), ZERO)


def entitlements(plan: Plan, as_of: dt.date, employees=None) -> dict[tuple[int, str], list[leave_rules.LeaveGrant]]:
    """Every grant the plan's leave rules give, uncapped, per (employee id, rule code), as of a date.

    The set-based path of `incentives.evaluation`, a chunk of `EVALUATION_CHUNK_SIZE` covered
    employees at a time (`evaluation.chunk_roster`): memory holds one chunk's leave records
    and everyone's grants, never a whole plan's records, and each chunk runs the same few
    queries (issue 20). `employees`: a queryset to read in one pass instead. The cap is the
    ledger's to apply (`leave.rules.plan_grants`).
    """
    rules = [r for r in check_plan_rules(plan) if r["kind"] in kinds.LEAVE_KINDS]
    context = context_for(plan)
    result = {}
    for chunk, ranks in _leave_chunks(plan, employees):
        records = facts.leave_records(plan, chunk, as_of, context)
        for rule in rules:
            for employee_id, facts_of_person in records.items():
                grants, _note = kinds.entitlement(
                    leave_rules.uncapped(rule), facts_of_person, context["bundles"], ranks.get(employee_id, "")
                )
                if grants:
                    result[(employee_id, rule["code"])] = grants
    return result


def _leave_chunks(plan: Plan, employees=None):
    """(employees, {employee id: rank}) for each chunk of the plan's covered employees
    (`evaluation.chunks`), or for `employees` in one pass."""
    if employees is not None:
        yield employees, dict(employees.values_list("pk", "rank"))
        return
    for keys, roster in chunks(plan, settings.EVALUATION_CHUNK_SIZE):
        yield keys, {row[0]: row[5] for row in roster}


def _review_reason(record_ids, counted: set[int], names: dict[int, tuple[str, dt.date]]) -> str:
    parts = []
    for record_id in record_ids:
        name, day = names.get(record_id, ("?", None))
        when = f"（{to_roc_long(day)}完成）" if day else ""
        if record_id in counted:
            parts.append(
                f"課程「{name}」{when}依最新資料已不符合本項補休條件（例如已非公餘時間、不在課程清單或未達門檻）"
            )
        else:
            parts.append(f"學習紀錄「{name}」{when}已由後來匯入的資料撤回或更正")
    return "；".join(parts)[:500]


@retry_on_conflict
@transaction.atomic
def grant_leave(plan: Plan, as_of: dt.date | None = None, *, dry_run: bool = False, user=None) -> GrantRun:
    """Write the compensatory leave the plan's rules give as of a date that is not granted yet.

    Runs after every import that can change an entitlement, every night, and as
    `manage.py grant_leave PLAN`. Running it again changes nothing. Each rule's cap (hours a
    year) holds over the whole ledger; a grant whose records no longer qualify is put before
    HR (a GrantReview), never changed here. One run per plan at a time: the plan row is locked.
    """
    as_of = as_of or clock.today()
    plan = Plan.objects.select_for_update(no_key=True).get(pk=plan.pk)
    run = GrantRun(plan, as_of, dry_run)
    rules = {r["code"]: r for r in check_plan_rules(plan) if r["kind"] in kinds.LEAVE_KINDS}
    if not rules:
        return run
    entitled = entitlements(plan, as_of)
    held = queries.held_grants(plan)
    needs = []
    for employee_id, code in sorted(set(entitled) | set(held)):
        if code not in rules:
            continue
        new, reviews = leave_rules.plan_grants(
            leave_rules.cap_of(rules[code]), entitled.get((employee_id, code), []), held.get((employee_id, code), [])
        )
        run.granted += [(employee_id, grant) for grant in new]
        needs += reviews
    if needs:
        ids = {r for need in needs for r in need.record_ids}
        counted = set(LearningRecord.objects.filter(pk__in=ids).values_list("pk", flat=True))
        names = {
            pk: (name, day)
            for pk, name, day in LearningRecord._base_manager.filter(pk__in=ids).values_list(
                "pk", "course_name", "completed_on"
            )
        }
        run.reviews = [(need.entry_id, _review_reason(need.record_ids, counted, names)) for need in needs]
    if dry_run:
        return run
    actor = user if getattr(user, "pk", None) else None
    entries = Entry.objects.bulk_create(
        [
            Entry(
                employee_id=employee_id,
                plan=plan,
                kind=Entry.Kind.GRANT,
                hours=grant.hours,
                earned_on=grant.earned_on,
                usable_until=grant.usable_until,
                rule_code=grant.rule,
                grant_key=grant.key,
                text=grant.text[:300],
                created_by=actor,
            )
            for employee_id, grant in run.granted
        ]
    )
    RecordUse.objects.bulk_create(
        [
            RecordUse(record_id=r, grant=entry)
            for entry, (_e, grant) in zip(entries, run.granted)
            for r in grant.record_ids
        ]
    )
    # Hours used for leave cannot also back an overtime claim (DOMAIN.md). Every record behind a
    # grant, not only today's: an import that rewrites a record clears the flag.
    LearningRecord._base_manager.filter(leave_use__grant__plan=plan, used_for_leave=False).update(used_for_leave=True)
    reviews = GrantReview.objects.bulk_create(
        [GrantReview(grant_id=entry_id, reason=reason) for entry_id, reason in run.reviews]
    )
    audit.record_many(
        actor,
        "leave_grant",
        [
            (
                entry,
                entry.text,
                None,
                {
                    "hours": entry.hours,
                    "earned_on": entry.earned_on,
                    "usable_until": entry.usable_until,
                    "records": sorted(grant.record_ids),
                    "as_of": as_of,
                },
            )
            for entry, (_e, grant) in zip(entries, run.granted)
        ],
    )
    audit.record_many(
        actor,
        "leave_review_opened",
        [(review, review.reason, None, {"status": review.status, "grant": review.grant_id}) for review in reviews],
    )
    return run


def grant_leave_everywhere(as_of: dt.date | None = None) -> list[GrantRun]:
    """`grant_leave` for every plan with a leave rule: after an import, and every night.

    One plan's failure (its parameters, say) is logged and does not keep the others' grants
    back; the import that queued the run has already committed either way.
    """
    runs = []
    for plan in leave_plans():
        try:
            runs.append(grant_leave(plan, as_of))
        except Exception:
            log.exception("leave grant run for plan %s failed", plan.slug)
    return runs


def _lock_employee(employee_id: int) -> Employee:
    """The employee's row under FOR NO KEY UPDATE: the first lock of every leave transition
    (portal.statemachine, lock order), so two changes to one person's hours run one after the other."""
    return Employee.objects.select_for_update(of=("self",), no_key=True).order_by().get(pk=employee_id)


@retry_on_conflict
@transaction.atomic
def decide_review(user, review: GrantReview, keep: bool, note: str = "") -> GrantReview:
    """HR keeps a grant under review, or withdraws it: a reversal removes its unused hours.

    Hours already used stay used. Transition `keep`/`withdraw` of GRANT_REVIEW_MACHINE, under
    the locks employee → grant → review. Raises PermissionDenied (not HR, or another
    government's employee), LostRace (decided meanwhile: who and when) and ValidationError
    (withdrawing without a reason).
    """
    if not is_hr(user) or not Employee.objects.visible_to(user).filter(pk=review.grant.employee_id).exists():
        raise PermissionDenied
    if not keep and not note.strip():
        raise ValidationError(_("撤銷核給時請填寫理由。"))
    _lock_employee(review.grant.employee_id)
    grant = Entry.objects.select_for_update(of=("self",), no_key=True).get(pk=review.grant_id)
    review = GRANT_REVIEW_MACHINE.lock(review, "grant")
    GRANT_REVIEW_MACHINE.check(review, "keep" if keep else "withdraw")
    removed = ZERO
    if not keep:
        left = grant.hours + (grant.charges.aggregate(s=Sum("hours", default=ZERO))["s"])
        if left > 0 and not hasattr(grant, "reversed_by"):
            Entry.objects.create(
                employee_id=grant.employee_id,
                plan_id=grant.plan_id,
                kind=Entry.Kind.REVERSAL,
                hours=-left,
                grant=grant,
                reverses=grant,
                created_by=user,
                text=f"人事複核撤銷核給：{note.strip()}"[:300],
            )
            removed = left
    GRANT_REVIEW_MACHINE.move(review, "keep" if keep else "withdraw", user, note=note.strip()[:300])
    audit.record(
        user,
        GRANT_REVIEW_MACHINE["keep" if keep else "withdraw"].action,
        grant,
        review.note or review.reason,
        before={"status": GrantReview.Status.OPEN},
        after={"status": review.status, "hours_removed": removed},
    )
    return review


def remaining_by_grant(employee: Employee, plan: Plan | None = None) -> list[tuple[Entry, Decimal]]:
    """Each grant with what is left of it, earliest-lapsing first."""
    grants = Entry.objects.filter(employee=employee, kind=Entry.Kind.GRANT)
    if plan is not None:
        grants = grants.filter(plan=plan)
    grants = grants.annotate(charged=Sum("charges__hours")).order_by("usable_until", "id")
    return [(g, g.hours + (g.charged or ZERO)) for g in grants]


def _usable_on(grant: Entry, day: dt.date) -> bool:
    """`leave.rules.usable_on` of a grant's entry."""
    return leave_rules.usable_on(grant.earned_on, grant.usable_until, day)


def balance(employee: Employee, on: dt.date, plan: Plan | None = None) -> Decimal:
    """The hours usable on a date: what is earned later or lapses before then does not count."""
    return sum((left for grant, left in remaining_by_grant(employee, plan) if _usable_on(grant, on)), ZERO)


def leave_hours(start: dt.time, end: dt.time, lunch=(dt.time(12, 30), dt.time(13, 30))) -> Decimal:
    """Whole and half hours between two times, the lunch break left out."""

    def minutes(t):
        return t.hour * 60 + t.minute

    total = minutes(end) - minutes(start)
    overlap = max(0, min(minutes(end), minutes(lunch[1])) - max(minutes(start), minutes(lunch[0])))
    return Decimal(total - overlap) / 60


@retry_on_conflict
@transaction.atomic
def apply(
    user, plan: Plan, leave_date: dt.date, starts_at: dt.time, ends_at: dt.time, today: dt.date | None = None
) -> Application:
    """An employee applies by the hour; the hours are charged to the earliest-lapsing grants at once.

    After commit the unit head is e-mailed that it waits for their 核章 (portal.notices).
    """
    today = today or clock.today()
    if not user.employee_id:
        raise PermissionDenied
    # Lock the employee: two applications for the last hours cannot both pass the balance check.
    # FOR NO KEY UPDATE: ledger rows that merely point at the employee (a lapse, a grant) are not held up.
    employee = (
        Employee.objects.select_for_update(of=("self",), no_key=True)
        .select_related("agency")
        .order_by()
        .get(pk=user.employee_id)
    )
    rule = leave_rule(plan)
    if ends_at <= starts_at:
        raise ValidationError(_("補休迄時須晚於起時。"))
    office_hours = OfficeHours.of(employee.agency)
    hours = leave_hours(starts_at, ends_at, lunch=(office_hours.morning_end, office_hours.afternoon_start))
    if hours <= 0 or hours % Decimal("0.5"):
        raise ValidationError(_("補休以小時為單位（可為半小時）。"))
    if leave_date < today:
        raise ValidationError(_("不能申請已過日期（%(day)s）的補休。") % {"day": to_roc_long(leave_date)})
    if not employee.works_shifts:
        # Leave is time off work: only a working day's office hours can be taken. Shift workers
        # work by their rota, which the portal does not hold.
        if WorkCalendar.from_database(leave_date, leave_date).is_day_off(leave_date):
            raise ValidationError(_("%(day)s 是放假日，不必請補休。") % {"day": to_roc_long(leave_date)})
        if starts_at < office_hours.morning_start or ends_at > office_hours.afternoon_end:
            raise ValidationError(
                _("補休時間須在辦公時間內（%(start)s–%(end)s）。")
                % {
                    "start": office_hours.morning_start.strftime("%H:%M"),
                    "end": office_hours.afternoon_end.strftime("%H:%M"),
                }
            )
    notice = rule.get("advance_notice_days")
    if notice and (leave_date - today).days < notice:
        raise ValidationError(
            f"補休須於 {notice} 日前提出申請（最早可申請 {to_roc_long(today + dt.timedelta(days=notice))} 之補休）。"
        )
    cutoff = rule.get("final_cutoff")
    if cutoff and leave_date > dt.date.fromisoformat(cutoff):
        raise ValidationError(f"補休須於 {to_roc_long(dt.date.fromisoformat(cutoff))} 前使用完畢。")
    overlapping = Application.objects.filter(
        employee=employee,
        leave_date=leave_date,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
        status__in=[Application.Status.SUBMITTED, Application.Status.APPROVED, Application.Status.REGISTERED],
    ).first()
    if overlapping:
        raise ValidationError(
            _("與已申請的補休（%(start)s–%(end)s）時間重疊。")
            % {"start": overlapping.starts_at.strftime("%H:%M"), "end": overlapping.ends_at.strftime("%H:%M")}
        )
    # Hours can be taken only once earned, and only until they lapse. The grants are locked
    # (after the employee, portal.statemachine's lock order) and what is left of them read
    # afterwards: HR withdrawing one of them meanwhile is seen, not overdrawn.
    # Only grants still usable on the day: the expired ones are the lapse job's, never waited for.
    list(
        Entry.objects.select_for_update(of=("self",), no_key=True)
        .filter(
            Q(usable_until__isnull=True) | Q(usable_until__gte=leave_date),
            employee=employee,
            plan=plan,
            kind=Entry.Kind.GRANT,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    usable = [(g, left) for g, left in remaining_by_grant(employee, plan) if _usable_on(g, leave_date) and left > 0]
    available = sum((left for _g, left in usable), ZERO)
    if available < hours:
        raise ValidationError(
            f"{to_roc_long(leave_date)} 可用補休 {number(available)} 小時，不足 {number(hours)} 小時。"
        )
    application = Application.objects.create(
        employee=employee, plan=plan, leave_date=leave_date, starts_at=starts_at, ends_at=ends_at, hours=hours
    )
    # The unit head hears of it once the application is committed (issue 18: waiting for their 核章).
    notices.announce("leave_waiting", application.pk)
    needed, charged = hours, {}
    for grant, left in usable:
        take = min(left, needed)
        Entry.objects.create(
            employee=employee,
            plan=plan,
            kind=Entry.Kind.USE,
            hours=-take,
            grant=grant,
            application=application,
            created_by=user,
            text=f"{to_roc_long(leave_date)} 補休",
        )
        charged[str(grant.pk)] = take
        needed -= take
        if not needed:
            break
    audit.record(
        user,
        "leave_apply",
        application,
        str(application),
        after={
            "status": application.status,
            "leave_date": leave_date,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "hours": hours,
            "charged_to_grants": charged,
        },
    )
    return application


def _give_back(user, application: Application, why: str) -> Decimal:
    """Reverse the application's uses; the hours given back."""
    given = ZERO
    for use in application.entries.filter(kind=Entry.Kind.USE, reversed_by__isnull=True):
        Entry.objects.create(
            employee=use.employee,
            plan=use.plan,
            kind=Entry.Kind.REVERSAL,
            hours=-use.hours,
            grant=use.grant,
            reverses=use,
            application=application,
            created_by=user,
            text=why,
        )
        given -= use.hours
    return given


def heads_own(application: Application) -> bool:
    """The applicant heads their own unit: nobody signs their own leave, so HR does."""
    unit_id = application.employee.unit_id
    return (
        bool(unit_id)
        and Unit.heads.through.objects.filter(unit_id=unit_id, user__employee_id=application.employee_id).exists()
    )


def _may_decide(user, application: Application) -> bool:
    """The head of the applicant's unit, unless the applicant is that head; HR for a head's own."""
    if application.employee_id == user.employee_id:
        return False
    if is_hr(user):
        return heads_own(application)
    return bool(application.employee.unit_id) and user.headed_units.filter(pk=application.employee.unit_id).exists()


def _locked(application: Application) -> Application:
    """The application re-read under a row lock, after its employee's (portal.statemachine's
    lock order): a state change checks the state it changes."""
    _lock_employee(application.employee_id)
    return APPLICATION_MACHINE.lock(application, "employee")


@retry_on_conflict
@transaction.atomic
def decide(user, application: Application, approve: bool, note: str = "") -> Application:
    """The unit supervisor approves (核章) or returns the application, on the page; the record is the online one.

    Transition `approve`/`return` of APPLICATION_MACHINE. Raises PermissionDenied (not the
    applicant's unit head), LostRace (cancelled or decided meanwhile: who and when) and
    ValidationError (returned without a reason).
    """
    application = _locked(application)
    if not _may_decide(user, application):
        raise PermissionDenied
    step = "approve" if approve else "return"
    APPLICATION_MACHINE.check(application, step)
    if not approve and not note.strip():
        raise ValidationError(_("退回時請填寫理由。"))
    APPLICATION_MACHINE.move(application, step, user, note=note[:300])
    given = ZERO if approve else _give_back(user, application, "主管退回")
    audit.record(
        user,
        APPLICATION_MACHINE[step].action,
        application,
        note,
        before={"status": Application.Status.SUBMITTED},
        after={"status": application.status, "note": application.note, "hours_given_back": given},
    )
    return application


@retry_on_conflict
@transaction.atomic
def register(user, application: Application) -> Application:
    """HR registers an approved application (人事登記): transition `register`.

    Raises PermissionDenied (not HR serving the applicant) and LostRace (not approved, e.g.
    cancelled meanwhile: who and when).
    """
    if not is_hr(user) or not Employee.objects.visible_to(user).filter(pk=application.employee_id).exists():
        raise PermissionDenied
    application = _locked(application)
    APPLICATION_MACHINE.move(application, "register", user)
    audit.record(
        user,
        APPLICATION_MACHINE["register"].action,
        application,
        str(application),
        before={"status": Application.Status.APPROVED},
        after={"status": application.status},
    )
    return application


@retry_on_conflict
@transaction.atomic
def cancel(user, application: Application, today: dt.date | None = None) -> Application:
    """Cancelling before the day gives the hours back: transition `cancel`.

    Raises PermissionDenied (neither the applicant nor HR), LostRace (cancelled or returned
    already: who and when) and ValidationError (on or after the leave day).
    """
    today = today or clock.today()
    application = _locked(application)
    if user.employee_id != application.employee_id and not is_hr(user):
        raise PermissionDenied
    APPLICATION_MACHINE.check(application, "cancel")
    if application.leave_date <= today:
        raise ValidationError(_("補休當日或之後不能取消。"))
    before = APPLICATION_MACHINE.move(application, "cancel", user)
    given = _give_back(user, application, "取消申請")
    audit.record(
        user,
        APPLICATION_MACHINE["cancel"].action,
        application,
        str(application),
        before={"status": before},
        after={"status": application.status, "hours_given_back": given},
    )
    return application


class LapseInFuture(ValueError):
    """`lapse_leave --as-of` after today: hours cannot lapse before their day has come."""


@retry_on_conflict
@transaction.atomic
def lapse_leave(as_of: dt.date | None = None) -> int:
    """Write a lapse entry for what is left of every grant whose last usable day is before `as_of`.

    Nightly (Celery beat) and `manage.py lapse_leave [--as-of]`; running it again writes
    nothing. The figures people see never wait for it (`leave.queries`): the entry only
    records what the dates already decided. Returns the number of entries written; raises
    LapseInFuture for a date after today.
    """
    today = clock.today()
    as_of = as_of or today
    if as_of > today:
        raise LapseInFuture(as_of)
    grants = list(
        Entry.objects.select_for_update().filter(kind=Entry.Kind.GRANT, usable_until__lt=as_of).order_by("pk")
    )
    charged = dict(Entry.objects.filter(grant__in=grants).values_list("grant_id").annotate(total=Sum("hours")))
    lapses = [
        Entry(
            employee_id=grant.employee_id,
            plan_id=grant.plan_id,
            kind=Entry.Kind.LAPSE,
            hours=-left,
            grant=grant,
            text=f"逾 {to_roc_long(grant.usable_until)} 未使用，失效",
        )
        for grant in grants
        if (left := grant.hours + (charged.get(grant.pk) or ZERO)) > 0
    ]
    Entry.objects.bulk_create(lapses)
    # Written by the scheduled job, so no person is the actor.
    audit.record_many(
        None,
        "leave_lapse",
        [
            (
                lapse,
                lapse.text,
                {"grant": lapse.grant_id, "hours_left": -lapse.hours},
                {"grant": lapse.grant_id, "hours_left": ZERO},
            )
            for lapse in lapses
        ],
    )
    return len(lapses)
