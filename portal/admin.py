from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from . import rocdate
from .admin_audit import AuditedAdminMixin, ReadOnlyAdminMixin
from .admin_display import action_label
from .admin_inputs import SafeInitialDataMixin
from .admin_scope import ScopedAdminMixin
from .exporters import FormulaSafeExportMixin
from .models import Agency, AuditEntry, Employee, ImportBatch, Notice, Unit, User
from .resources import AgencyResource


class AuditObjectTypeFilter(admin.SimpleListFilter):
    """What an entry is about, by the model's Chinese name (`incentives.decision` → 獎勵案)."""

    title = _("對象類型")
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        codes = model_admin.get_queryset(request).order_by().values_list("object_type", flat=True).distinct()
        return sorted(((code, model_label(code)) for code in codes), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        return queryset.filter(object_type=self.value()) if self.value() else queryset


def model_label(label_lower: str) -> str:
    """`incentives.decision` → the model's verbose name; the code itself for a model that is gone."""
    from django.apps import apps

    try:
        return str(apps.get_model(label_lower)._meta.verbose_name)
    except (LookupError, ValueError):
        return label_lower


class ImportKindFilter(admin.SimpleListFilter):
    """Import batches by kind, named as on the upload page."""

    title = _("匯入種類")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        from .registry import kind_label

        kinds = model_admin.get_queryset(request).order_by().values_list("kind", flat=True).distinct()
        return [(kind, kind_label(kind)) for kind in sorted(kinds)]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    fields = ["name"]
    show_change_link = True


@admin.register(Agency)
class AgencyAdmin(
    ScopedAdminMixin, SafeInitialDataMixin, AuditedAdminMixin, FormulaSafeExportMixin, ImportExportModelAdmin
):
    resource_classes = [AgencyResource]
    list_display = ["name", "code", "parent", "level", "staff_link"]
    list_filter = ["level", ("government", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    inlines = [UnitInline]
    fieldsets = [
        (None, {"fields": ["name", "code", "parent"]}),
        (
            _("辦公時間（空白則為 08:30–12:30、13:30–17:30）"),
            {
                "fields": [
                    ("office_morning_start", "office_morning_end"),
                    ("office_afternoon_start", "office_afternoon_end"),
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).select_related("parent").annotate(staff=Count("employees"))

    @admin.display(description=_("人數"), ordering="staff")
    def staff_link(self, agency):
        url = reverse("admin:portal_employee_changelist") + f"?agency__id__exact={agency.pk}"
        return format_html('<a href="{}">{}</a>', url, agency.staff)


@admin.register(Unit)
class UnitAdmin(ScopedAdminMixin, SafeInitialDataMixin, admin.ModelAdmin):
    list_display = ["name", "agency"]
    list_filter = [("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "agency__name"]
    autocomplete_fields = ["agency"]
    list_select_related = ["agency"]


@admin.register(Employee)
class EmployeeAdmin(ScopedAdminMixin, SafeInitialDataMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "national_id",
        "agency",
        "unit",
        "title",
        "rank_display",
        "employment_type",
        "works_shifts",
        "records_link",
    ]
    list_filter = [
        ("agency", admin.RelatedOnlyFieldListFilter),
        ("unit", admin.RelatedOnlyFieldListFilter),
        "rank",
        "employment_type",
        "works_shifts",
        "unit_role",
        "active",
    ]
    search_fields = ["name", "=national_id", "agency__name", "unit__name", "title"]
    autocomplete_fields = ["agency", "unit"]
    list_select_related = ["agency", "unit"]
    list_per_page = 100

    @admin.display(description=_("官等"), ordering="rank")
    def rank_display(self, employee):
        return employee.rank_display

    @admin.display(description=_("學習紀錄"))
    def records_link(self, employee):
        url = reverse("admin:courses_learningrecord_changelist") + f"?employee__id__exact={employee.pk}"
        return format_html('<a href="{}">{}</a>', url, _("查看"))


@admin.register(User)
class UserAdmin(ScopedAdminMixin, SafeInitialDataMixin, BaseUserAdmin):
    def visible(self, user):
        # Accounts of the officer's own agencies and people, and their own: never those of
        # another government, nor the accounts serving every government.
        from django.db.models import Q

        return User.objects.filter(
            Q(pk=user.pk)
            | Q(agencies__in=Agency.objects.visible_to(user))
            | Q(employee__in=Employee.objects.visible_to(user))
        )

    list_display = ["username", "get_full_name", "role", "employee", "is_staff", "is_active"]
    list_filter = ["role", "is_staff", "is_active"]
    autocomplete_fields = ["employee"]
    filter_horizontal = ["agencies", "headed_units", "groups", "user_permissions"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("角色與範圍"), {"fields": ["role", "employee", "agencies", "headed_units"]}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("角色"), {"fields": ["role"]}),)


@admin.register(ImportBatch)
class ImportBatchAdmin(ScopedAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "kind_label",
        "file_name",
        "status",
        "progress",
        "total_rows",
        "created_count",
        "updated_count",
        "unchanged_count",
        "withdrawn_count",
        "error_count",
        "created_by",
        "created_roc",
    ]
    list_filter = [ImportKindFilter, "status", "dry_run"]
    search_fields = ["file_name"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields] + ["error_table"]
    exclude = ["errors"]
    actions = ["retry"]
    # The upload page (with its progress page) is linked from the list: HR imports from the admin.
    change_list_template = "admin/portal/importbatch/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("匯入種類"), ordering="kind")
    def kind_label(self, batch):
        return batch.get_kind_display()

    @admin.display(description=_("錯誤數"))
    def error_count(self, batch):
        return len(batch.errors)

    @admin.display(description=_("建立時間"), ordering="created_at")
    def created_roc(self, batch):
        return rocdate.to_roc_short(batch.created_at)

    @admin.display(description=_("問題清單"))
    def error_table(self, batch):
        if not batch.errors:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((e.get("row") or "—", e.get("column") or "—", e["message"]) for e in batch.errors),
        )
        return format_html(
            "<table><thead><tr><th>列</th><th>欄位</th><th>說明</th></tr></thead><tbody>{}</tbody></table>", rows
        )

    @admin.action(description=_("重新執行所選的失敗批次"))
    def retry(self, request, queryset):
        from .services import retry_import

        failed = list(queryset.filter(status__in=[ImportBatch.Status.FAILED, ImportBatch.Status.PENDING]))
        for batch in failed:
            retry_import(batch)
        self.message_user(request, _("已重新排入 %(n)d 個批次。") % {"n": len(failed)}, messages.SUCCESS)


class AuditActionFilter(admin.SimpleListFilter):
    """Audit actions by their Chinese labels (the stored codes are for scripts)."""

    title = _("動作")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        codes = model_admin.get_queryset(request).order_by().values_list("action", flat=True).distinct()
        return sorted(((code, action_label(code)) for code in codes), key=lambda item: item[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    def visible(self, user):
        # Entries hold before/after values of people's data: an officer serving one government
        # sees what the accounts of that government did, and what system jobs (no actor) did to
        # objects attributed to that government (audit.register_attribution: its people's
        # ledger, its batches, its plans). Other system entries are for HR serving every government.
        from django.db.models import Q

        from .audit import system_entries_of
        from .queries import accounts_of_government

        return AuditEntry.objects.filter(Q(actor__in=accounts_of_government(user)) | system_entries_of(user))

    list_display = ["at", "actor", "action_label", "object_type_label", "object_id", "summary"]
    list_filter = [AuditActionFilter, AuditObjectTypeFilter]
    search_fields = ["summary", "object_id"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields if f.name != "action"] + ["action_label"]
    fields = ["at", "actor", "action_label", "object_type", "object_id", "summary", "before", "after"]

    @admin.display(description=_("動作"), ordering="action")
    def action_label(self, entry):
        return action_label(entry.action)

    @admin.display(description=_("對象類型"), ordering="object_type")
    def object_type_label(self, entry):
        return model_label(entry.object_type)


class NoticeKindFilter(admin.SimpleListFilter):
    """Messages by kind, named as on the preferences page."""

    title = _("通知種類")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        from .registry import MESSAGE_KINDS

        kinds = model_admin.get_queryset(request).order_by().values_list("kind", flat=True).distinct()
        return [(kind, MESSAGE_KINDS[kind].label if kind in MESSAGE_KINDS else kind) for kind in sorted(kinds)]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Notice)
class NoticeAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The messages sent (issue 18): who got which notice about what, and when. Read-only: rows
    are written by `portal.notices.dispatch` only."""

    scope_path = "recipient__employee"
    list_display = ["sent_at", "recipient", "kind_label", "subject", "email"]
    list_filter = [NoticeKindFilter]
    search_fields = ["subject", "recipient__username", "key"]
    fields = ["sent_at", "recipient", "kind_label", "key", "subject", "email", "fingerprint"]
    readonly_fields = fields

    @admin.display(description=_("通知種類"), ordering="kind")
    def kind_label(self, notice):
        from .registry import MESSAGE_KINDS

        kind = MESSAGE_KINDS.get(notice.kind)
        return kind.label if kind is not None else notice.kind
