from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.admin_audit import AuditedAdminMixin, ReadOnlyAdminMixin
from portal.admin_scope import ScopedAdminMixin

from . import services
from .models import Decision, Draw, RuleVersion


@admin.register(RuleVersion)
class RuleVersionAdmin(admin.ModelAdmin):
    list_display = ["plan", "number", "created_at"]
    readonly_fields = ["plan", "number", "rules", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(Decision)
class DecisionAdmin(ScopedAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["employee", "plan", "rule_label", "award", "count", "status", "order_number", "order_date"]
    list_filter = ["plan", "status", "award", ("employee__agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["employee__name", "=employee__national_id", "reason", "order_number"]
    list_select_related = ["employee", "plan"]
    raw_id_fields = ["employee"]
    # The workflow moves only through incentives.services (the decision desk, /incentives/decisions/, and the
    # action below), each step under a row lock with its audit entry: nothing here edits a status or an order.
    readonly_fields = [
        "plan",
        "employee",
        "rule_label",
        "rule_version",
        "award",
        "count",
        "reason",
        "facts",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "override_reason",
        "order_number",
        "order_date",
        "rejection_reason",
        "return_reason",
        "late_reason",
    ]
    actions = ["approve"]

    @admin.display(description=_("規則"), ordering="rule_code")
    def rule_label(self, decision):
        """The rule's Chinese name and clause from the plan's parameters (the code is for scripts)."""
        from .standing import rule_label

        rule = next((r for r in decision.plan.parameters.get("rules", []) if r.get("code") == decision.rule_code), None)
        if rule is None:
            return decision.rule_code
        label = rule_label(rule, {})
        return f"{label}（{rule['clause']}）" if rule.get("clause") else label

    def has_add_permission(self, request):
        return False  # decisions come from an evaluation or from HR's grant on the desk

    @admin.action(description=_("核定所選的已提報獎勵案"))
    def approve(self, request, queryset):
        done = 0
        for decision in queryset.filter(status=Decision.Status.REQUESTED):
            try:  # approved, returned or rejected meanwhile: say so, go on with the others
                services.approve(request.user, decision)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.WARNING)
                continue
            done += 1
        self.message_user(request, _("已核定 %(n)d 件。") % {"n": done}, messages.SUCCESS)


@admin.register(Draw)
class DrawAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """A season's draw, a result: read-only. HR publishes the seed and draws on the plan's draws
    page (/incentives/plan/<slug>/draws/), which keeps the seed, the chance list and its hash."""

    # Scoped by the Draw scope registered in IncentivesConfig.ready (HR of the plan's government).

    list_display = ["plan", "season_name", "status", "prizes", "winner_count", "seed_published_at", "drawn_at"]
    list_filter = [("plan", admin.RelatedOnlyFieldListFilter), "status"]
    list_select_related = ["plan"]
    fields = [
        "plan",
        "season_name",
        "status",
        "seed",
        "seed_published_at",
        "seed_published_by",
        "prizes",
        "one_win_per_person",
        "chances_hash",
        "winners",
        "drawn_at",
        "drawn_by",
    ]
    readonly_fields = fields

    @admin.display(description=_("中獎人數"))
    def winner_count(self, draw):
        return len(draw.winners)
