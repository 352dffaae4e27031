from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from portal import clock
from portal.models import Agency
from portal.permissions import is_coordinator_or_hr, is_hr
from portal.queries import serves_every_government

from .models import (
    Activity,
    CampNomination,
    ClassHistory,
    ContestEntry,
    Nomination,
    Plan,
    Proposal,
    ReadingBid,
    Reflection,
    SeedTeacher,
    Session,
    ShowcaseRegistration,
)


def sessions_open_to(user, today=None):
    """Sessions a coordinator may nominate to: of the plans open to them (class data is not
    agency data), and not already over."""
    today = today or clock.today()
    return (
        Session.objects.filter(training_class__activity__plan__in=plans_run_by(user))
        .exclude(ends_on__lt=today)
        .select_related("training_class__activity__plan")
        .annotate(nominated=Count("nominations", filter=Q(nominations__status__in=["nominated", "confirmed"])))
        .order_by("training_class__activity__plan__slug", "training_class_id", "number")
    )


def _sees_by_agency(user) -> bool:
    """A coordinator, or an HR officer serving one government (`serves_every_government` is
    false): they see their agencies' submissions, and HR also those sent to its own plans."""
    return is_coordinator_or_hr(user)


def _own_plans(user) -> Q:
    """For HR serving one government: what is submitted to the plans it reviews, whoever
    submits it (RAD's HR and the covered governments, DOMAIN.md roles). Nothing for coordinators."""
    return Q(pk__in=[]) if not is_hr(user) else Q(plan__in=plans_reviewed_by(user))


def nominations_visible_to(user):
    if serves_every_government(user):
        return Nomination.objects.all()
    if _sees_by_agency(user):
        own_plans = (
            Q(session__training_class__activity__plan__in=plans_reviewed_by(user)) if is_hr(user) else Q(pk__in=[])
        )
        return Nomination.objects.filter(Q(employee__agency__in=Agency.objects.visible_to(user)) | own_plans)
    return Nomination.objects.filter(employee_id=user.employee_id)


def proposals_visible_to(user):
    if serves_every_government(user):
        return Proposal.objects.all()
    if _sees_by_agency(user):
        own_plans = Q(activity__plan__in=plans_reviewed_by(user)) if is_hr(user) else Q(pk__in=[])
        # A draft saved before its agency was chosen is its author's alone.
        own_draft = Q(agency__isnull=True, created_by=user)
        return Proposal.objects.filter(Q(agency__in=Agency.objects.visible_to(user)) | own_plans | own_draft)
    return Proposal.objects.none()


def camp_nominations_visible_to(user):
    if serves_every_government(user):
        return CampNomination.objects.all()
    if _sees_by_agency(user):
        own_plans = Q(activity__plan__in=plans_reviewed_by(user)) if is_hr(user) else Q(pk__in=[])
        return CampNomination.objects.filter(Q(employee__agency__in=Agency.objects.visible_to(user)) | own_plans)
    return (
        CampNomination.objects.filter(employee_id=user.employee_id)
        if user.employee_id
        else CampNomination.objects.none()
    )


def contest_entries_visible_to(user):
    """Works of the user's agencies: entered by one of them, or with an author in one of them;
    HR serving one government also the works entered in its own plans."""
    if serves_every_government(user):
        return ContestEntry.objects.all()
    if _sees_by_agency(user):
        agencies = Agency.objects.visible_to(user)
        return ContestEntry.objects.filter(
            Q(agency__in=agencies) | Q(authors__agency__in=agencies) | _own_plans(user)
        ).distinct()
    return ContestEntry.objects.none()


def plans_run_by(user):
    """The plans a coordinator or HR officer works on (staff standing, nominations, camps,
    proposals, KPIs, rosters, the decision desk): every plan for HR serving every government;
    for a coordinator or an HR officer serving one government, the plans of their governments
    and those that cover every government (RAD's). The scope of `Plan` in portal.access."""
    plans = Plan.objects.select_related("issuer").order_by("-roc_year", "slug")
    if serves_every_government(user):
        return plans
    if not is_coordinator_or_hr(user):
        return plans.none()
    governments = {
        government or pk for pk, government in Agency.objects.visible_to(user).values_list("pk", "government_id")
    }
    return plans.filter(Q(issuer__in=governments) | Q(parameters__coverage_scope="all"))


def _served_governments(user) -> set[int]:
    return {government or pk for pk, government in user.agencies.values_list("pk", "government_id")}


def plans_reviewed_by(user):
    """The plans whose 熠星 proposals an HR officer decides (select, confirm renewals, rate):
    those their government issued — RAD's HR for RAD's central plans (coverage_scope "all"),
    which every local government applies to. An HR officer with no agencies (or a superuser)
    serves every government; coordinators, employees and supervisors review none."""
    plans = Plan.objects.select_related("issuer").order_by("-roc_year", "slug")
    if not is_hr(user):
        return plans.none()
    if serves_every_government(user):
        return plans
    governments = _served_governments(user)
    return plans.filter(Q(issuer_id__in=governments) | Q(issuer__government_id__in=governments))


def proposals_to_review(user):
    """Proposals sent to the plans an HR officer reviews (drafts are the coordinator's own)."""
    return Proposal.objects.filter(activity__plan__in=plans_reviewed_by(user)).exclude(status=Proposal.Status.DRAFT)


def proposal_team_candidates(user, government=None):
    """Staff a proposal's team may be picked from: people of the proposing government
    (`government`, an Agency; None: any the user serves) whom the user may see. A 本府 team
    may span the government's agencies: a coordinator serving the government itself sees
    them all; one serving a single agency picks from that agency's staff (coordinators see
    only their own agencies' people — DOMAIN.md, roles). Never another government's."""
    from portal.models import Employee

    staff = Employee.objects.visible_to(user).filter(active=True)
    if government is not None:
        staff = staff.filter(Q(agency_id=government.pk) | Q(agency__government_id=government.pk))
    return staff.select_related("agency", "unit").order_by("agency__name", "unit__name", "name")


def earlier_selected_proposals(user, government_ids, roc_year):
    """What a renewal may continue: the governments' selected or rated proposals of earlier
    years, among those the user may see."""
    return (
        proposals_visible_to(user)
        .filter(
            Q(agency_id__in=government_ids) | Q(agency__government_id__in=government_ids),
            status__in=[Proposal.Status.SELECTED, Proposal.Status.RATED],
            activity__plan__roc_year__lt=roc_year,
        )
        .select_related("activity__plan")
        .order_by("-activity__plan__roc_year", "title")
    )


# -- The digital-talent registry, the showcase, reflections (issue 19) ---------------------


def plan_staff(plan):
    """Employees a plan's activities speak to, by agency: its own government's staff, or everyone
    for a central plan (coverage_scope "all", RAD's). Employment types are not filtered here: the
    showcase names contract staff (含約聘僱人員) and the registry may name anyone HR chooses."""
    from portal.models import Employee

    staff = Employee.objects.filter(active=True)
    if (plan.parameters or {}).get("coverage_scope") == "all":
        return staff
    government = plan.issuer.government_id or plan.issuer_id
    return staff.filter(Q(agency_id=government) | Q(agency__government_id=government))


def plans_for_employee(employee):
    """The plans whose activities an employee takes part in on their own (reflections): their
    government's and the central ones."""
    government = employee.agency.government_id or employee.agency_id
    return Plan.objects.filter(
        Q(issuer_id=government) | Q(issuer__government_id=government) | Q(parameters__coverage_scope="all")
    )


def talent_activities_for(user):
    """Registries (數位人才資料庫) a coordinator or HR works with: of the plans they run."""
    return (
        Activity.objects.filter(kind=Activity.Kind.TALENT_REGISTRY, plan__in=plans_run_by(user))
        .select_related("plan__issuer")
        .order_by("-plan__roc_year", "plan__slug")
    )


def seed_teachers_visible_to(user):
    """HR: the registries of the plans they review, and anyone of their agencies; coordinators:
    their agencies' people; an employee: their own entries."""
    if serves_every_government(user):
        return SeedTeacher.objects.all()
    if _sees_by_agency(user):
        own_plans = Q(activity__plan__in=plans_reviewed_by(user)) if is_hr(user) else Q(pk__in=[])
        return SeedTeacher.objects.filter(Q(employee__agency__in=Agency.objects.visible_to(user)) | own_plans)
    if getattr(user, "employee_id", None):
        return SeedTeacher.objects.filter(employee_id=user.employee_id)
    return SeedTeacher.objects.none()


@dataclass
class TalentCandidate:
    """Someone the portal knows as a possible seed teacher: why (source) and on what (basis)."""

    employee: object
    source: str
    basis: list = field(default_factory=list)


def talent_candidates(activity, staff) -> list[TalentCandidate]:
    """Possible seed teachers among `staff` (an Employee queryset): prize-winners (名次 1–3 or
    佳作) of any contest the portal holds, and those who attended the activity's
    `candidate_classes` (ClassHistory slugs; default the seed and advanced material classes).
    Contest winners first, then by agency and name. Three queries."""
    basis: dict[int, list[str]] = {}
    sources: dict[int, str] = {}
    winners = (
        ContestEntry.authors.through.objects.filter(employee__in=staff.values("pk"))
        .exclude(contestentry__placing="")
        .select_related("contestentry")
    )
    for link in winners:
        sources[link.employee_id] = SeedTeacher.Source.CONTEST
        basis.setdefault(link.employee_id, []).append(
            f"{link.contestentry.title}（{link.contestentry.get_placing_display()}）"
        )
    classes = (activity.details or {}).get("candidate_classes") or ["seed", "advanced"]
    for employee_id, name in (
        ClassHistory.objects.filter(employee__in=staff.values("pk"), class_slug__in=classes)
        .order_by("attended_on")
        .values_list("employee_id", "class_name")
    ):
        sources.setdefault(employee_id, SeedTeacher.Source.CLASS)
        if name not in basis.setdefault(employee_id, []):
            basis[employee_id].append(name)
    people = staff.filter(pk__in=list(sources)).select_related("agency", "unit").order_by("agency__name", "name")
    rows = [TalentCandidate(e, sources[e.pk], basis[e.pk]) for e in people]
    return sorted(rows, key=lambda c: c.source != SeedTeacher.Source.CONTEST)


def showcase_activities_for(user):
    """Showcases (成果發表會) a coordinator or HR may register staff for or look at."""
    return (
        Activity.objects.filter(kind=Activity.Kind.SHOWCASE, plan__in=plans_run_by(user))
        .select_related("plan__issuer")
        .order_by("-plan__roc_year", "plan__slug")
    )


def showcase_capacity(activity) -> int | None:
    """The showcase's places: `capacity` in its details, else `expected_participants` (RAD 104
    柒、六: 預計300人); None when neither is set (no limit)."""
    details = activity.details or {}
    value = details.get("capacity", details.get("expected_participants"))
    return int(value) if value not in (None, "") else None


def showcase_registrations_visible_to(user):
    """HR: every registration of the plans they review (RAD's HR sees what the covered
    governments submit, DOMAIN.md roles) and of their agencies; coordinators: their agencies'."""
    if serves_every_government(user):
        return ShowcaseRegistration.objects.all()
    if _sees_by_agency(user):
        own_plans = Q(activity__plan__in=plans_reviewed_by(user)) if is_hr(user) else Q(pk__in=[])
        return ShowcaseRegistration.objects.filter(Q(employee__agency__in=Agency.objects.visible_to(user)) | own_plans)
    if getattr(user, "employee_id", None):
        return ShowcaseRegistration.objects.filter(employee_id=user.employee_id)
    return ShowcaseRegistration.objects.none()


def reflection_activities():
    """Activities that take written reflections: a 微心得 limit or an i writing minimum."""
    return Activity.objects.filter(
        Q(details__has_key="max_reflection_chars") | Q(details__has_key="min_reflection_chars")
    ).select_related("plan")


def reflections_visible_to(user):
    """HR: reflections written under the plans they review and by their agencies' people;
    everyone else: their own."""
    if serves_every_government(user):
        return Reflection.objects.all()
    if is_hr(user):
        return Reflection.objects.filter(
            Q(employee__agency__in=Agency.objects.visible_to(user)) | Q(activity__plan__in=plans_reviewed_by(user))
        )
    if getattr(user, "employee_id", None):
        return Reflection.objects.filter(employee_id=user.employee_id)
    return Reflection.objects.none()


@dataclass
class PersonActivity:
    """An activity the person is listed in (as a seed teacher) or registered for (a showcase)."""

    activity: Activity


def person_programs_section(employee) -> dict:
    """What the person's own page shows of the programs side: their registry entries (with the
    plan) and showcase registrations, newest plan first, as {"seed_teachers": [PersonActivity],
    "showcases": [PersonActivity]}. One query (issue 20): the activities either names them in,
    with their plans."""
    listed = SeedTeacher.objects.filter(activity=OuterRef("pk"), employee=employee)
    registered = ShowcaseRegistration.objects.filter(activity=OuterRef("pk"), employee=employee)
    activities = list(
        Activity.objects.annotate(listed=Exists(listed), registered=Exists(registered))
        .filter(Q(listed=True) | Q(registered=True))
        .select_related("plan")
        .order_by("-plan__roc_year", "pk")
    )
    return {
        "seed_teachers": [PersonActivity(a) for a in activities if a.listed],
        "showcases": [PersonActivity(a) for a in activities if a.registered],
    }


# -- The reading bid (Kaohsiung 103 陸、五) --------------------------------------------------


def reading_bid_activities_for(user):
    """Reading bids a coordinator may send a plan to, or HR may look at: of the plans they run."""
    return (
        Activity.objects.filter(kind=Activity.Kind.READING_BID, plan__in=plans_run_by(user))
        .select_related("plan__issuer")
        .order_by("-plan__roc_year", "plan__slug")
    )


def reading_bid_window(activity):
    """The application window (受理申請期間), both days included: the activity's
    `application_window` {"start", "end"} (ISO dates HR sets), else the activity's own dates.
    Either end may be None (open)."""
    import datetime as dt

    window = (activity.details or {}).get("application_window") or {}
    start = dt.date.fromisoformat(window["start"]) if window.get("start") else activity.starts_on
    end = dt.date.fromisoformat(window["end"]) if window.get("end") else activity.ends_on
    return start, end


def reading_bids_visible_to(user):
    """Coordinators: their agencies' bids. HR: their agencies' and every bid sent (not drafts)
    to the plans they review."""
    if serves_every_government(user):
        return ReadingBid.objects.all()
    if _sees_by_agency(user):
        own_plans = (
            Q(activity__plan__in=plans_reviewed_by(user)) & ~Q(status=ReadingBid.Status.DRAFT)
            if is_hr(user)
            else Q(pk__in=[])
        )
        return ReadingBid.objects.filter(Q(agency__in=Agency.objects.visible_to(user)) | own_plans)
    return ReadingBid.objects.none()


def reading_bids_to_review(user):
    """Bids sent to the plans an HR officer reviews (drafts are the agency's own)."""
    return ReadingBid.objects.filter(activity__plan__in=plans_reviewed_by(user)).exclude(status=ReadingBid.Status.DRAFT)
