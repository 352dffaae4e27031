from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.admin_audit import AuditedAdminMixin, ReadOnlyAdminMixin
from portal.admin_scope import ScopedAdminMixin

from . import services
from .models import Application, Entry, GrantReview, RecordUse


class RecordUseInline(admin.TabularInline):
    model = RecordUse
    raw_id_fields = ["record"]
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Entry)
class EntryAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    scope_path = "employee"
    """The ledger is append-only: entries are written by the services, never edited here."""

    list_display = ["employee", "plan", "kind", "hours", "earned_on", "usable_until", "application", "created_at"]
    list_filter = ["plan", "kind", ("employee__agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["employee__name", "=employee__national_id", "text"]
    list_select_related = ["employee", "plan", "application"]
    inlines = [RecordUseInline]


@admin.register(Application)
class ApplicationAdmin(ScopedAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    scope_path = "employee"
    list_display = ["employee", "leave_date", "starts_at", "ends_at", "hours", "status", "decided_by", "registered_by"]
    list_filter = ["status", "plan"]
    search_fields = ["employee__name"]
    list_select_related = ["employee", "decided_by", "registered_by"]
    readonly_fields = [f.name for f in Application._meta.fields]
    actions = ["register", "approve_heads_own"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("核章所選的單位主管本人申請"))
    def approve_heads_own(self, request, queryset):
        """A unit head cannot sign their own leave (leave.services.decide): HR does."""
        done = 0
        for application in queryset.filter(status=Application.Status.SUBMITTED).select_related("employee"):
            if services.heads_own(application):
                try:  # cancelled or approved meanwhile: say so, go on with the others
                    services.decide(request.user, application, approve=True)
                except ValidationError as error:
                    self.message_user(request, " ".join(error.messages), messages.WARNING)
                    continue
                done += 1
        self.message_user(request, _("已核章 %(n)d 件（只處理單位主管本人的申請）。") % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("人事登記所選的已核章申請"))
    def register(self, request, queryset):
        done = 0
        for application in queryset.filter(status=Application.Status.APPROVED):
            try:  # cancelled meanwhile: say so, go on with the others
                services.register(request.user, application)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.WARNING)
                continue
            done += 1
        self.message_user(request, _("已登記 %(n)d 件。") % {"n": done}, messages.SUCCESS)


@admin.register(GrantReview)
class GrantReviewAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    scope_path = "grant__employee"
    """Reviews are opened by the grant run and decided on HR's page (補休複核); read-only here."""

    list_display = ["grant", "status", "reason", "opened_at", "decided_by", "decided_at"]
    list_filter = ["status", "grant__plan"]
    search_fields = ["grant__employee__name", "reason"]
    list_select_related = ["grant__employee", "decided_by"]
    readonly_fields = [f.name for f in GrantReview._meta.fields]
