from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeaveConfig(AppConfig):
    name = "leave"
    verbose_name = _("公餘學習補休")

    def ready(self):
        from incentives.standing import register_person_section
        from portal import audit
        from portal.signals import import_applied

        from .signals import grant_after_import
        from .summary import leave_summary

        import_applied.connect(grant_after_import, dispatch_uid="leave.grant_after_import")
        # The person's own page (incentives) shows their leave; leave builds on incentives, not the reverse.
        register_person_section("leave", leave_summary)
        # The grant and lapse jobs write on the ledger of people the officer serves.
        audit.register_attribution("leave.entry", _entries_of)
        audit.register_attribution("leave.grantreview", _reviews_of)


def _entries_of(user):
    """Ledger entries of the people the user serves (system-job audit entries, portal.audit)."""
    from portal.models import Employee

    from .models import Entry

    return Entry.objects.filter(employee__in=Employee.objects.visible_to(user))


def _reviews_of(user):
    """Grant reviews of the people the user serves."""
    from portal.models import Employee

    from .models import GrantReview

    return GrantReview.objects.filter(grant__employee__in=Employee.objects.visible_to(user))
