from django.db.models import Count, Q

from portal import clock
from portal.models import Agency
from portal.permissions import is_coordinator_or_hr, is_hr
from portal.queries import serves_every_government

from .models import CampNomination, ContestEntry, Nomination, Plan, Proposal, Session


def sessions_open_to(user, today=None):
    """Sessions a coordinator may nominate to: of the plans open to them (class data is not
    agency data), and not already over."""
    today = today or clock.today()
    return (Session.objects.filter(training_class__activity__plan__in=plans_run_by(user))
            .exclude(ends_on__lt=today)
            .select_related("training_class__activity__plan")
            .annotate(nominated=Count("nominations", filter=Q(nominations__status__in=["nominated", "confirmed"])))
            .order_by("training_class__activity__plan__slug", "training_class_id", "number"))


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
        own_plans = Q(session__training_class__activity__plan__in=plans_reviewed_by(user)) if is_hr(user) else Q(pk__in=[])
        return Nomination.objects.filter(Q(employee__agency__in=Agency.objects.visible_to(user)) | own_plans)
    return Nomination.objects.filter(employee_id=user.employee_id)


def proposals_visible_to(user):
    if serves_every_government(user):
        return Proposal.objects.all()
    if _sees_by_agency(user):
        own_plans = Q(activity__plan__in=plans_reviewed_by(user)) if is_hr(user) else Q(pk__in=[])
        return Proposal.objects.filter(Q(agency__in=Agency.objects.visible_to(user)) | own_plans)
    return Proposal.objects.none()


def camp_nominations_visible_to(user):
    if serves_every_government(user):
        return CampNomination.objects.all()
    if _sees_by_agency(user):
        own_plans = Q(activity__plan__in=plans_reviewed_by(user)) if is_hr(user) else Q(pk__in=[])
        return CampNomination.objects.filter(Q(employee__agency__in=Agency.objects.visible_to(user)) | own_plans)
    return CampNomination.objects.filter(employee_id=user.employee_id) if user.employee_id else CampNomination.objects.none()


def contest_entries_visible_to(user):
    """Works of the user's agencies: entered by one of them, or with an author in one of them;
    HR serving one government also the works entered in its own plans."""
    if serves_every_government(user):
        return ContestEntry.objects.all()
    if _sees_by_agency(user):
        agencies = Agency.objects.visible_to(user)
        return ContestEntry.objects.filter(Q(agency__in=agencies) | Q(authors__agency__in=agencies) | _own_plans(user)).distinct()
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
    governments = {government or pk for pk, government in Agency.objects.visible_to(user).values_list("pk", "government_id")}
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
    return (proposals_visible_to(user)
            .filter(Q(agency_id__in=government_ids) | Q(agency__government_id__in=government_ids),
                    status__in=[Proposal.Status.SELECTED, Proposal.Status.RATED],
                    activity__plan__roc_year__lt=roc_year)
            .select_related("activity__plan").order_by("-activity__plan__roc_year", "title"))
