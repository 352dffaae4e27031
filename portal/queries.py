"""The lists behind who may see what (portal.access decides it): every view and export starts from these querysets.

A view never starts from `.objects.all()` on agency data; it asks
`Model.objects.visible_to(user)`.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from .roles import Role

ANONYMOUS = "anonymous"


def _agency_model():
    # By name: portal.models imports this module for its querysets.
    return apps.get_model("portal", "Agency")


def _role(user) -> str:
    """The user's Role (a superuser counts as HR), or ANONYMOUS for no active account."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    if user.is_superuser:
        return Role.HR
    return user.role


def serves_every_government(user) -> bool:
    """The one question behind every scope: does this person see every government's data?

    True for HR serving every government: a superuser, or an HR officer without agencies.
    An HR officer with `user.agencies` set serves that government only (DOMAIN.md, roles)
    and, like a coordinator, sees by agency: every `visible_to` asks this, never
    `user.agencies` itself.
    """
    return _role(user) == Role.HR and (user.is_superuser or not user.agencies.exists())


def served_agency_ids(user) -> set[int]:
    """The agencies a coordinator (or a scoped HR officer) serves, with everything below them."""
    Agency = _agency_model()
    roots = set(user.agencies.values_list("id", flat=True))
    if not roots:
        return set()
    # Two queries at most, whatever the depth: everything under the same governments,
    # then walk parent links in Python.
    rows = Agency.objects.filter(
        models.Q(id__in=roots)
        | models.Q(government_id__in=roots)
        | models.Q(government__in=Agency.objects.filter(id__in=roots).values("government_id"))
    ).values_list("id", "parent_id")
    children: dict[int, list[int]] = {}
    for agency_id, parent_id in rows:
        children.setdefault(parent_id, []).append(agency_id)
    seen, stack = set(), list(roots)
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        stack.extend(children.get(current, ()))
    return seen


def accounts_of_government(user):
    """For an HR officer serving one government: the pks (a subquery) of the accounts serving
    agencies of that government (its coordinators and HR officers), the officer's own included.
    Whose import batches and audit entries the officer sees."""
    Agency = _agency_model()
    return (
        get_user_model()
        .objects.filter(models.Q(pk=user.pk) | models.Q(agencies__in=Agency.objects.visible_to(user)))
        .values("pk")
    )


class AgencyQuerySet(models.QuerySet):
    def visible_to(self, user):
        role = _role(user)
        if serves_every_government(user):
            return self.all()
        if role in (Role.HR, Role.COORDINATOR):
            return self.filter(id__in=served_agency_ids(user))
        if role in (Role.EMPLOYEE, Role.SUPERVISOR) and user.employee_id:
            return self.filter(employees__id=user.employee_id)
        return self.none()

    def governments(self):
        return self.filter(parent__isnull=True)


class UnitQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(agency__in=_agency_model().objects.visible_to(user))


class EmployeeQuerySet(models.QuerySet):
    def visible_to(self, user):
        role = _role(user)
        if serves_every_government(user):
            return self.all()
        if role in (Role.HR, Role.COORDINATOR):
            return self.filter(agency_id__in=served_agency_ids(user))
        if role == Role.SUPERVISOR:
            own = models.Q(id=user.employee_id) if user.employee_id else models.Q(pk__in=[])
            return self.filter(own | models.Q(unit__in=user.headed_units.all()))
        if role == Role.EMPLOYEE and user.employee_id:
            return self.filter(id=user.employee_id)
        return self.none()

    def for_agency(self, agency):
        return self.filter(agency=agency)


class ImportBatchQuerySet(models.QuerySet):
    def visible_to(self, user):
        """HR serving every government: every batch. HR serving one government: their own and
        those of the people who serve agencies of that government (its coordinators and HR).
        Anyone else: their own."""
        role = _role(user)
        if role == ANONYMOUS:
            return self.none()
        if serves_every_government(user):
            return self.all()
        if role == Role.HR:
            return self.filter(created_by__in=accounts_of_government(user))
        return self.filter(created_by=user)


class GeneratedDocumentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The requester's own documents; HR serving every government sees everyone's.

        A roster holds people's names and rewards: an HR officer scoped to one government does
        not see a roster someone else printed for all of them.
        """
        role = _role(user)
        if role == ANONYMOUS:
            return self.none()
        if serves_every_government(user):
            return self.all()
        return self.filter(requested_by=user)
