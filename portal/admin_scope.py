"""Admin lists and pages of agency data show what the portal's pages show (issue 15, item 6).

An HR officer serving one government reaches the admin too; its lists, change, history and
delete pages start from the same `visible_to(user)` as every page, through
`portal.queries.serves_every_government`, the one access check.
"""

from django.db.models import QuerySet

from . import access
from .queries import serves_every_government


class ScopedAdminMixin:
    """`get_queryset` limited to the rows `visible(user)` gives.

    `scope_path`: the rows belong to people (`"employee"`, `"grant__employee"`): those of the
    people `Employee.objects.visible_to(user)` gives. Without it: what `portal.access.visible`
    gives (the model's `visible_to`, or the scope its app registered). Admins of models with neither override `visible`.
    HR serving every government is not filtered at all (the same queries as before).
    """

    scope_path: str | None = None

    def visible(self, user) -> QuerySet:
        if self.scope_path:
            from .models import Employee

            return self.model._base_manager.filter(**{f"{self.scope_path}__in": Employee.objects.visible_to(user)})
        return access.visible(user, self.model)

    def scoped(self, request, queryset: QuerySet) -> QuerySet:
        if serves_every_government(request.user):
            return queryset
        return queryset.filter(pk__in=self.visible(request.user).values("pk"))

    def get_queryset(self, request):
        return self.scoped(request, super().get_queryset(request))
