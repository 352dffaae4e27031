from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from portal.admin_audit import AuditedAdminMixin

from . import services
from .models import (
    Activity,
    CampNomination,
    CampQuota,
    CaseReport,
    Certificate,
    ClassHistory,
    ContestEntry,
    EmployeeTag,
    MentoringPair,
    Nomination,
    Plan,
    Proposal,
    Reflection,
    Session,
    Team,
    TeamMember,
    TrainingClass,
)


class ActivityInline(admin.TabularInline):
    model = Activity
    fields = ["position", "name", "kind", "clause", "starts_on", "ends_on"]
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["slug", "title", "issuer", "roc_year", "starts_on", "ends_on", "off_duty_definition"]
    list_filter = ["roc_year", "issuer"]
    search_fields = ["slug", "title"]
    filter_horizontal = ["excluded_agencies"]
    inlines = [ActivityInline]
    actions = ["copy_to_next_year"]

    @admin.action(description=_("複製到下一年度（日期順延一年）"))
    def copy_to_next_year(self, request, queryset):
        import re

        for plan in queryset:
            match = re.search(r"(\d+)$", plan.slug)
            slug = plan.slug[:match.start()] + str(int(match.group(1)) + 1) if match else f"{plan.slug}-next"
            copy = services.copy_plan(request.user, plan, slug)
            self.message_user(request, _("已建立 %(slug)s。") % {"slug": copy.slug}, messages.SUCCESS)


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0
    fields = ["number", "starts_on", "ends_on", "venue", "capacity", "agency_quotas"]


@admin.register(TrainingClass)
class TrainingClassAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "activity", "planned_sessions", "days_per_session", "capacity_per_session", "venue"]
    list_filter = ["activity__plan"]
    inlines = [SessionInline]


class TrainingClassInline(admin.StackedInline):
    model = TrainingClass
    extra = 0
    show_change_link = True
    fields = ["slug", "name", "eligibility", "planned_sessions", "days_per_session"]


@admin.register(Activity)
class ActivityAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "plan", "kind", "clause", "starts_on", "ends_on"]
    list_filter = ["plan", "kind"]
    inlines = [TrainingClassInline]


@admin.register(Session)
class SessionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "starts_on", "ends_on", "capacity", "nominated"]
    list_filter = ["training_class__activity__plan", "training_class"]
    actions = ["confirm_places"]
    list_select_related = ["training_class"]

    @admin.display(description=_("推薦人數"))
    def nominated(self, session):
        return session.nominations.count()

    @admin.action(description=_("依優先順序確認錄取（至名額為止）"))
    def confirm_places(self, request, queryset):
        for session in queryset:
            services.confirm_places(request.user, session)
        self.message_user(request, _("已確認 %(n)d 個期別的錄取名單。") % {"n": queryset.count()}, messages.SUCCESS)


@admin.register(Nomination)
class NominationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["employee", "session", "priority_label", "status", "reason", "nominated_by", "created_at"]
    list_filter = ["status", "session__training_class"]
    search_fields = ["employee__name"]
    list_select_related = ["employee", "session__training_class", "nominated_by"]
    raw_id_fields = ["employee", "session"]
    actions = ["mark_attended", "mark_absent"]

    @admin.action(description=_("登錄為已參訓"))
    def mark_attended(self, request, queryset):
        for nomination in queryset:
            services.record_attendance(request.user, nomination, attended=True)

    @admin.action(description=_("登錄為未到訓"))
    def mark_absent(self, request, queryset):
        for nomination in queryset:
            services.record_attendance(request.user, nomination, attended=False)


@admin.register(CampQuota)
class CampQuotaAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["government", "activity", "base", "requested_extra", "granted_extra"]
    actions = ["reallocate"]

    @admin.action(description=_("分配未用名額給申請增額的政府（每府至多 10 名）"))
    def reallocate(self, request, queryset):
        for activity in Activity.objects.filter(quotas__in=queryset).distinct():
            services.reallocate_camp_places(request.user, activity)
        self.message_user(request, _("已重新分配名額。"), messages.SUCCESS)


@admin.register(CampNomination)
class CampNominationAdmin(admin.ModelAdmin):
    list_display = ["employee", "government", "circle", "is_circle_leader", "activity"]
    list_filter = ["activity", "government", "is_circle_leader"]
    raw_id_fields = ["employee"]
    list_select_related = ["employee", "government", "activity"]


@admin.register(Proposal)
class ProposalAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "agency", "is_renewal", "status", "rating", "updated_at"]
    list_filter = ["status", "rating", "is_renewal"]
    raw_id_fields = ["leader", "members"]
    actions = ["select", "reject"]

    @admin.action(description=_("入選"))
    def select(self, request, queryset):
        for proposal in queryset:
            services.select_proposal(request.user, proposal, selected=True)

    @admin.action(description=_("未入選"))
    def reject(self, request, queryset):
        for proposal in queryset:
            services.select_proposal(request.user, proposal, selected=False)


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    raw_id_fields = ["employee"]
    extra = 0


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "plan", "rating"]
    list_filter = ["plan", "rating"]
    inlines = [TeamMemberInline]


for model, fields in [
    (ClassHistory, ["employee", "class_name", "attended_on"]),
    (EmployeeTag, ["employee", "tag"]),
    (MentoringPair, ["mentor", "mentee", "activity"]),
    (Reflection, ["employee", "item", "created_at"]),
    (ContestEntry, ["title", "plan", "review", "placing"]),
    (CaseReport, ["employee", "title", "submitted_on", "accepted"]),
    (Certificate, ["employee", "name", "obtained_on", "plan"]),
]:
    admin.site.register(model, type(f"{model.__name__}Admin", (admin.ModelAdmin,), {
        "list_display": fields,
        "raw_id_fields": [f.name for f in model._meta.get_fields() if getattr(f, "related_model", None) is not None
                          and f.related_model._meta.model_name == "employee" and f.concrete],
    }))
