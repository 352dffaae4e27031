"""Every state change of the programs side: nominations, the camp, proposals, entries."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit, clock, rocdate
from portal.models import Agency, Employee
from portal.permissions import is_coordinator_or_hr, is_hr
from portal.statemachine import retry_on_conflict

from . import eligibility
from .models import (
    COUNTED_PROPOSAL_STATES,
    NOMINATION_MACHINE,
    PROPOSAL_FIELDS,
    PROPOSAL_MACHINE,
    READING_BID_TRANSITIONS,
    Activity,
    CampNomination,
    CampQuota,
    ClassHistory,
    ContestEntry,
    EmployeeTag,
    Nomination,
    Plan,
    Proposal,
    ReadingBid,
    Reflection,
    SeedTeacher,
    Session,
    ShowcaseRegistration,
    Team,
    TeamMember,
    TrainingClass,
    count_characters,
    proposal_roles,
    reflection_length_problem,
    validate_contest_authors,
    validate_proposal_team,
    validate_renewal,
)
from .queries import (
    plan_staff,
    plans_for_employee,
    plans_reviewed_by,
    plans_run_by,
    proposal_team_candidates,
    proposals_visible_to,
    reading_bid_activities_for,
    reading_bid_window,
    reflection_activities,
    showcase_capacity,
    talent_candidates,
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


def candidates(employee_ids, issuer_id: int | None = None) -> dict[int, eligibility.Candidate]:
    """Attendance history and roles of many people in two queries.

    With an issuer, only that issuer's classes count (RAD 柒、一: 本中心歷年辦理之…, DOMAIN.md
    Decision), and history recorded without an issuer, which predates the distinction.
    """
    attended: dict[int, set] = {i: set() for i in employee_ids}
    history = ClassHistory.objects.filter(employee_id__in=employee_ids)
    if issuer_id is not None:
        history = history.filter(Q(issuer_id=issuer_id) | Q(issuer=None))
    for employee_id, slug in history.values_list("employee_id", "class_slug"):
        attended[employee_id].add(slug)
    roles: dict[int, set] = {i: set() for i in employee_ids}
    for employee_id, tag in EmployeeTag.objects.filter(employee_id__in=employee_ids).values_list("employee_id", "tag"):
        roles[employee_id].add(tag)
    return {i: eligibility.Candidate(frozenset(attended[i]), frozenset(roles[i])) for i in employee_ids}


def class_names(training_class: TrainingClass) -> dict[str, str]:
    return dict(
        TrainingClass.objects.filter(activity__plan_id=training_class.activity.plan_id).values_list("slug", "name")
    )


@retry_on_conflict
@transaction.atomic
def nominate(user, session: Session, employee_ids: list[int]) -> list[Outcome]:
    """Put staff forward for a session; each refusal says why. Nothing partial on error."""
    people = _visible_employees(user, employee_ids)
    # Lock the session so two coordinators cannot both take the last place of a quota.
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("training_class__activity__plan")
        .get(pk=session.pk)
    )
    training_class = session.training_class
    names = class_names(training_class)
    facts = candidates(list(people), training_class.activity.plan.issuer_id)
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
        nomination = Nomination.objects.create(
            session=session, employee=employee, nominated_by=user, priority=rank, priority_label=label
        )
        per_agency[employee.agency_id] = per_agency.get(employee.agency_id, 0) + 1
        taken.add(employee_id)
        audit.record(
            user,
            "nominate",
            nomination,
            f"推薦 {employee.name} 參加 {session}",
            after={
                "status": nomination.status,
                "session": session.pk,
                "employee": employee.pk,
                "priority": rank,
                "priority_label": label,
            },
        )
        outcomes.append(Outcome(employee, True, label))
    return outcomes


@retry_on_conflict
@transaction.atomic
def confirm_places(user, session: Session) -> list[Nomination]:
    """HR confirms places in priority order up to the capacity; the rest are told why not.

    Transitions `confirm`/`refuse` of NOMINATION_MACHINE for every nomination still waiting,
    read after locking the session (lock order: session → nominations), so two runs at once
    confirm no more than the capacity and write each decision once. Returns the nominations
    decided by this run (none when another run decided them all first).
    """
    if not is_hr(user):
        raise PermissionDenied
    session = Session.objects.select_for_update(of=("self",), no_key=True).get(pk=session.pk)
    confirmed = session.nominations.filter(status=Nomination.Status.CONFIRMED).count()
    waiting = list(
        session.nominations.select_for_update(of=("self",), no_key=True)
        .filter(status=Nomination.Status.NOMINATED)
        .order_by("priority", "created_at", "id")
    )
    for nomination in waiting:
        if session.capacity is None or confirmed < session.capacity:
            NOMINATION_MACHINE.move(nomination, "confirm", user, reason="")
            confirmed += 1
        else:
            NOMINATION_MACHINE.move(
                nomination, "refuse", user, reason=f"本期名額 {session.capacity} 名已滿（依優先順序錄取）"
            )
        audit.record(
            user,
            nomination.status,
            nomination,
            f"{nomination.employee_id}：{nomination.get_status_display()}",
            before={"status": Nomination.Status.NOMINATED},
            after={"status": nomination.status, "reason": nomination.reason},
        )
    return waiting


@retry_on_conflict
@transaction.atomic
def record_attendance(user, nomination: Nomination, attended: bool) -> Nomination:
    """Attendance becomes history that the next prerequisite check reads.

    Transition `attend`/`absent` of NOMINATION_MACHINE under the locks session → nomination;
    a correction to absent removes the history the attendance wrote. Raises PermissionDenied
    (not HR) and LostRace (refused, withdrawn, or already recorded so: who and when).
    """
    if not is_hr(user):
        raise PermissionDenied
    Session.objects.select_for_update(of=("self",), no_key=True).get(pk=nomination.session_id)
    row = NOMINATION_MACHINE.lock(nomination, "session__training_class__activity__plan", "employee")
    before = NOMINATION_MACHINE.move(row, "attend" if attended else "absent", user)
    nomination.status = row.status
    training_class = row.session.training_class
    if attended:
        ClassHistory.objects.get_or_create(
            employee=row.employee,
            issuer_id=training_class.activity.plan.issuer_id,
            class_slug=training_class.slug,
            attended_on=row.session.ends_on,
            defaults={"class_name": training_class.name, "session": row.session},
        )
    else:
        ClassHistory.objects.filter(employee=row.employee, session=row.session).delete()
    audit.record(
        user,
        "attendance",
        nomination,
        nomination.get_status_display(),
        before={"status": before},
        after={"status": nomination.status},
    )
    return nomination


# -- English camp --------------------------------------------------------------------


def camp_quota(activity: Activity, government) -> CampQuota:
    base = int(activity.details.get("quota_per_government", 50))
    quota, _created = CampQuota.objects.get_or_create(activity=activity, government=government, defaults={"base": base})
    return quota


@retry_on_conflict
@transaction.atomic
def nominate_to_camp(
    user,
    activity: Activity,
    employee_ids: list[int],
    circle: str = "",
    leader_ids: frozenset = frozenset(),
    levels: dict | None = None,
) -> list[Outcome]:
    """A coordinator nominates staff to the English camp within their government's places.

    `levels`: employee id -> `EnglishLevel` value, stated for each nominee; a level above
    intermediate is refused (DOMAIN.md, English camp), as is a nominee without one. Returns one
    Outcome per employee with the reason of each refusal.
    """
    from .models import CAMP_LEVELS, EnglishLevel

    levels = levels or {}
    people = _visible_employees(user, employee_ids)
    limits = activity.details.get("circle_leaders") or {"min": 1, "max": 3}
    governments = {e.agency.government_id or e.agency_id for e in people.values()}
    # Lock the quotas of the governments concerned, then count once and keep the tallies here.
    for government_id in governments:
        camp_quota(activity, Agency.objects.get(pk=government_id))
    quotas = {
        q.government_id: q
        for q in CampQuota.objects.select_for_update(of=("self",))
        .filter(activity=activity, government_id__in=governments)
        .select_related("government")
    }
    existing = CampNomination.objects.filter(activity=activity)
    used = dict(existing.filter(government_id__in=governments).values_list("government_id").annotate(n=Count("pk")))
    leaders = existing.filter(circle=circle, is_circle_leader=True).count()
    taken = set(existing.filter(employee_id__in=employee_ids).values_list("employee_id", flat=True))
    outcomes = []
    for employee_id in employee_ids:
        employee = people[employee_id]
        quota = quotas[employee.agency.government_id or employee.agency_id]
        level = levels.get(employee_id, "")
        if employee_id in taken:
            outcomes.append(Outcome(employee, False, "已推薦過"))
        elif level not in EnglishLevel.values:
            outcomes.append(Outcome(employee, False, "請填寫英語程度"))
        elif level not in CAMP_LEVELS:
            outcomes.append(Outcome(employee, False, f"英語程度為{EnglishLevel(level).label}，本營隊限中級以下"))
        elif used.get(quota.government_id, 0) >= quota.total:
            outcomes.append(Outcome(employee, False, f"{quota.government.name}名額已滿（{quota.total} 名）"))
        elif employee_id in leader_ids and leaders >= limits["max"]:
            outcomes.append(Outcome(employee, False, f"每個英語圈圈長最多 {limits['max']} 人"))
        else:
            nomination = CampNomination.objects.create(
                activity=activity,
                employee=employee,
                government=quota.government,
                circle=circle,
                is_circle_leader=employee_id in leader_ids,
                nominated_by=user,
                level=level,
            )
            audit.record(
                user,
                "camp_nominate",
                nomination,
                f"推薦 {employee.name} 參加{activity.name}",
                after={
                    "employee": employee.pk,
                    "government": quota.government_id,
                    "circle": circle,
                    "level": level,
                    "is_circle_leader": nomination.is_circle_leader,
                },
            )
            used[quota.government_id] = used.get(quota.government_id, 0) + 1
            leaders += employee_id in leader_ids
            taken.add(employee_id)
            outcomes.append(Outcome(employee, True))
    return outcomes


def circle_problems(activity: Activity) -> list[str]:
    """Circles whose number of leaders is outside 1–3."""
    limits = activity.details.get("circle_leaders") or {"min": 1, "max": 3}
    counts: dict[str, int] = {}
    for circle, leader in (
        CampNomination.objects.filter(activity=activity).exclude(circle="").values_list("circle", "is_circle_leader")
    ):
        counts[circle] = counts.get(circle, 0) + int(leader)
    return [
        f"英語圈「{c}」有 {n} 位圈長（應為 {limits['min']}–{limits['max']} 位）"
        for c, n in sorted(counts.items())
        if not limits["min"] <= n <= limits["max"]
    ]


@retry_on_conflict
@transaction.atomic
def request_extra_places(user, activity: Activity, government: Agency, count: int) -> CampQuota:
    """A government asks, through its coordinator, for extra camp places (at most the plan's limit, 10).

    RAD's reallocation (`reallocate_camp_places`) answers the requests from the places other
    governments leave unused. Raises PermissionDenied (not a coordinator or HR serving the
    government, or a plan they do not run) and ValidationError (a count outside 0–limit).
    """
    from .queries import plans_run_by

    if (
        not plans_run_by(user).filter(pk=activity.plan_id).exists()
        or not Agency.objects.visible_to(user).filter(Q(pk=government.pk) | Q(government=government)).exists()
    ):
        raise PermissionDenied
    limit = int(activity.details.get("max_extra_per_government", 10))
    if not 0 <= count <= limit:
        raise ValidationError(_("增額申請須為 0 到 %(n)d 名。") % {"n": limit})
    camp_quota(activity, government)
    quota = CampQuota.objects.select_for_update().get(activity=activity, government=government)
    before = quota.requested_extra
    quota.requested_extra = count
    quota.save(update_fields=["requested_extra"])
    audit.record(
        user,
        "camp_request_extra",
        quota,
        f"{government.name} 申請增額 {count}",
        before={"requested_extra": before},
        after={"requested_extra": count},
    )
    return quota


@retry_on_conflict
@transaction.atomic
def reallocate_camp_places(user, activity: Activity) -> dict[int, int]:
    """RAD's HR hands the places governments leave unused to those that asked, at most 10 each.

    Returns {government id: extra places granted}; the quotas are locked while it counts.
    Raises PermissionDenied for anyone but HR of the plan's issuer.
    """
    require_reviewer(user, activity.plan)
    quotas = list(
        CampQuota.objects.select_for_update(of=("self",))
        .filter(activity=activity)
        .select_related("government")
        .order_by("government__name")
    )
    used: dict[int, int] = {}
    for government_id in CampNomination.objects.filter(activity=activity).values_list("government_id", flat=True):
        used[government_id] = used.get(government_id, 0) + 1
    granted = eligibility.reallocate(
        [
            {
                "id": q.government_id,
                "base": q.base,
                "used": used.get(q.government_id, 0),
                "requested": q.requested_extra,
            }
            for q in quotas
        ],
        int(activity.details.get("max_extra_per_government", 10)),
    )
    for quota in quotas:
        before = quota.granted_extra
        quota.granted_extra = granted[quota.government_id]
        audit.record(
            user,
            "camp_reallocate",
            quota,
            f"{quota.government.name} 增額 {quota.granted_extra}",
            before={"granted_extra": before},
            after={"granted_extra": quota.granted_extra},
        )
    CampQuota.objects.bulk_update(quotas, ["granted_extra"])
    return granted


# -- 熠星 proposals ----------------------------------------------------------------------

REQUIRED_PROPOSAL_FIELDS = ["contact", "phone", "email", "goals", "strategy", "schedule", "kpis"]


def _locked_proposal(proposal: Proposal) -> Proposal:
    """The proposal's row, locked and re-read: a decision is taken on its state now, not on a stale copy."""
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("activity__plan__issuer", "agency__government", "renews__activity__plan", "renews__agency")
        .get(pk=proposal.pk)
    )


def _transition(user, proposal: Proposal, action: str) -> tuple[Proposal, str]:
    """Lock the proposal, check who may take `action` (PROPOSAL_TRANSITIONS) and that its
    current state allows it. Returns (the locked proposal, its state before).
    Raises PermissionDenied (not the plan's reviewer, or not the proposal's coordinator) and
    ValidationError (the state does not allow the action)."""
    locked = _locked_proposal(proposal)
    who = PROPOSAL_MACHINE[action].who
    if who == "reviewer":
        allowed = plans_reviewed_by(user).filter(pk=locked.activity.plan_id).exists()
    else:
        allowed = proposals_visible_to(user).filter(pk=locked.pk).exists()
    if not allowed:
        raise PermissionDenied(_("您不能處理這件申請。"))
    PROPOSAL_MACHINE.check(locked, action)
    return locked, locked.status


def _team_snapshot(proposal: Proposal) -> dict:
    return {
        "leader": proposal.leader_id,
        "members": sorted(proposal.members.values_list("pk", flat=True)),
        "renews": proposal.renews_id,
        "is_renewal": proposal.is_renewal,
    }


@retry_on_conflict
@transaction.atomic
def save_proposal(user, proposal: Proposal, members=None) -> Proposal:
    """Save a draft 熠星 proposal (Hualien 附件1) with its team.

    `proposal` is a Proposal (new or an existing draft) whose fields, `leader` and `renews`
    are already set; `members` an iterable of Employees (None keeps the current members).
    The agency may be left empty on a draft (a coordinator of several agencies has not chosen
    yet; issue 17); sending requires it (proposal_missing).
    Raises ValidationError — the proposal is no longer a draft; a team or renewal picked before
    the agency while the user serves several governments; a team rule broken
    (validate_proposal_team: leader not also a member, everyone of the proposing government);
    a renewal that does not continue an earlier selected proposal of the government — and
    PermissionDenied when the agency is not one the user serves or a person is not one the
    user may pick (a coordinator picks from their own government only).
    """
    if proposal.pk:
        before = _locked_proposal(proposal)
        if before.status != Proposal.Status.DRAFT:
            raise ValidationError(_("已送出的申請不能再修改。"))
        proposal.status = before.status  # the state is the service's, never the caller's
        snapshot = _team_snapshot(before)
    elif proposal.status != Proposal.Status.DRAFT:
        raise ValidationError(_("已送出的申請不能再修改。"))
    else:
        snapshot = None
    members = (
        list(members)
        if members is not None
        else (list(proposal.members.select_related("agency")) if proposal.pk else [])
    )
    if proposal.agency_id is None:
        # A draft before its agency is chosen (a coordinator of several agencies): its team is
        # checked against the one government the user serves; a renewal needs the agency.
        served = {g or pk for pk, g in Agency.objects.visible_to(user).values_list("pk", "government_id")}
        government = Agency.objects.get(pk=next(iter(served))) if len(served) == 1 else None
        if proposal.renews_id or (government is None and (members or proposal.leader_id)):
            raise ValidationError(_("請先選擇推動機關（單位），再選擇團隊成員或續辦之原提案。"))
    elif not Agency.objects.visible_to(user).filter(pk=proposal.agency_id).exists():
        raise PermissionDenied(_("只能為您負責的機關提出申請。"))
    else:
        government = proposal.agency.root
    if government is not None:
        validate_proposal_team(government, proposal.leader, members)
    people = {m.pk for m in members} | ({proposal.leader_id} if proposal.leader_id else set())
    if people and proposal_team_candidates(user, government).filter(pk__in=people).count() != len(people):
        raise PermissionDenied(_("只能選擇您負責機關的本府人員。"))
    validate_renewal(proposal, proposal.renews)
    if proposal.renews_id:
        proposal.is_renewal = True
    proposal.created_by = proposal.created_by or user
    proposal.save()
    if members is not None or not snapshot:
        proposal.members.set(members)
    audit.record(user, "proposal_save", proposal, proposal.title, before=snapshot, after=_team_snapshot(proposal))
    return proposal


def proposal_missing(proposal: Proposal) -> list[str]:
    """What a proposal still lacks before it can be sent: its agency, the form's required fields,
    its leader (主持人) and, for a renewal, the proposal it continues."""
    labels = dict(PROPOSAL_FIELDS)
    missing = [] if proposal.agency_id else [_("推動機關（單位）")]
    missing += [] if proposal.title.strip() else [_("計畫名稱")]
    missing += [str(labels[f]) for f in REQUIRED_PROPOSAL_FIELDS if not str(proposal.fields.get(f, "")).strip()]
    if not proposal.leader_id:
        missing.append(_("主持人"))
    if proposal.is_renewal and not proposal.renews_id:
        missing.append(_("續辦之原提案"))
    return missing


@retry_on_conflict
@transaction.atomic
def submit_proposal(user, proposal: Proposal) -> Proposal:
    """Send a draft: draft → submitted, also for a renewal (HR confirms it: confirm_renewal).

    Raises ValidationError naming what is missing (proposal_missing) or a broken team rule,
    PermissionDenied for a user who may not act for the proposal's agency.
    """
    proposal, before = _transition(user, proposal, "submit")
    missing = proposal_missing(proposal)
    if missing:
        raise ValidationError(_("申請表尚有必填欄位未填寫：%(fields)s") % {"fields": "、".join(map(str, missing))})
    validate_proposal_team(proposal.government, proposal.leader, proposal.members.select_related("agency"))
    validate_renewal(proposal, proposal.renews)
    proposal.status = Proposal.Status.SUBMITTED
    proposal.save(update_fields=["status", "updated_at"])
    audit.record(
        user, "proposal_submit", proposal, proposal.title, before={"status": before}, after={"status": proposal.status}
    )
    return proposal


@retry_on_conflict
@transaction.atomic
def select_proposal(user, proposal: Proposal, selected: bool) -> Proposal:
    """The plan's HR selects (入選) or not (未入選) a submitted proposal (RAD 104 柒、三: 本中心辦理甄選作業).

    A renewal is not selected here but confirmed (confirm_renewal); it may be turned down here.
    Raises PermissionDenied (not the plan's reviewer) and ValidationError (not submitted).
    """
    proposal, before = _transition(user, proposal, "select" if selected else "not_select")
    if selected and proposal.is_renewal:
        raise ValidationError(_("續辦提案免經甄選，請以「確認續辦」處理。"))
    proposal.status = Proposal.Status.SELECTED if selected else Proposal.Status.NOT_SELECTED
    proposal.save(update_fields=["status", "updated_at"])
    audit.record(
        user, "proposal_select", proposal, proposal.title, before={"status": before}, after={"status": proposal.status}
    )
    return proposal


@retry_on_conflict
@transaction.atomic
def confirm_renewal(user, proposal: Proposal) -> Proposal:
    """The plan's HR confirms a submitted renewal, which makes it selected (DOMAIN.md Decision:
    續辦者免經甄選, but HR confirms it continues an earlier selected proposal).

    Raises PermissionDenied (not the plan's reviewer), ValidationError (not a submitted
    renewal, or what it continues is not an earlier selected proposal of the government).
    """
    proposal, before = _transition(user, proposal, "confirm_renewal")
    if not proposal.is_renewal or not proposal.renews_id:
        raise ValidationError(_("這件申請不是續辦提案。"))
    validate_renewal(proposal, proposal.renews)
    proposal.status = Proposal.Status.SELECTED
    proposal.save(update_fields=["status", "updated_at"])
    audit.record(
        user,
        "proposal_confirm_renewal",
        proposal,
        f"{proposal.title}（續辦：{proposal.renews.title}）",
        before={"status": before},
        after={"status": proposal.status, "renews": proposal.renews_id},
    )
    return proposal


def _team_for(proposal: Proposal) -> Team:
    """The proposal's Team (found by its link, else by its name in the plan, unlinked); a new one otherwise."""
    team = Team.objects.select_for_update().filter(proposal=proposal).first()
    if team is None:
        team = Team.objects.select_for_update().filter(plan_id=proposal.activity.plan_id, name=proposal.title).first()
        if team is not None and team.proposal_id not in (None, proposal.pk):
            raise ValidationError(_("本計畫已有同名的團隊「%(name)s」屬於另一件提案。") % {"name": proposal.title})
    return team or Team(plan_id=proposal.activity.plan_id, name=proposal.title)


@retry_on_conflict
@transaction.atomic
def rate_proposal(user, proposal: Proposal, rating: str) -> Team:
    """The final rating (特優/優等/良好) of a selected proposal: its Team of the plan becomes
    exactly the proposal's leader (主持人) and members (成員), so the plan's team_rating rule
    (Hualien 106 陸、二、（四）) rewards exactly them. A rated proposal may be rated again.

    Returns the Team. Raises PermissionDenied (not the plan's reviewer), ValidationError (not
    selected or rated, an unknown rating, no leader, a team rule broken, a same-named team
    of another proposal).
    """
    if rating not in Proposal.Rating.values:
        raise ValidationError(_("評等須為特優、優等或良好。"))
    proposal, before = _transition(user, proposal, "rate")
    if not proposal.leader_id:
        raise ValidationError(_("提案尚未指定主持人，不能評等。"))
    validate_proposal_team(proposal.government, proposal.leader, proposal.members.select_related("agency"))
    before_rating = proposal.rating
    proposal.status, proposal.rating = Proposal.Status.RATED, rating
    proposal.save(update_fields=["status", "rating", "updated_at"])
    team = _team_for(proposal)
    before_team = sorted(team.members.values_list("employee_id", "role")) if team.pk else []
    team.name, team.rating, team.proposal = proposal.title, rating, proposal
    team.save()
    roles = proposal_roles(proposal)
    team.members.all().delete()
    TeamMember.objects.bulk_create(
        [TeamMember(team=team, employee_id=employee_id, role=role) for employee_id, role in roles.items()]
    )
    audit.record(
        user,
        "proposal_rate",
        proposal,
        f"{proposal.title}：{rating}",
        before={"status": before, "rating": before_rating, "team": before_team},
        after={"status": proposal.status, "rating": rating, "team": sorted(roles.items())},
    )
    return team


def record_imported_rating(actor, team: Team, proposal: Proposal, rating: str) -> None:
    """A team-ratings import named a selected/rated proposal's team (its people already checked
    to be exactly the proposal's team): the team is linked to the proposal and the proposal
    shows the rating. Runs inside the import's transaction; locks the proposal and re-checks it.
    Raises ValidationError when the proposal is no longer selected or rated."""
    locked = _locked_proposal(proposal)
    if locked.status not in COUNTED_PROPOSAL_STATES:
        raise ValidationError(_("「%(title)s」已不是入選的提案。") % {"title": locked.title})
    before = {"status": locked.status, "rating": locked.rating}
    if team.proposal_id != locked.pk:
        team.proposal = locked
        team.save(update_fields=["proposal"])
    if (locked.status, locked.rating) != (Proposal.Status.RATED, rating):
        locked.status, locked.rating = Proposal.Status.RATED, rating
        locked.save(update_fields=["status", "rating", "updated_at"])
        audit.record(
            actor,
            "proposal_rate_import",
            locked,
            f"{locked.title}：{rating}（匯入）",
            before=before,
            after={"status": locked.status, "rating": rating},
        )


# -- contest ---------------------------------------------------------------------------


@transaction.atomic
def set_contest_authors(user, entry: ContestEntry, authors: list[Employee]) -> ContestEntry:
    """Credit a contest work's authors: at most 2 (Tainan 101 4, validate_contest_authors).

    `authors` is a list of Employees. Raises ValidationError for a third author; the entry's
    row is locked so two saves cannot together pass the limit.
    """
    authors = list(authors)
    validate_contest_authors(authors)
    entry = ContestEntry.objects.select_for_update().get(pk=entry.pk)
    before = sorted(entry.authors.values_list("pk", flat=True))
    entry.authors.set(authors)
    audit.record(
        user,
        "contest_authors",
        entry,
        entry.title,
        before={"authors": before},
        after={"authors": sorted(a.pk for a in authors)},
    )
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

    from .checks import rule_problems
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
    # The copy's rules must fit their kinds as any plan's do (a plan stored before the checks existed).
    problems = rule_problems(
        f"{new_slug}「{copy.title}」",
        copy.parameters.get("rules", []),
        set(CourseList.objects.filter(plan=source).values_list("slug", flat=True)),
        set(Bundle.objects.filter(plan=source, kind="side").values_list("slug", flat=True)),
    )
    if problems:
        raise ValidationError(problems)
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
            training_class.starts_on, training_class.ends_on = (
                _shift(training_class.starts_on, years),
                _shift(training_class.ends_on, years),
            )
            training_class.save()
            for session in sessions:
                session.pk, session.training_class = None, training_class
                session.starts_on, session.ends_on = _shift(session.starts_on, years), _shift(session.ends_on, years)
                session.save()
    for course_list in CourseList.objects.filter(plan=source).prefetch_related("entries"):
        entries = list(course_list.entries.all())
        course_list.pk, course_list.plan = None, copy
        course_list.save()
        CourseListEntry.objects.bulk_create(
            [CourseListEntry(course_list=course_list, course_id=e.course_id, hours=e.hours) for e in entries]
        )
    for bundle in Bundle.objects.filter(plan=source).prefetch_related("entries"):
        entries = list(bundle.entries.all())
        bundle.pk, bundle.plan = None, copy
        bundle.save()
        BundleCourse.objects.bulk_create(
            [BundleCourse(bundle=bundle, course_id=e.course_id, hours=e.hours) for e in entries]
        )
    audit.record(user, "plan_copy", copy, f"由 {source.slug} 複製為 {copy.slug}")
    return copy


# -- e-mentoring (電子師徒制) -------------------------------------------------------------------


def _mentoring_activity(activity: Activity) -> Activity:
    """The activity row locked: one coordinator's or officer's step on it at a time."""
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    if locked.kind != Activity.Kind.MENTORING:
        raise ValidationError(_("這項活動不是電子師徒制。"))
    return locked


@retry_on_conflict
@transaction.atomic
def put_forward(user, activity: Activity, employee: Employee, role: str, note: str = ""):
    """A coordinator puts one of their staff forward as a mentor or a mentee (DOMAIN.md, e-mentoring).

    Raises PermissionDenied (not a coordinator or HR running the plan, or someone else's staff) and
    ValidationError (not a mentoring activity, an unknown role, already put forward in that role).
    """
    from .models import MentoringCandidate
    from .queries import plans_run_by

    if (
        not plans_run_by(user).filter(pk=activity.plan_id).exists()
        or not Employee.objects.visible_to(user).filter(pk=employee.pk).exists()
    ):
        raise PermissionDenied
    activity = _mentoring_activity(activity)
    if role not in MentoringCandidate.Role.values:
        raise ValidationError(_("請選擇師父或徒弟。"))
    if MentoringCandidate.objects.filter(activity=activity, employee=employee, role=role).exists():
        raise ValidationError(
            _("%(name)s已被推薦為%(role)s。") % {"name": employee.name, "role": MentoringCandidate.Role(role).label}
        )
    candidate = MentoringCandidate.objects.create(
        activity=activity, employee=employee, role=role, note=(note or "").strip()[:200], put_forward_by=user
    )
    audit.record(user, "mentoring_put_forward", candidate, f"{employee.name} {candidate.get_role_display()}")
    return candidate


@retry_on_conflict
@transaction.atomic
def pair(user, activity: Activity, mentor: Employee, mentee: Employee):
    """HR pairs a mentor with a mentee, both put forward, across agencies (DOMAIN.md Decision).

    A mentee has one mentor. Raises PermissionDenied (not HR of the plan's government) and
    ValidationError (not both put forward in their roles, the same agency, the mentee paired).
    """
    from portal import clock

    from .models import MentoringCandidate, MentoringPair

    require_reviewer(user, activity.plan)
    activity = _mentoring_activity(activity)
    put = set(
        MentoringCandidate.objects.filter(activity=activity, employee__in=[mentor.pk, mentee.pk]).values_list(
            "employee_id", "role"
        )
    )
    if (mentor.pk, "mentor") not in put or (mentee.pk, "mentee") not in put:
        raise ValidationError(_("師父與徒弟須先由機關承辦人推薦。"))
    if mentor.agency_id == mentee.agency_id:
        raise ValidationError(
            _("%(mentor)s與%(mentee)s同屬%(agency)s；電子師徒制須跨機關配對。")
            % {"mentor": mentor.name, "mentee": mentee.name, "agency": mentor.agency.name}
        )
    existing = MentoringPair.objects.filter(activity=activity, mentee=mentee).select_related("mentor").first()
    if existing:
        raise ValidationError(
            _("%(mentee)s已與師父%(mentor)s配對。") % {"mentee": mentee.name, "mentor": existing.mentor.name}
        )
    pairing = MentoringPair.objects.create(
        activity=activity, mentor=mentor, mentee=mentee, paired_by=user, paired_at=clock.now()
    )
    audit.record(user, "mentoring_paired", pairing, f"{mentor.name} – {mentee.name}")
    return pairing


# -- The digital-talent registry (Tainan 101 伍、一、（三）) ----------------------------------


def require_reviewer(user, plan) -> None:
    """HR of the government that issued the plan (plans_reviewed_by), else PermissionDenied."""
    if not is_hr(user) or not plans_reviewed_by(user).filter(pk=plan.pk).exists():
        raise PermissionDenied(_("只有計畫主辦機關的人事人員可以辦理。"))


@transaction.atomic
def select_seed_teacher(user, activity: Activity, employee_id: int, reason: str) -> SeedTeacher:
    """HR puts one person on the registry (數位人才資料庫) as a seed teacher (種籽教師), with the reason.

    `activity` is a talent_registry activity; the person must be one of the plan's staff
    (queries.plan_staff) whom the officer may see. The source (contest prize-winner, graduate of
    the candidate classes, or named by HR) and its basis are read from the portal's data, not
    typed. Raises PermissionDenied (not the plan's HR, or a person out of reach) and
    ValidationError (no reason, already on the registry). Writes an audit entry.
    """
    activity = Activity.objects.select_for_update(of=("self",)).select_related("plan__issuer").get(pk=activity.pk)
    if activity.kind != Activity.Kind.TALENT_REGISTRY:
        raise ValidationError(_("此活動不是數位人才資料庫。"))
    require_reviewer(user, activity.plan)
    staff = plan_staff(activity.plan) & Employee.objects.visible_to(user)
    employee = staff.select_related("agency").filter(pk=employee_id).first()
    if employee is None:
        raise PermissionDenied(_("只能遴選本計畫適用機關的人員。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("請填寫遴選理由。"))
    if SeedTeacher.objects.filter(activity=activity, employee=employee).exists():
        raise ValidationError(_("%(name)s已在數位人才資料庫中。") % {"name": employee.name})
    found = talent_candidates(activity, staff.filter(pk=employee.pk))
    source, basis = (found[0].source, "、".join(found[0].basis)) if found else (SeedTeacher.Source.NAMED, "")
    teacher = SeedTeacher.objects.create(
        activity=activity, employee=employee, source=source, basis=basis[:300], reason=reason[:300], selected_by=user
    )
    audit.record(
        user,
        "seed_teacher_select",
        teacher,
        f"遴選 {employee.name} 為種籽教師",
        after={"employee": employee.pk, "source": source, "basis": basis, "reason": reason},
    )
    return teacher


@transaction.atomic
def remove_seed_teacher(user, teacher: SeedTeacher) -> None:
    """HR takes a person off the registry; the audit entry keeps who, why they were on it, and when."""
    teacher = (
        SeedTeacher.objects.select_for_update(of=("self",))
        .select_related("activity__plan", "employee")
        .filter(pk=teacher.pk)
        .first()
    )
    if teacher is None:
        raise ValidationError(_("此人已不在數位人才資料庫中。"))
    require_reviewer(user, teacher.activity.plan)
    audit.record(
        user,
        "seed_teacher_remove",
        teacher,
        f"將 {teacher.employee.name} 移出數位人才資料庫",
        before={"employee": teacher.employee_id, "source": teacher.source, "reason": teacher.reason},
    )
    teacher.delete()


# -- The showcase (數位學習成果發表會, RAD 104 柒、六) ------------------------------------------


@transaction.atomic
def register_for_showcase(user, activity: Activity, employee_ids: list[int]) -> list[Outcome]:
    """A coordinator (or HR) registers staff for a showcase, within its capacity.

    Every person must be one the user may see; central and local staff, contract staff
    included (RAD 104 柒、六: 含約聘僱人員), so no employment type is refused. The event row is
    locked (select_for_update) and the places taken are counted after the lock, so two
    coordinators can never both take the last place. Returns one Outcome per person, in the
    order given; a refusal says why (already registered, places full). Raises PermissionDenied
    (a plan not open to the user, or someone else's staff) and ValidationError (the showcase
    is over). Writes an audit entry per registration.
    """
    if not (is_coordinator_or_hr(user)):
        raise PermissionDenied
    people = _visible_employees(user, employee_ids)
    activity = Activity.objects.select_for_update(of=("self",)).select_related("plan").get(pk=activity.pk)
    if activity.kind != Activity.Kind.SHOWCASE or not plans_run_by(user).filter(pk=activity.plan_id).exists():
        raise PermissionDenied
    if activity.ends_on and clock.today() > activity.ends_on:
        raise ValidationError(_("成果發表會已結束，不再受理報名。"))
    capacity = showcase_capacity(activity)
    taken = ShowcaseRegistration.objects.filter(activity=activity).count()
    already = set(
        ShowcaseRegistration.objects.filter(activity=activity, employee_id__in=list(people)).values_list(
            "employee_id", flat=True
        )
    )
    outcomes = []
    for employee_id in employee_ids:
        employee = people[employee_id]
        if employee_id in already:
            outcomes.append(Outcome(employee, False, _("已報名")))
        elif capacity is not None and taken >= capacity:
            outcomes.append(Outcome(employee, False, _("名額已滿（%(n)d 名）") % {"n": capacity}))
        else:
            registration = ShowcaseRegistration.objects.create(activity=activity, employee=employee, registered_by=user)
            audit.record(
                user,
                "showcase_register",
                registration,
                f"報名 {employee.name} 參加{activity.name}",
                after={"employee": employee.pk, "activity": activity.pk},
            )
            taken += 1
            already.add(employee_id)
            outcomes.append(Outcome(employee, True))
    return outcomes


@transaction.atomic
def save_showcase(
    user,
    plan: Plan,
    activity: Activity | None,
    *,
    name: str,
    starts_on,
    ends_on,
    venue: str,
    capacity: int | None,
) -> Activity:
    """The plan's HR creates (activity None) or edits a showcase (數位學習成果發表會, RAD 104 柒、六):
    its name, dates (datetime.date; ends_on defaults to starts_on), place and capacity (places,
    None for no limit). An edited event's row is locked and its registrations counted after
    the lock: the capacity may not fall below the places already taken.
    Raises PermissionDenied (not HR of the plan's government: require_reviewer) and
    ValidationError (no name, dates reversed, a negative capacity or one below the places
    taken). Writes an audit entry (showcase_save) with the values before and after.
    """
    require_reviewer(user, plan)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("請填寫名稱。"))
    ends_on = ends_on or starts_on
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError(_("迄日不得早於起日。"))
    if capacity is not None and capacity < 0:
        raise ValidationError(_("名額不得為負數。"))
    before = None
    if activity is None:
        taken = 0
        slugs = set(Activity.objects.filter(plan=plan).values_list("slug", flat=True))
        slug = next(s for s in (f"showcase-{n}" if n else "showcase" for n in range(len(slugs) + 1)) if s not in slugs)
        activity = Activity(plan=plan, slug=slug, kind=Activity.Kind.SHOWCASE)
    else:
        activity = Activity.objects.select_for_update(of=("self",)).get(pk=activity.pk)
        if activity.kind != Activity.Kind.SHOWCASE or activity.plan_id != plan.pk:
            raise PermissionDenied
        taken = ShowcaseRegistration.objects.filter(activity=activity).count()
        before = {
            "name": activity.name,
            "start": activity.starts_on.isoformat() if activity.starts_on else None,
            "end": activity.ends_on.isoformat() if activity.ends_on else None,
            "venue": (activity.details or {}).get("venue", ""),
            "capacity": showcase_capacity(activity),
        }
    if capacity is not None and capacity < taken:
        raise ValidationError(_("已有 %(n)d 人報名，名額不得少於報名人數。") % {"n": taken})
    details = dict(activity.details or {})
    details.pop("expected_participants", None)  # the capacity HR states replaces the plan's estimate
    details["venue"] = (venue or "").strip()
    if capacity is None:
        details.pop("capacity", None)
    else:
        details["capacity"] = capacity
    activity.name, activity.starts_on, activity.ends_on, activity.details = name, starts_on, ends_on, details
    activity.save()
    audit.record(
        user,
        "showcase_save",
        activity,
        name,
        before=before,
        after={
            "name": name,
            "start": starts_on.isoformat() if starts_on else None,
            "end": ends_on.isoformat() if ends_on else None,
            "venue": details["venue"],
            "capacity": capacity,
        },
    )
    return activity


@transaction.atomic
def cancel_showcase_registration(user, registration: ShowcaseRegistration) -> None:
    """The coordinator (or HR) who may see the person withdraws their registration; the place is free again."""
    registration = (
        ShowcaseRegistration.objects.select_for_update(of=("self",))
        .select_related("employee", "activity")
        .filter(pk=registration.pk)
        .first()
    )
    if registration is None:
        raise ValidationError(_("此筆報名已取消。"))
    if not Employee.objects.visible_to(user).filter(pk=registration.employee_id).exists() or not (
        is_coordinator_or_hr(user)
    ):
        raise PermissionDenied
    audit.record(
        user,
        "showcase_cancel",
        registration,
        f"取消 {registration.employee.name} 的{registration.activity.name}報名",
        before={"employee": registration.employee_id, "activity": registration.activity_id},
    )
    registration.delete()


# -- Reflections: 微心得 (RAD 104 柒、五) and i writing (Tainan 101 伍、四、（四）) -------------


@transaction.atomic
def write_reflection(user, activity: Activity, kind: str, item: str, text: str) -> Reflection:
    """An employee writes a reflection on what they learned, under an activity that takes them.

    `kind` is a Reflection.Kind value (a book, journal, film, e-book, course or TED talk);
    `item` names it. The text is counted as a person counts (models.count_characters: NFC,
    every character one, line breaks nothing) against the activity's `max_reflection_chars`
    (微心得: 300) and `min_reflection_chars` (i writing: 1,000), both inclusive. The activity
    must be of a plan covering the writer's government (or a central plan) and, when it has
    dates, open today. Raises PermissionDenied (no employee, a plan not theirs) and
    ValidationError (Traditional Chinese). Writes an audit entry.
    """
    if not getattr(user, "employee_id", None):
        raise PermissionDenied(_("只有人員本人可以撰寫心得。"))
    employee = Employee.objects.select_related("agency").get(pk=user.employee_id)
    activity = reflection_activities().filter(pk=activity.pk, plan__in=plans_for_employee(employee)).first()
    if activity is None:
        raise PermissionDenied
    today = clock.today()
    if (activity.starts_on and today < activity.starts_on) or (activity.ends_on and today > activity.ends_on):
        raise ValidationError(_("「%(name)s」不在活動期間，不受理心得。") % {"name": activity.name})
    errors = {}
    if kind not in Reflection.Kind.values:
        errors["kind"] = _("請選擇學習類別。")
    item = (item or "").strip()
    if not item:
        errors["item"] = _("請填寫學習項目（書名、課程名稱等）。")
    details = activity.details or {}
    problem = reflection_length_problem(
        text or "", details.get("min_reflection_chars"), details.get("max_reflection_chars")
    )
    if not (text or "").strip():
        problem = _("請填寫心得。")
    if problem:
        errors["text"] = problem
    if errors:
        raise ValidationError(errors)
    reflection = Reflection.objects.create(
        activity=activity, employee=employee, kind=kind, item=item[:200], text=text, characters=count_characters(text)
    )
    audit.record(
        user,
        "reflection_write",
        reflection,
        f"{employee.name}：{activity.name}「{reflection.item}」",
        after={"activity": activity.pk, "kind": kind, "characters": reflection.characters},
    )
    return reflection


# -- The reading bid (數位閱讀計畫競標, Kaohsiung 103 陸、五) --------------------------------------

READING_BID_FIELDS = ["title", "activities", "materials", "forum", "starts_on", "ends_on"]


def _bid_snapshot(bid: ReadingBid) -> dict:
    return {name: str(getattr(bid, name)) if getattr(bid, name) is not None else None for name in READING_BID_FIELDS}


@transaction.atomic
def save_reading_bid(user, bid: ReadingBid) -> ReadingBid:
    """A coordinator saves a draft activity plan for one of their agencies (a new one, or their
    draft). `bid` carries the form's values (activity, agency, title, activities, materials,
    forum, starts_on, ends_on). Raises PermissionDenied (not a coordinator of that agency, a plan
    not open to them) and ValidationError (a bid already sent, dates reversed)."""
    if not is_coordinator_or_hr(user):
        raise PermissionDenied
    if (
        not Agency.objects.visible_to(user).filter(pk=bid.agency_id).exists()
        or not reading_bid_activities_for(user).filter(pk=bid.activity_id).exists()
    ):
        raise PermissionDenied
    before = None
    if bid.pk:
        current = ReadingBid.objects.select_for_update(of=("self",)).get(pk=bid.pk)
        if current.status != ReadingBid.Status.DRAFT:
            raise ValidationError(_("已送出的活動計畫不能再修改。"))
        if not Agency.objects.visible_to(user).filter(pk=current.agency_id).exists():
            raise PermissionDenied
        before = _bid_snapshot(current)
    if bid.starts_on and bid.ends_on and bid.starts_on > bid.ends_on:
        raise ValidationError({"ends_on": [_("活動迄日不可早於起日。")]})
    if not (bid.title or "").strip():
        raise ValidationError({"title": [_("請填寫活動計畫名稱。")]})
    bid.status = ReadingBid.Status.DRAFT
    if not bid.pk:
        bid.created_by = user
    bid.save()
    audit.record(user, "reading_bid_save", bid, bid.title, before=before, after=_bid_snapshot(bid))
    return bid


def reading_bid_missing(bid: ReadingBid) -> list[str]:
    """What a bid still lacks before it can be sent (陸、五: 閱讀e學中心數位課程或電子書，並參與線上
    討論及於e學中心成立社群論壇): the activities, the courses or e-books, the forum, the dates."""
    missing = []
    for name, label in (
        ("activities", _("活動內容")),
        ("materials", _("閱讀之數位課程或電子書")),
        ("forum", _("成立之社群論壇")),
    ):
        if not (getattr(bid, name) or "").strip():
            missing.append(label)
    if not bid.starts_on or not bid.ends_on:
        missing.append(_("活動起迄日期"))
    return missing


@transaction.atomic
def submit_reading_bid(user, bid: ReadingBid) -> ReadingBid:
    """The coordinator sends the draft within the application window (queries.reading_bid_window,
    both days included). Raises PermissionDenied and ValidationError (outside the window, fields
    missing, already sent)."""
    bid = ReadingBid.objects.select_for_update(of=("self",)).select_related("activity", "agency").get(pk=bid.pk)
    if not is_coordinator_or_hr(user):
        raise PermissionDenied
    if not Agency.objects.visible_to(user).filter(pk=bid.agency_id).exists():
        raise PermissionDenied
    if bid.status not in READING_BID_TRANSITIONS["submit"][0]:
        raise ValidationError(_("此活動計畫已送出（%(status)s）。") % {"status": bid.get_status_display()})
    start, end = reading_bid_window(bid.activity)
    today = clock.today()
    if (start and today < start) or (end and today > end):
        raise ValidationError(
            _("不在受理申請期間（%(start)s至%(end)s）。")
            % {"start": rocdate.to_roc_long(start) if start else "", "end": rocdate.to_roc_long(end) if end else ""}
        )
    missing = reading_bid_missing(bid)
    if missing:
        raise ValidationError(_("尚未填寫：%(fields)s") % {"fields": "、".join(str(m) for m in missing)})
    bid.status = READING_BID_TRANSITIONS["submit"][1]
    bid.submitted_at = timezone.now()
    bid.save(update_fields=["status", "submitted_at", "updated_at"])
    audit.record(
        user,
        "reading_bid_submit",
        bid,
        bid.title,
        before={"status": ReadingBid.Status.DRAFT},
        after={"status": bid.status},
    )
    return bid


@transaction.atomic
def decide_reading_bid(user, bid: ReadingBid, selected: bool, score, note: str = "") -> ReadingBid:
    """The plan's HR scores a sent bid (0–100, one decimal) and selects it or not; the agency
    sees the outcome, the score and the note. Raises PermissionDenied (not the plan's HR) and
    ValidationError (not sent, decided already, no or bad score)."""
    bid = ReadingBid.objects.select_for_update(of=("self",)).select_related("activity__plan").get(pk=bid.pk)
    require_reviewer(user, bid.activity.plan)
    action = "select" if selected else "not_select"
    sources, target, _who = READING_BID_TRANSITIONS[action]
    if bid.status not in sources:
        raise ValidationError(
            _("「%(title)s」目前為%(status)s，不能再評選。") % {"title": bid.title, "status": bid.get_status_display()}
        )
    try:
        score = Decimal(str(score).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"score": [_("請填寫 0 到 100 的評分。")]}) from None
    if not score.is_finite() or score < 0 or score > 100 or score != score.quantize(Decimal("0.1")):
        raise ValidationError({"score": [_("請填寫 0 到 100 的評分（至多一位小數）。")]})
    before = bid.status
    bid.status, bid.score, bid.review_note, bid.decided_at = target, score, (note or "").strip()[:500], timezone.now()
    bid.save(update_fields=["status", "score", "review_note", "decided_at", "updated_at"])
    audit.record(
        user,
        "reading_bid_decide",
        bid,
        f"{bid.title}：{bid.get_status_display()}（{score} 分）",
        before={"status": before},
        after={"status": bid.status, "score": str(score), "note": bid.review_note},
    )
    return bid
