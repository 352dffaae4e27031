from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("年度計畫")

    def ready(self):
        from portal import audit
        from portal.access import register_scope
        from portal.admin_display import register_labels
        from portal.registry import register_home_panel, register_importer

        from . import importers, signals  # noqa: F401 (signals connects the guards)
        from .models import Plan
        from .queries import plans_run_by

        register_labels(
            actions={
                "plan_load": _("載入年度計畫"),
                "plan_copy": _("複製年度計畫"),
                "nominate": _("推薦參訓"),
                "nominated": _("推薦參訓"),
                "confirmed": _("錄取"),
                "refused": _("不予錄取"),
                "withdrawn": _("撤回推薦"),
                "attended": _("登記已參訓"),
                "absent": _("登記未到訓"),
                "attendance": _("登記參訓情形"),
                "camp_nominate": _("推薦參加英語營"),
                "camp_reallocate": _("英語營名額增額"),
                "proposal_save": _("儲存熠星提案"),
                "showcase_save": _("設定成果發表會"),
                "proposal_submit": _("送出熠星提案"),
                "proposal_select": _("熠星提案入選"),
                "proposal_confirm_renewal": _("確認續辦提案"),
                "proposal_rate": _("熠星提案評等"),
                "proposal_rate_import": _("匯入熠星提案評等"),
                "contest_authors": _("變更競賽作品作者"),
                "mentoring_put_forward": _("推薦師徒制人員"),
                "mentoring_paired": _("師徒配對"),
            },
            values={"draft": _("草稿"), "selected": _("入選"), "not_selected": _("未入選"), "rated": _("已評等")},
        )
        register_importer("certificates", importers.CertificateImporter, _("證書"))
        register_importer("team-ratings", importers.TeamRatingImporter, _("熠星團隊評等"))
        register_importer("contest", importers.ContestImporter, _("競賽結果"))
        register_importer("case-reports", importers.CaseReportImporter, _("案例報告"))
        # The home page lists the plans the user runs.
        register_home_panel(lambda user: {"plans": plans_run_by(user)})
        # A plan's working pages (standing, KPIs, rosters, desk) are for those who run it.
        register_scope(Plan, plans_run_by)
        # What each of the app's objects a user may see; views fetch single objects through
        # portal.access.get_visible_or_404, which applies these (issue 16, item 2).
        from . import models, queries

        register_scope(models.Activity, lambda user: models.Activity.objects.filter(plan__in=plans_run_by(user)))
        register_scope(
            models.Session,
            lambda user: models.Session.objects.filter(training_class__activity__plan__in=plans_run_by(user)),
        )
        register_scope(models.Proposal, queries.proposals_visible_to)
        register_scope(models.Nomination, queries.nominations_visible_to)
        register_scope(models.CampNomination, queries.camp_nominations_visible_to)
        register_scope(models.SeedTeacher, queries.seed_teachers_visible_to)
        register_scope(models.ShowcaseRegistration, queries.showcase_registrations_visible_to)
        register_scope(models.ReadingBid, queries.reading_bids_visible_to)
        register_scope(models.Reflection, queries.reflections_visible_to)
        # `load_plans` writes on plans: a plan the officer's government issued.
        audit.register_attribution("programs.plan", _plans_of)


def _plans_of(user):
    """Plans issued by an agency the user serves (system-job audit entries, portal.audit)."""
    from portal.models import Agency

    from .models import Plan

    return Plan.objects.filter(issuer__in=Agency.objects.visible_to(user))
