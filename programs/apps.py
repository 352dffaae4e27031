from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("年度計畫")

    def ready(self):
        from . import signals  # noqa: F401 (connects the guards)
