"""Every state change of the programs side: nominations, the camp, proposals, entries."""
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit
from portal.models import Agency, Employee
from portal.permissions import is_hr

from . import eligibility
from .models import (
    PROPOSAL_FIELDS,
    Activity,
    CampNomination,
    CampQuota,
    ClassHistory,
    ContestEntry,
    EmployeeTag,
    Nomination,
    Proposal,
    Session,
    Team,
    TeamMember,
    TrainingClass,
)

ACTIVE = [Nomination.Status.NOMINATED, Nomination.Status.CONFIRMED]


@dataclass
class Outcome:
    employee: Employee
    accepted: bool
    reason: str = ""


def _visible_employees(user, employee_ids) -> dict[int, Employee]:
    people = {e.pk: e for e in Employee.objects.visible_to(user).filter(pk__in=employee_ids).select_related("agency")}
    if len(people) != len(set(employee_ids)):
        raise PermissionDenied("只能推薦您負責機關的人員。")
    return people


def candidates(employee_ids) -> dict[int, eligibility.Candidate]:
    """Attendance history and roles of many people in two queries."""
    attended: dict[int, set] = {i: set() for i in employee_ids}
    for employee_id, slug in ClassHistory.objects.filter(employee_id__in=employee_ids).values_list("employee_id", "class_slug"):
        attended[employee_id].add(slug)
    roles: dict[int, set] = {i: set() for i in employee_ids}
    for employee_id, tag in EmployeeTag.objects.filter(employee_id__in=employee_ids).values_list("employee_id", "tag"):
        roles[employee_id].add(tag)
    return {i: eligibility.Candidate(frozenset(attended[i]), frozenset(roles[i])) for i in employee_ids}


def class_names(training_class: TrainingClass) -> dict[str, str]:
    return dict(TrainingClass.objects.filter(activity__plan_id=training_class.activity.plan_id)
                .values_list("slug", "name"))


@transaction.atomic
def nominate(user, session: Session, employee_ids: list[int]) -> list[Outcome]:
    """Put staff forward for a session; each refusal says why. Nothing partial on error."""
    people = _visible_employees(user, employee_ids)
    # Lock the session so two coordinators cannot both take the last place of a quota.
    session = Session.objects.select_for_update(of=("self",)).select_related("training_class__activity__plan").get(pk=session.pk)
    training_class = session.training_class
    names = class_names(training_class)
    facts = candidates(list(people))
    taken = set(session.nominations.filter(employee_id__in=list(people)).values_list("employee_id", flat=True))
    per_agency: dict[int, int] = {}
    for agency_id in session.nominations.filter(status__in=ACTIVE).values_list("employee__agency_id", flat=True):
        per_agency[agency_id] = per_agency.get(agency_id, 0) + 1
    outcomes = []
    for employee_id in employee_ids:
        employee = people[employee_id]
        reasons = [] if employee_id not in taken else ["已推薦過本期"]
        reasons += eligibility.refusal_reasons(training_class.conditions, facts[employee_id], names)
        quota = session.agency_quotas.get(str(employee.agency_id))
        if not reasons and quota is not None and per_agency.get(employee.agency_id, 0) >= quota:
            reasons.append(f"本機關名額已滿（{quota} 名）")
        if reasons:
            outcomes.append(Outcome(employee, False, "；".join(reasons)))
            continue
        rank, label = eligibility.priority(training_class.priority_groups, facts[employee_id])
        nomination = Nomination.objects.create(session=session, employee=employee, nominated_by=user,
                                               priority=rank, priority_label=label)
        per_agency[employee.agency_id] = per_agency.get(employee.agency_id, 0) + 1
        taken.add(employee_id)
        audit.record(user, "nominate", nomination, f"推薦 {employee.name} 參加 {session}",
                     after={"status": nomination.status, "session": session.pk, "employee": employee.pk,
                            "priority": rank, "priority_label": label})
        outcomes.append(Outcome(employee, True, label))
    return outcomes


@transaction.atomic
def confirm_places(user, session: Session) -> list[Nomination]:
    """HR confirms places in priority order up to the capacity; the rest are told why not."""
    if not is_hr(user):
        raise PermissionDenied
    session = Session.objects.select_for_update().get(pk=session.pk)
    confirmed = session.nominations.filter(status=Nomination.Status.CONFIRMED).count()
    waiting = list(session.nominations.filter(status=Nomination.Status.NOMINATED).order_by("priority", "created_at", "id"))
    now = timezone.now()
    for nomination in waiting:
        if session.capacity is None or confirmed < session.capacity:
            nomination.status, nomination.reason = Nomination.Status.CONFIRMED, ""
            confirmed += 1
        else:
            nomination.status = Nomination.Status.REFUSED
            nomination.reason = f"本期名額 {session.capacity} 名已滿（依優先順序錄取）"
        nomination.decided_at = now
        audit.record(user, nomination.status, nomination, f"{nomination.employee_id}：{nomination.get_status_display()}",
                     before={"status": Nomination.Status.NOMINATED},
                     after={"status": nomination.status, "reason": nomination.reason})
    Nomination.objects.bulk_update(waiting, ["status", "reason", "decided_at"])
    return waiting


@transaction.atomic
def record_attendance(user, nomination: Nomination, attended: bool) -> Nomination:
    """Attendance becomes history that the next prerequisite check reads."""
    if not is_hr(user):
        raise PermissionDenied
    before = nomination.status
    nomination.status = Nomination.Status.ATTENDED if attended else Nomination.Status.ABSENT
    nomination.save(update_fields=["status"])
    training_class = nomination.session.training_class
    if attended:
        ClassHistory.objects.get_or_create(
            employee=nomination.employee, class_slug=training_class.slug, attended_on=nomination.session.ends_on,
            defaults={"class_name": training_class.name, "session": nomination.session})
    audit.record(user, "attendance", nomination, nomination.get_status_display(),
                 before={"status": before}, after={"status": nomination.status})
    return nomination


# -- English camp --------------------------------------------------------------------

def camp_quota(activity: Activity, government) -> CampQuota:
    base = int(activity.details.get("quota_per_government", 50))
    quota, _created = CampQuota.objects.get_or_create(activity=activity, government=government, defaults={"base": base})
    return quota


@transaction.atomic
def nominate_to_camp(user, activity: Activity, employee_ids: list[int], circle: str = "",
                     leader_ids: frozenset = frozenset()) -> list[Outcome]:
    people = _visible_employees(user, employee_ids)
    limits = activity.details.get("circle_leaders") or {"min": 1, "max": 3}
    governments = {e.agency.government_id or e.agency_id for e in people.values()}
    # Lock the quotas of the governments concerned, then count once and keep the tallies here.
    for government_id in governments:
        camp_quota(activity, Agency.objects.get(pk=government_id))
    quotas = {q.government_id: q for q in CampQuota.objects.select_for_update(of=("self",))
              .filter(activity=activity, government_id__in=governments).select_related("government")}
    existing = CampNomination.objects.filter(activity=activity)
    used = dict(existing.filter(government_id__in=governments).values_list("government_id").annotate(n=Count("pk")))
    leaders = existing.filter(circle=circle, is_circle_leader=True).count()
    taken = set(existing.filter(employee_id__in=employee_ids).values_list("employee_id", flat=True))
    outcomes = []
    for employee_id in employee_ids:
        employee = people[employee_id]
        quota = quotas[employee.agency.government_id or employee.agency_id]
        if employee_id in taken:
            outcomes.append(Outcome(employee, False, "已推薦過"))
        elif used.get(quota.government_id, 0) >= quota.total:
            outcomes.append(Outcome(employee, False, f"{quota.government.name}名額已滿（{quota.total} 名）"))
        elif employee_id in leader_ids and leaders >= limits["max"]:
            outcomes.append(Outcome(employee, False, f"每個英語圈圈長最多 {limits['max']} 人"))
        else:
            nomination = CampNomination.objects.create(activity=activity, employee=employee, government=quota.government,
                                                       circle=circle, is_circle_leader=employee_id in leader_ids,
                                                       nominated_by=user)
            audit.record(user, "camp_nominate", nomination, f"推薦 {employee.name} 參加{activity.name}",
                         after={"employee": employee.pk, "government": quota.government_id, "circle": circle,
                                "is_circle_leader": nomination.is_circle_leader})
            used[quota.government_id] = used.get(quota.government_id, 0) + 1
            leaders += employee_id in leader_ids
            taken.add(employee_id)
            outcomes.append(Outcome(employee, True))
    return outcomes


def circle_problems(activity: Activity) -> list[str]:
    """Circles whose number of leaders is outside 1–3."""
    limits = activity.details.get("circle_leaders") or {"min": 1, "max": 3}
    counts: dict[str, int] = {}
    for circle, leader in CampNomination.objects.filter(activity=activity).exclude(circle="").values_list("circle", "is_circle_leader"):
        counts[circle] = counts.get(circle, 0) + int(leader)
    return [f"英語圈「{c}」有 {n} 位圈長（應為 {limits['min']}–{limits['max']} 位）"
            for c, n in sorted(counts.items()) if not limits["min"] <= n <= limits["max"]]


@transaction.atomic
def reallocate_camp_places(user, activity: Activity) -> dict[int, int]:
    if not is_hr(user):
        raise PermissionDenied
    quotas = list(CampQuota.objects.select_for_update(of=("self",)).filter(activity=activity).select_related("government")
                  .order_by("government__name"))
    used: dict[int, int] = {}
    for government_id in CampNomination.objects.filter(activity=activity).values_list("government_id", flat=True):
        used[government_id] = used.get(government_id, 0) + 1
    granted = eligibility.reallocate(
        [{"id": q.government_id, "base": q.base, "used": used.get(q.government_id, 0), "requested": q.requested_extra}
         for q in quotas], int(activity.details.get("max_extra_per_government", 10)))
    for quota in quotas:
        before = quota.granted_extra
        quota.granted_extra = granted[quota.government_id]
        audit.record(user, "camp_reallocate", quota, f"{quota.government.name} 增額 {quota.granted_extra}",
                     before={"granted_extra": before}, after={"granted_extra": quota.granted_extra})
    CampQuota.objects.bulk_update(quotas, ["granted_extra"])
    return granted


# -- 熠星 proposals ----------------------------------------------------------------------

REQUIRED_PROPOSAL_FIELDS = ["contact", "phone", "email", "goals", "strategy", "schedule", "kpis"]


def save_proposal(user, proposal: Proposal) -> Proposal:
    if proposal.status not in (Proposal.Status.DRAFT,):
        raise ValidationError("已送出的申請不能再修改。")
    proposal.created_by = proposal.created_by or user
    proposal.save()
    audit.record(user, "proposal_save", proposal, proposal.title)
    return proposal


def submit_proposal(user, proposal: Proposal) -> Proposal:
    labels = dict(PROPOSAL_FIELDS)
    missing = [] if proposal.title.strip() else [_("計畫名稱")]
    missing += [labels[f] for f in REQUIRED_PROPOSAL_FIELDS if not str(proposal.fields.get(f, "")).strip()]
    if missing:
        raise ValidationError(_("申請表尚有必填欄位未填寫：%(fields)s") % {"fields": "、".join(map(str, missing))})
    # Renewals skip selection (RAD 104: 續辦者免經甄選).
    proposal.status = Proposal.Status.SELECTED if proposal.is_renewal else Proposal.Status.SUBMITTED
    proposal.save(update_fields=["status", "updated_at"])
    audit.record(user, "proposal_submit", proposal, proposal.title, after={"status": proposal.status})
    return proposal


def select_proposal(user, proposal: Proposal, selected: bool) -> Proposal:
    if not is_hr(user):
        raise PermissionDenied
    if proposal.status != Proposal.Status.SUBMITTED:
        raise ValidationError("只有已送出的申請可以評選。")
    proposal.status = Proposal.Status.SELECTED if selected else Proposal.Status.NOT_SELECTED
    proposal.save(update_fields=["status", "updated_at"])
    audit.record(user, "proposal_select", proposal, proposal.title, after={"status": proposal.status})
    return proposal


@transaction.atomic
def rate_proposal(user, proposal: Proposal, rating: str) -> Team:
    """The final rating; leader and members become a rated team the incentive rules count."""
    if not is_hr(user):
        raise PermissionDenied
    if proposal.status not in (Proposal.Status.SELECTED, Proposal.Status.RATED):
        raise ValidationError("只有入選的方案可以評等。")
    proposal.status, proposal.rating = Proposal.Status.RATED, rating
    proposal.save(update_fields=["status", "rating", "updated_at"])
    team, _created = Team.objects.update_or_create(plan=proposal.activity.plan, name=proposal.title,
                                                   defaults={"rating": rating})
    team.members.all().delete()
    if proposal.leader_id:
        TeamMember.objects.create(team=team, employee_id=proposal.leader_id, role=TeamMember.Role.LEADER)
    TeamMember.objects.bulk_create([TeamMember(team=team, employee=m, role=TeamMember.Role.MEMBER)
                                    for m in proposal.members.exclude(pk=proposal.leader_id)])
    audit.record(user, "proposal_rate", proposal, f"{proposal.title}：{rating}", after={"rating": rating})
    return team


# -- contest ---------------------------------------------------------------------------

MAX_CREDITED_AUTHORS = 2


def set_contest_authors(user, entry: ContestEntry, authors: list[Employee]) -> ContestEntry:
    if len(authors) > MAX_CREDITED_AUTHORS:
        raise ValidationError(f"每件作品至多 {MAX_CREDITED_AUTHORS} 位作者。")
    entry.authors.set(authors)
    audit.record(user, "contest_authors", entry, entry.title, after={"authors": [a.pk for a in authors]})
    return entry


# -- copying a plan to the next year ---------------------------------------------------------

def _shift(value, years: int):
    """A date (or an ISO date string inside rule parameters) moved by whole years; 2/29 becomes 2/28."""
    import datetime as dt

    if isinstance(value, dt.date):
        try:
            return value.replace(year=value.year + years)
        except ValueError:
            return value.replace(year=value.year + years, day=28)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return _shift(dt.date.fromisoformat(value), years).isoformat()
        except ValueError:
            return value
    if isinstance(value, dict):
        return {k: _shift(v, years) for k, v in value.items()}
    if isinstance(value, list):
        return [_shift(v, years) for v in value]
    return value


@transaction.atomic
def copy_plan(user, plan, new_slug: str, years: int = 1):
    """HR's yearly routine: the plan, its activities, classes, sessions, course lists and bundles,
    every date moved by a year; rules copied with their dates moved too."""
    from courses.models import Bundle, BundleCourse, CourseList, CourseListEntry

    from .models import Plan

    if not is_hr(user):
        raise PermissionDenied
    if Plan.objects.filter(slug=new_slug).exists():
        raise ValidationError(f"代碼 {new_slug} 已被使用。")
    source = Plan.objects.get(pk=plan.pk)
    excluded = list(source.excluded_agencies.all())
    copy = Plan.objects.get(pk=plan.pk)
    copy.pk, copy.slug, copy.roc_year = None, new_slug, source.roc_year + years
    copy.title = source.title.replace(str(source.roc_year), str(source.roc_year + years))
    copy.issued_on, copy.reference = None, ""
    copy.starts_on, copy.ends_on = _shift(source.starts_on, years), _shift(source.ends_on, years)
    copy.parameters = _shift(source.parameters, years)
    copy.save()
    copy.excluded_agencies.set(excluded)
    for activity in source.activities.prefetch_related("classes__sessions"):
        classes = list(activity.classes.all())
        activity.pk, activity.plan = None, copy
        activity.starts_on, activity.ends_on = _shift(activity.starts_on, years), _shift(activity.ends_on, years)
        activity.details = _shift(activity.details, years)
        activity.save()
        for training_class in classes:
            sessions = list(training_class.sessions.all())
            training_class.pk, training_class.activity = None, activity
            training_class.starts_on, training_class.ends_on = _shift(training_class.starts_on, years), _shift(training_class.ends_on, years)
            training_class.save()
            for session in sessions:
                session.pk, session.training_class = None, training_class
                session.starts_on, session.ends_on = _shift(session.starts_on, years), _shift(session.ends_on, years)
                session.save()
    for course_list in CourseList.objects.filter(plan=source).prefetch_related("entries"):
        entries = list(course_list.entries.all())
        course_list.pk, course_list.plan = None, copy
        course_list.save()
        CourseListEntry.objects.bulk_create([CourseListEntry(course_list=course_list, course_id=e.course_id, hours=e.hours)
                                             for e in entries])
    for bundle in Bundle.objects.filter(plan=source).prefetch_related("entries"):
        entries = list(bundle.entries.all())
        bundle.pk, bundle.plan = None, copy
        bundle.save()
        BundleCourse.objects.bulk_create([BundleCourse(bundle=bundle, course_id=e.course_id, hours=e.hours) for e in entries])
    audit.record(user, "plan_copy", copy, f"由 {source.slug} 複製為 {copy.slug}")
    return copy
