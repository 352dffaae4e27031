from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("組織與人員")

    def ready(self):
        from . import tasks  # noqa: F401 (registers the jobs that portal.services queues by name)
        from .importers import RosterImporter
        from .registry import register_importer

        register_importer("roster", RosterImporter, _("人員名冊"))
