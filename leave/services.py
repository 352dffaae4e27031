"""Every change to compensatory leave goes through here, and every one is a ledger entry."""
import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from courses.calendar import WorkCalendar
from courses.models import LearningRecord
from courses.offduty import OfficeHours
from incentives.evaluation import evaluate
from incentives.rules import number
from portal import audit, clock
from portal.models import Employee, Unit
from portal.permissions import is_hr
from portal.rocdate import to_roc_long
from programs.models import Plan

from .models import Application, Entry, RecordUse

ZERO = Decimal(0)


def leave_rule(plan: Plan) -> dict:
    return next((r for r in plan.parameters.get("rules", []) if r.get("kind", "").startswith("leave_")), {})


@transaction.atomic
def grant_from_evaluation(user, plan: Plan, as_of: dt.date | None = None, employees=None) -> int:
    """Write a grant for each entitlement whose records back no grant yet (safe to run again)."""
    made = 0
    taken = set(RecordUse.objects.values_list("record_id", flat=True))
    for result in evaluate(plan, as_of, employees):
        for grant in result.grants:
            if not grant.record_ids or set(grant.record_ids) & taken:
                continue
            entry = Entry.objects.create(employee_id=result.employee_id, plan=plan, kind=Entry.Kind.GRANT, hours=grant.hours,
                                         earned_on=grant.earned_on, usable_until=grant.usable_until, rule_code=grant.rule,
                                         text=grant.text[:300], created_by=user if getattr(user, "pk", None) else None)
            RecordUse.objects.bulk_create([RecordUse(record_id=r, grant=entry) for r in grant.record_ids])
            # Hours used for leave cannot also back an overtime claim.
            LearningRecord.objects.filter(pk__in=grant.record_ids).update(used_for_leave=True)
            taken |= set(grant.record_ids)
            audit.record(user, "leave_grant", entry, entry.text, after={
                "hours": entry.hours, "earned_on": entry.earned_on, "usable_until": entry.usable_until,
                "records": sorted(grant.record_ids)})
            made += 1
    return made


def remaining_by_grant(employee: Employee, plan: Plan | None = None) -> list[tuple[Entry, Decimal]]:
    """Each grant with what is left of it, earliest-lapsing first."""
    grants = Entry.objects.filter(employee=employee, kind=Entry.Kind.GRANT)
    if plan is not None:
        grants = grants.filter(plan=plan)
    grants = grants.annotate(charged=Sum("charges__hours")).order_by("usable_until", "id")
    return [(g, g.hours + (g.charged or ZERO)) for g in grants]


def _usable_on(grant: Entry, day: dt.date) -> bool:
    return (grant.earned_on is None or grant.earned_on <= day) and (grant.usable_until is None or day <= grant.usable_until)


def balance(employee: Employee, on: dt.date, plan: Plan | None = None) -> Decimal:
    """The hours usable on a date: what is earned later or lapses before then does not count."""
    return sum((left for grant, left in remaining_by_grant(employee, plan) if _usable_on(grant, on)), ZERO)


def leave_hours(start: dt.time, end: dt.time, lunch=(dt.time(12, 30), dt.time(13, 30))) -> Decimal:
    """Whole and half hours between two times, the lunch break left out."""
    def minutes(t): return t.hour * 60 + t.minute
    total = minutes(end) - minutes(start)
    overlap = max(0, min(minutes(end), minutes(lunch[1])) - max(minutes(start), minutes(lunch[0])))
    return Decimal(total - overlap) / 60


@transaction.atomic
def apply(user, plan: Plan, leave_date: dt.date, starts_at: dt.time, ends_at: dt.time, today: dt.date | None = None) -> Application:
    """An employee applies by the hour; the hours are charged to the earliest-lapsing grants at once."""
    today = today or clock.today()
    if not user.employee_id:
        raise PermissionDenied
    # Lock the employee: two applications for the last hours cannot both pass the balance check.
    employee = Employee.objects.select_for_update(of=("self",)).select_related("agency").order_by().get(pk=user.employee_id)
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
            raise ValidationError(_("補休時間須在辦公時間內（%(start)s–%(end)s）。") % {
                "start": office_hours.morning_start.strftime("%H:%M"), "end": office_hours.afternoon_end.strftime("%H:%M")})
    notice = rule.get("advance_notice_days")
    if notice and (leave_date - today).days < notice:
        raise ValidationError(f"補休須於 {notice} 日前提出申請（最早可申請 {to_roc_long(today + dt.timedelta(days=notice))} 之補休）。")
    cutoff = rule.get("final_cutoff")
    if cutoff and leave_date > dt.date.fromisoformat(cutoff):
        raise ValidationError(f"補休須於 {to_roc_long(dt.date.fromisoformat(cutoff))} 前使用完畢。")
    overlapping = Application.objects.filter(
        employee=employee, leave_date=leave_date, starts_at__lt=ends_at, ends_at__gt=starts_at,
        status__in=[Application.Status.SUBMITTED, Application.Status.APPROVED, Application.Status.REGISTERED]).first()
    if overlapping:
        raise ValidationError(_("與已申請的補休（%(start)s–%(end)s）時間重疊。") % {
            "start": overlapping.starts_at.strftime("%H:%M"), "end": overlapping.ends_at.strftime("%H:%M")})
    # Hours can be taken only once earned, and only until they lapse.
    usable = [(g, left) for g, left in remaining_by_grant(employee, plan)
              if _usable_on(g, leave_date) and left > 0]
    available = sum((left for _g, left in usable), ZERO)
    if available < hours:
        raise ValidationError(f"{to_roc_long(leave_date)} 可用補休 {number(available)} 小時，不足 {number(hours)} 小時。")
    application = Application.objects.create(employee=employee, plan=plan, leave_date=leave_date,
                                             starts_at=starts_at, ends_at=ends_at, hours=hours)
    needed, charged = hours, {}
    for grant, left in usable:
        take = min(left, needed)
        Entry.objects.create(employee=employee, plan=plan, kind=Entry.Kind.USE, hours=-take, grant=grant,
                             application=application, created_by=user, text=f"{to_roc_long(leave_date)} 補休")
        charged[str(grant.pk)] = take
        needed -= take
        if not needed:
            break
    audit.record(user, "leave_apply", application, str(application), after={
        "status": application.status, "leave_date": leave_date, "starts_at": starts_at, "ends_at": ends_at,
        "hours": hours, "charged_to_grants": charged})
    return application


def _give_back(user, application: Application, why: str) -> Decimal:
    """Reverse the application's uses; the hours given back."""
    given = ZERO
    for use in application.entries.filter(kind=Entry.Kind.USE, reversed_by__isnull=True):
        Entry.objects.create(employee=use.employee, plan=use.plan, kind=Entry.Kind.REVERSAL, hours=-use.hours,
                             grant=use.grant, reverses=use, application=application, created_by=user, text=why)
        given -= use.hours
    return given


def heads_own(application: Application) -> bool:
    """The applicant heads their own unit: nobody signs their own leave, so HR does."""
    unit_id = application.employee.unit_id
    return bool(unit_id) and Unit.heads.through.objects.filter(
        unit_id=unit_id, user__employee_id=application.employee_id).exists()


def _may_decide(user, application: Application) -> bool:
    """The head of the applicant's unit, unless the applicant is that head; HR for a head's own."""
    if application.employee_id == user.employee_id:
        return False
    if is_hr(user):
        return heads_own(application)
    return bool(application.employee.unit_id) and user.headed_units.filter(pk=application.employee.unit_id).exists()


@transaction.atomic
def decide(user, application: Application, approve: bool, note: str = "") -> Application:
    """The unit supervisor approves (核章) or returns the application."""
    if not _may_decide(user, application):
        raise PermissionDenied
    if application.status != Application.Status.SUBMITTED:
        raise ValidationError(_("此申請已處理。"))
    if not approve and not note.strip():
        raise ValidationError(_("退回時請填寫理由。"))
    application.status = Application.Status.APPROVED if approve else Application.Status.RETURNED
    application.decided_by, application.note = user, note[:300]
    application.save()
    given = ZERO if approve else _give_back(user, application, "主管退回")
    audit.record(user, f"leave_{application.status}", application, note,
                 before={"status": Application.Status.SUBMITTED},
                 after={"status": application.status, "note": application.note, "hours_given_back": given})
    return application


@transaction.atomic
def register(user, application: Application) -> Application:
    if not is_hr(user):
        raise PermissionDenied
    if application.status != Application.Status.APPROVED:
        raise ValidationError("只有主管核章後的申請可以登記。")
    application.status, application.registered_by = Application.Status.REGISTERED, user
    application.save()
    audit.record(user, "leave_registered", application, str(application),
                 before={"status": Application.Status.APPROVED}, after={"status": application.status})
    return application


@transaction.atomic
def cancel(user, application: Application, today: dt.date | None = None) -> Application:
    """Cancelling before the day gives the hours back."""
    today = today or clock.today()
    if user.employee_id != application.employee_id and not is_hr(user):
        raise PermissionDenied
    if application.status in (Application.Status.CANCELLED, Application.Status.RETURNED):
        raise ValidationError("此申請已取消或退回。")
    if application.leave_date <= today:
        raise ValidationError("補休當日或之後不能取消。")
    before = application.status
    application.status = Application.Status.CANCELLED
    application.save()
    given = _give_back(user, application, "取消申請")
    audit.record(user, "leave_cancelled", application, str(application),
                 before={"status": before}, after={"status": application.status, "hours_given_back": given})
    return application


@transaction.atomic
def lapse_expired(today: dt.date | None = None) -> int:
    """Write a lapse for what is left of every grant past its last usable day (run daily)."""
    today = today or clock.today()
    made = 0
    grants = list(Entry.objects.select_for_update().filter(kind=Entry.Kind.GRANT, usable_until__lt=today))
    charged = dict(Entry.objects.filter(grant__in=grants).values_list("grant_id").annotate(total=Sum("hours")))
    for grant in grants:
        left = grant.hours + (charged.get(grant.pk) or ZERO)
        if left > 0:
            lapse = Entry.objects.create(employee_id=grant.employee_id, plan_id=grant.plan_id, kind=Entry.Kind.LAPSE,
                                         hours=-left, grant=grant, text=f"逾 {to_roc_long(grant.usable_until)} 未使用，失效")
            # Written by the daily scheduled job, so no person is the actor.
            audit.record(None, "leave_lapse", lapse, lapse.text, before={"grant": grant.pk, "hours_left": left},
                         after={"grant": grant.pk, "hours_left": ZERO})
            made += 1
    return made


