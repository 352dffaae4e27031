from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("年度計畫")

    def ready(self):
        from portal.access import register_scope
        from portal.registry import register_home_panel, register_importer

        from . import importers, signals  # noqa: F401 (signals connects the guards)
        from .models import Plan
        from .queries import plans_run_by

        register_importer("certificates", importers.CertificateImporter, _("證書"))
        register_importer("team-ratings", importers.TeamRatingImporter, _("熠星團隊評等"))
        register_importer("contest", importers.ContestImporter, _("競賽結果"))
        register_importer("case-reports", importers.CaseReportImporter, _("案例報告"))
        # The home page lists the plans the user runs.
        register_home_panel(lambda user: {"plans": plans_run_by(user)})
        # A plan's working pages (standing, KPIs, rosters, desk) are for those who run it.
        register_scope(Plan, plans_run_by)
