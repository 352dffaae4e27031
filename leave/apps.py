from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeaveConfig(AppConfig):
    name = "leave"
    verbose_name = _("公餘學習補休")

    def ready(self):
        from portal.signals import import_applied

        from .signals import grant_after_import

        import_applied.connect(grant_after_import, dispatch_uid="leave.grant_after_import")
