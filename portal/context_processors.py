"""What every page's template may ask of the signed-in user's role (issue 16).

Templates never compare `user.role` with a string: they read `roles.coordinator_or_hr` and its
siblings, each the predicate of `portal.access` that the views check.
"""

from functools import cached_property

from . import access


class Roles:
    """The user's role predicates, each computed once per request when a template reads it."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def hr(self) -> bool:
        return bool(access.is_hr(self.user))

    @cached_property
    def coordinator(self) -> bool:
        return bool(access.is_coordinator(self.user))

    @cached_property
    def supervisor(self) -> bool:
        return bool(access.is_supervisor(self.user))

    @cached_property
    def coordinator_or_hr(self) -> bool:
        return self.hr or self.coordinator

    @cached_property
    def lists_people(self) -> bool:
        """HR, coordinators and unit heads see lists of people (portal.permissions.can_list_people)."""
        return self.hr or self.coordinator or self.supervisor


def roles(request) -> dict:
    """`roles` in every template rendered with a request: `{{ roles.coordinator_or_hr }}` and so on."""
    return {"roles": Roles(getattr(request, "user", None))}
