from django.db.models import Count, Q

from portal import clock
from portal.models import Agency
from portal.permissions import is_hr

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


def nominations_visible_to(user):
    if is_hr(user):
        return Nomination.objects.all()
    return Nomination.objects.filter(employee__agency__in=Agency.objects.visible_to(user)) if user.role == "coordinator" \
        else Nomination.objects.filter(employee_id=user.employee_id)


def proposals_visible_to(user):
    if is_hr(user):
        return Proposal.objects.all()
    if getattr(user, "role", "") == "coordinator":
        return Proposal.objects.filter(agency__in=Agency.objects.visible_to(user))
    return Proposal.objects.none()


def camp_nominations_visible_to(user):
    if is_hr(user):
        return CampNomination.objects.all()
    if getattr(user, "role", "") == "coordinator":
        return CampNomination.objects.filter(employee__agency__in=Agency.objects.visible_to(user))
    return CampNomination.objects.filter(employee_id=user.employee_id) if user.employee_id else CampNomination.objects.none()


def contest_entries_visible_to(user):
    """Works of the user's agencies: entered by one of them, or with an author in one of them."""
    if is_hr(user):
        return ContestEntry.objects.all()
    if getattr(user, "role", "") == "coordinator":
        agencies = Agency.objects.visible_to(user)
        return ContestEntry.objects.filter(Q(agency__in=agencies) | Q(authors__agency__in=agencies)).distinct()
    return ContestEntry.objects.none()


def plans_run_by(user):
    """The plans a coordinator or HR officer works on (staff standing, nominations, camps,
    proposals): HR every plan, a coordinator those of their governments and those that
    cover every government (RAD's)."""
    plans = Plan.objects.select_related("issuer").order_by("-roc_year", "slug")
    if is_hr(user):
        return plans
    if getattr(user, "role", "") != "coordinator":
        return plans.none()
    governments = {government or pk for pk, government in Agency.objects.visible_to(user).values_list("pk", "government_id")}
    return plans.filter(Q(issuer__in=governments) | Q(parameters__coverage_scope="all"))
