from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("年度計畫")

    def ready(self):
        from portal import audit

        from . import signals  # noqa: F401 (connects the guards)

        # `load_plans` writes on plans: a plan the officer's government issued.
        audit.register_attribution("programs.plan", _plans_of)


def _plans_of(user):
    """Plans issued by an agency the user serves (system-job audit entries, portal.audit)."""
    from portal.models import Agency

    from .models import Plan

    return Plan.objects.filter(issuer__in=Agency.objects.visible_to(user))
