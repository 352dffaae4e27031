from django.db.models import Count, Q

from portal.models import Agency
from portal.permissions import is_hr

from .models import Nomination, Proposal, Session


def sessions_open_to(user):
    """Sessions a coordinator may nominate to (class data is not agency data)."""
    return (Session.objects.select_related("training_class__activity__plan")
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
