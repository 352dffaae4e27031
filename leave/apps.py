from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeaveConfig(AppConfig):
    name = "leave"
    verbose_name = _("公餘學習補休")

    def ready(self):
        from incentives.standing import register_person_section
        from portal import audit
        from portal.admin_display import register_labels

        register_labels(
            actions={
                "leave_grant": _("核給補休"),
                "leave_lapse": _("補休逾期失效"),
                "leave_apply": _("申請補休"),
                "leave_approved": _("主管核章"),
                "leave_returned": _("主管退回"),
                "leave_registered": _("人事登記"),
                "leave_cancelled": _("取消補休申請"),
                "leave_review_opened": _("補休送人事複核"),
                "leave_review_kept": _("複核維持核給"),
                "leave_review_withdrawn": _("複核撤銷核給"),
            },
            values={
                "submitted": _("已申請"),
                "registered": _("人事已登記"),
                "cancelled": _("已取消"),
                "returned": _("退回"),
                "open": _("待人事複核"),
                "kept": _("維持核給"),
            },
            keys={"charged_to_grants": _("使用之核給（編號：時數）"), "hours_given_back": _("退還時數")},
        )
        from portal.signals import import_applied

        from . import notices
        from .signals import grant_after_import
        from .summary import leave_summary

        # E-mails and to-do items of compensatory leave (issue 18).
        notices.register()
        import_applied.connect(grant_after_import, dispatch_uid="leave.grant_after_import")
        # The person's own page (incentives) shows their leave; leave builds on incentives, not the reverse.
        register_person_section("leave", leave_summary)
        # Single applications and reviews are fetched through portal.access.get_visible_or_404.
        from portal.access import register_scope

        from . import models, queries

        register_scope(models.Application, queries.applications_visible_to)
        register_scope(models.GrantReview, queries.grant_reviews_visible_to)
        # The grant and lapse jobs write on the ledger of people the officer serves.
        audit.register_attribution("leave.entry", _entries_of)
        audit.register_attribution("leave.grantreview", _reviews_of)


def _entries_of(user):
    """Ledger entries of the people the user serves (system-job audit entries, portal.audit)."""
    from portal.models import Employee

    from .models import Entry

    return Entry.objects.filter(employee__in=Employee.objects.visible_to(user))


def _reviews_of(user):
    """Grant reviews of the people the user serves."""
    from portal.models import Employee

    from .models import GrantReview

    return GrantReview.objects.filter(grant__employee__in=Employee.objects.visible_to(user))
