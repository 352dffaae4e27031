"""Who may see what, decided in one place (DOMAIN.md, "Roles").

Two kinds of answer, both from here:

- lists: every view, export and admin list starts from `Model.objects.visible_to(user)`
  (portal.queries) or from the scope an app registered for its model (`register_scope`);
- one object: `get_visible_or_404(user, Model or queryset, **lookup)` fetches it from that
  scope and then asks the model's rule (`<app>.view_<model>`, registered with django-rules),
  so an object the user may not see answers 404 whatever page asks.

The rules are django-rules predicates composed with `|` and `&`:

- `is_hr`: an HR officer (a superuser counts as one), serving every government or one;
- `serves_every_government`: HR serving every government (sees every government's data);
- `is_hr_of(government)`, `coordinates(agency)`, `heads(unit)`, `is_self(employee)`.

Roles are named through `portal.roles.Role` only.
"""

from collections.abc import Callable

import rules
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.shortcuts import get_object_or_404

from .models import Agency
from .queries import served_agency_ids
from .queries import serves_every_government as _serves_every_government
from .roles import Role


@rules.predicate
def is_authenticated(user) -> bool:
    """A signed-in, active account."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


@rules.predicate
def is_hr(user) -> bool:
    """An HR officer (any scope; a superuser counts as one)."""
    return bool(is_authenticated(user) and (user.is_superuser or user.role == Role.HR))


@rules.predicate
def is_coordinator(user) -> bool:
    """An agency's coordinator (機關承辦人)."""
    return bool(is_authenticated(user) and user.role == Role.COORDINATOR)


@rules.predicate
def is_supervisor(user) -> bool:
    """A unit's head (單位主管)."""
    return bool(is_authenticated(user) and user.role == Role.SUPERVISOR)


@rules.predicate
def serves_every_government(user) -> bool:
    """HR serving every government: a superuser, or an HR officer without agencies."""
    return bool(is_authenticated(user) and _serves_every_government(user))


def _pk(value):
    return getattr(value, "pk", value)


@rules.predicate
def serves_agency(user, agency) -> bool:
    """`agency` is one the user serves (their agencies and everything below them)."""
    if agency is None or not is_authenticated(user):
        return False
    return serves_every_government(user) or _pk(agency) in served_agency_ids(user)


@rules.predicate
def serves_government(user, government) -> bool:
    """`government` (an Agency without parent, or its pk) is that of an agency the user serves."""
    if government is None or not is_authenticated(user):
        return False
    if serves_every_government(user):
        return True
    return _pk(government) in {
        g or pk for pk, g in Agency.objects.filter(pk__in=served_agency_ids(user)).values_list("pk", "government_id")
    }


is_hr_of = is_hr & serves_government  # is_hr_of(user, government)
coordinates = is_coordinator & serves_agency  # coordinates(user, agency)


@rules.predicate
def heads(user, unit) -> bool:
    """The user heads `unit` (a Unit or its pk)."""
    return bool(unit is not None and is_authenticated(user) and user.headed_units.filter(pk=_pk(unit)).exists())


@rules.predicate
def is_self(user, employee) -> bool:
    """`employee` is the person the account belongs to."""
    return bool(employee is not None and is_authenticated(user) and user.employee_id == _pk(employee))


@rules.predicate
def _employee_agency_served(user, employee) -> bool:
    return (is_hr | is_coordinator)(user) and serves_agency(user, employee.agency_id)


@rules.predicate
def _employee_unit_headed(user, employee) -> bool:
    return is_supervisor(user) and heads(user, employee.unit_id)


# Who sees a person: themselves, HR of (or a coordinator serving) their agency, the head of their unit.
may_see_employee = is_self | _employee_agency_served | _employee_unit_headed

rules.add_perm("portal.view_employee", may_see_employee)


@rules.predicate
def works_in(user, agency) -> bool:
    """The account's person works in `agency`."""
    return bool(is_authenticated(user) and user.employee_id and agency.employees.filter(pk=user.employee_id).exists())


# Who sees an agency: HR or a coordinator serving it, and the people who work there.
rules.add_perm("portal.view_agency", (is_hr | is_coordinator) & serves_agency | works_in)


# -- scopes of other apps' models ---------------------------------------------------------------
_SCOPES: dict[type, Callable] = {}


def register_scope(model: type, scope: Callable) -> None:
    """Declare what of `model` a user may see: scope(user) -> queryset (from an app's
    `AppConfig.ready()`, for a model without `objects.visible_to`)."""
    _SCOPES[model] = scope


def visible(user, model_or_queryset):
    """The rows of a model (or of a queryset of it) that `user` may see."""
    if isinstance(model_or_queryset, models.QuerySet):
        queryset, model = model_or_queryset, model_or_queryset.model
    else:
        model = model_or_queryset
        queryset = model._default_manager.all()
    if model in _SCOPES:
        return queryset & _SCOPES[model](user)
    if hasattr(queryset, "visible_to"):
        return queryset.visible_to(user)
    raise ImproperlyConfigured(f"{model.__name__}: no visible_to and no registered scope (portal.access)")


def get_visible_or_404(user, model_or_queryset, **lookup):
    """The object matching `lookup` among those `user` may see, or 404 (never 403: an object
    outside the user's scope is not there for them). Views, exports and the admin fetch
    single objects through this."""
    obj = get_object_or_404(visible(user, model_or_queryset), **lookup)
    meta = obj._meta
    permission = f"{meta.app_label}.view_{meta.model_name}"
    if rules.perm_exists(permission) and not rules.has_perm(permission, user, obj):
        from django.http import Http404

        raise Http404
    return obj
