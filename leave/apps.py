from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeaveConfig(AppConfig):
    name = "leave"
    verbose_name = _("公餘學習補休")

    def ready(self):
        from incentives.standing import register_person_section
        from portal.signals import import_applied

        from .signals import grant_after_import
        from .summary import leave_summary

        import_applied.connect(grant_after_import, dispatch_uid="leave.grant_after_import")
        # The person's own page (incentives) shows their leave; leave builds on incentives, not the reverse.
        register_person_section("leave", leave_summary)
