from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("組織與人員")

    def ready(self):
        from . import audit
        from .models import Agency, ImportBatch

        # A batch the officer's government submitted (ImportBatch.objects.visible_to); an agency
        # of the government (a timetable job, an admin edit).
        audit.register_attribution("portal.importbatch", ImportBatch.objects.visible_to)
        audit.register_attribution("portal.agency", Agency.objects.visible_to)
