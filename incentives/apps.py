from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = _("獎勵")

    def ready(self):
        from programs.checks import KIND_TITLES, register_rule_check
        from programs.queries import person_programs_section

        from . import kinds
        from .standing import register_person_section

        # Loading, copying and the admin check a plan's rules against the kinds' schemas (programs
        # sits below incentives and never imports it).
        register_rule_check(lambda plan_name, rules, lists, sides:
                            kinds.rule_messages(plan_name, rules, kinds.PlanRefs(set(lists), set(sides))))
        KIND_TITLES.update({code: kind.title for code, kind in kinds.KINDS.items()})
        # The person's registry entries and showcase registrations on their own page (issue 19).
        register_person_section("programs", person_programs_section)
