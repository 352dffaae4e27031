from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = _("獎勵")

    def ready(self):
        from portal.registry import register_document

        from .reports import build_roster_document

        register_document("roster", build_roster_document, _("敘獎名冊"))
