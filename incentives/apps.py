from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncentivesConfig(AppConfig):
    name = "incentives"
    verbose_name = _("獎勵")

    def ready(self):
        from portal.admin_display import register_labels
        from portal.registry import register_document
        from programs.checks import KIND_TITLES, register_rule_check
        from programs.queries import person_programs_section

        from . import kinds
        from .reports import build_roster_document

        register_document("roster", build_roster_document, _("敘獎名冊"))
        # A season's draw is seen by HR of the plan's government (fetched through get_visible_or_404).
        from portal.access import register_scope
        from programs.queries import plans_reviewed_by

        from .models import Draw

        register_scope(Draw, lambda user: Draw.objects.filter(plan__in=plans_reviewed_by(user)))
        from portal.signals import import_applied

        from .exports import build_standing_document
        from .refresh import refresh_after_import

        register_document("standing", build_standing_document, _("人員達成情形"))
        # Stored standings go stale with every import a rule counts (issue 20).
        import_applied.connect(refresh_after_import, dispatch_uid="incentives.refresh_after_import")
        # The staff page's stored counts (StandingCount) stop counting when anyone may have moved in
        # or out of them: an employee, agency or unit saved or deleted, a plan's coverage edited.
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from portal.models import Agency, Employee, Unit
        from programs.models import Plan

        from .refresh import coverage_changed

        for model in (Employee, Agency, Unit, Plan):
            for signal in (post_save, post_delete):
                signal.connect(coverage_changed, sender=model, dispatch_uid=f"incentives.counts.{model.__name__}")
        m2m_changed.connect(
            coverage_changed, sender=Plan.excluded_agencies.through, dispatch_uid="incentives.counts.excluded"
        )
        from .standing import register_person_section

        # Loading, copying and the admin check a plan's rules against the kinds' schemas (programs
        # sits below incentives and never imports it).
        register_rule_check(
            lambda plan_name, rules, lists, sides: kinds.rule_messages(
                plan_name, rules, kinds.PlanRefs(set(lists), set(sides))
            )
        )
        KIND_TITLES.update({code: kind.title for code, kind in kinds.KINDS.items()})

        # The audit actions the decision services write, as HR reads them in the admin.
        register_labels(
            actions={
                "decisions_saved": _("評估結果已儲存"),
                "decision_requested": _("獎勵案提報"),
                "decision_approved": _("獎勵案核定"),
                "decision_issued": _("發布獎懲令"),
                "decision_rejected": _("獎勵案不予核定"),
                "decision_withheld": _("獎勵案保留"),
                "decision_returned": _("獎勵案退回"),
                "decision_eligible": _("獎勵案回復為符合資格"),
                "decision_override": _("人事單位逕予核定"),
                "rule_change": _("修改計畫規則"),
                "draw_seed_published": _("公布抽獎種子"),
                "draw_drawn": _("季抽獎抽出"),
            },
            values={
                "eligible": _("符合資格"),
                "requested": _("機關已提報"),
                "approved": _("人事單位核定"),
                "issued": _("已發布獎懲令"),
                "rejected": _("不予核定"),
                "withheld": _("人事單位保留"),
                "commendation": _("嘉獎"),
                "merit": _("記功"),
                "major_merit": _("記大功"),
            },
        )
        # E-mails and to-do items of decisions (issue 18).
        from . import notices

        notices.register()
        # The person's registry entries and showcase registrations on their own page (issue 19).
        register_person_section("programs", person_programs_section)
