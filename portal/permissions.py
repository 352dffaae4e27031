"""What a page asks of a user's role, built on the predicates of portal.access (where
access is decided); this module adds what follows from them (masking, headings)."""

from . import nationalid
from .access import is_authenticated, is_coordinator, is_hr, is_supervisor

__all__ = [
    "is_authenticated",
    "is_hr",
    "sees_full_national_id",
    "national_id_for",
    "can_list_people",
    "is_coordinator_or_hr",
    "require_coordinator_or_hr",
    "scope_label",
]


def sees_full_national_id(user) -> bool:
    """Only HR staff see national IDs unmasked (DOMAIN.md, "National ID numbers")."""
    return is_hr(user)


def national_id_for(user, national_id: str) -> str:
    """The ID as `user` may read it: whole for HR, masked for everyone else."""
    return national_id if sees_full_national_id(user) else nationalid.mask(national_id)


# Lists of people: HR, coordinators and unit heads.
can_list_people = is_hr | is_coordinator | is_supervisor
is_coordinator_or_hr = is_hr | is_coordinator


def require_coordinator_or_hr(user) -> None:
    """PermissionDenied unless `user` is HR or a coordinator."""
    from django.core.exceptions import PermissionDenied

    if not is_coordinator_or_hr(user):
        raise PermissionDenied


def scope_label(user) -> str:
    """Whose data a printed list covers, for its heading."""
    return "全部機關" if is_hr(user) else "、".join(user.agencies.values_list("name", flat=True))
