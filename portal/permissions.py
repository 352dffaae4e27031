"""Permission predicates, kept together so every page asks the same questions."""
from . import nationalid
from .roles import Role


def is_authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_hr(user) -> bool:
    return is_authenticated(user) and user.is_hr


def sees_full_national_id(user) -> bool:
    """Only HR staff see national IDs unmasked (DOMAIN.md, "National ID numbers")."""
    return is_hr(user)


def national_id_for(user, national_id: str) -> str:
    return national_id if sees_full_national_id(user) else nationalid.mask(national_id)


def can_list_people(user) -> bool:
    return is_hr(user) or (is_authenticated(user) and user.role in (Role.COORDINATOR, Role.SUPERVISOR))


def is_coordinator_or_hr(user) -> bool:
    return is_hr(user) or (is_authenticated(user) and user.role == Role.COORDINATOR)


def require_coordinator_or_hr(user) -> None:
    from django.core.exceptions import PermissionDenied

    if not is_coordinator_or_hr(user):
        raise PermissionDenied


def scope_label(user) -> str:
    """Whose data a printed list covers, for its heading."""
    return "全部機關" if is_hr(user) else "、".join(user.agencies.values_list("name", flat=True))
