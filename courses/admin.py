from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportExportModelAdmin

from portal import rocdate
from portal.admin_audit import AuditedAdminMixin, ReadOnlyAdminMixin
from portal.admin_inputs import SafeInitialDataMixin
from portal.admin_scope import ScopedAdminMixin
from portal.exporters import FormulaSafeExportMixin
from portal.params import parse_int

from .models import (
    AttendancePeriod,
    Bundle,
    BundleCourse,
    CalendarDay,
    Course,
    CourseList,
    CourseListEntry,
    ForumTally,
    LearningRecord,
    Platform,
)
from .resources import BundleCourseResource, CourseListEntryResource, CourseResource


class EmployeeAgencyFilter(admin.SimpleListFilter):
    title = _("機關")
    parameter_name = "agency"

    def lookups(self, request, model_admin):
        from portal.models import Agency

        return list(
            Agency.objects.visible_to(request.user).filter(employees__isnull=False).distinct().values_list("id", "name")
        )

    def queryset(self, request, queryset):
        if (agency_id := parse_int(self.value())) is not None:
            return queryset.filter(employee__agency_id=agency_id)
        return queryset


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Course)
class CourseAdmin(AuditedAdminMixin, FormulaSafeExportMixin, ImportExportModelAdmin):
    resource_classes = [CourseResource]
    list_display = ["name", "platform", "hours", "category", "is_digital", "job_related"]
    list_filter = ["platform", "category", "is_digital", "job_related"]
    search_fields = ["name", "name_key"]
    list_select_related = ["platform"]


class CourseListEntryInline(admin.TabularInline):
    model = CourseListEntry
    autocomplete_fields = ["course"]
    extra = 0


@admin.register(CourseList)
class CourseListAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "plan"]
    list_filter = ["plan"]
    inlines = [CourseListEntryInline]


@admin.register(CourseListEntry)
class CourseListEntryAdmin(SafeInitialDataMixin, FormulaSafeExportMixin, ImportExportModelAdmin):
    resource_classes = [CourseListEntryResource]
    list_display = ["course", "hours", "course_list"]
    list_filter = ["course_list"]
    list_select_related = ["course", "course_list"]
    autocomplete_fields = ["course"]


class BundleCourseInline(admin.TabularInline):
    model = BundleCourse
    autocomplete_fields = ["course"]
    extra = 0


@admin.register(Bundle)
class BundleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "rank", "hours", "plan"]
    list_filter = ["plan", "kind"]
    inlines = [BundleCourseInline]


@admin.register(BundleCourse)
class BundleCourseAdmin(SafeInitialDataMixin, FormulaSafeExportMixin, ImportExportModelAdmin):
    resource_classes = [BundleCourseResource]
    list_display = ["course", "hours", "bundle"]
    list_filter = ["bundle__plan", "bundle"]
    list_select_related = ["course", "bundle"]
    autocomplete_fields = ["course"]


class EmployeeDataAdmin(ScopedAdminMixin, ReadOnlyAdminMixin, FormulaSafeExportMixin, ExportMixin, admin.ModelAdmin):
    """Read-only: rows arrive by import only, so every row has a batch behind it and passed the
    import's checks (hours not below 0, excluded posts not above the total, a period that ends
    after it starts…); a correction comes as a corrected export (`import_records --period`),
    which keeps the old row for the audit."""

    scope_path = "employee"
    raw_id_fields = ["employee"]
    list_select_related = ["employee", "employee__agency"]
    search_fields = ["employee__name", "=employee__national_id"]
    list_per_page = 100


class WithdrawnFilter(admin.SimpleListFilter):
    """有效 (counted) or 已撤回 (withdrawn by a later export, kept for the audit trail)."""

    title = _("狀態")
    parameter_name = "withdrawn"

    def lookups(self, request, model_admin):
        return [("no", _("有效")), ("yes", _("已撤回"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(withdrawn_at__isnull=self.value() == "no")
        return queryset


@admin.register(LearningRecord)
class LearningRecordAdmin(EmployeeDataAdmin):
    list_display = [
        "employee",
        "course_name",
        "hours",
        "digital_hours",
        "completed_roc",
        "completed_at",
        "provider",
        "job_related",
        "state",
    ]
    list_filter = [
        WithdrawnFilter,
        EmployeeAgencyFilter,
        "completed_on",
        "mode",
        "category",
        "provider",
        "job_related",
        "used_for_leave",
    ]
    search_fields = EmployeeDataAdmin.search_fields + ["course_name"]
    date_hierarchy = "completed_on"
    readonly_fields = ["withdrawn_at", "withdrawn_by"]

    def get_queryset(self, request):
        # The audit view: withdrawn records too (the default manager leaves them out).
        queryset = self.scoped(request, LearningRecord.all_objects.get_queryset())
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    @admin.display(description=_("狀態"), ordering="withdrawn_at")
    def state(self, record):
        if record.withdrawn_at is None:
            return _("有效")
        return _("已撤回（%(day)s，匯入批次 #%(batch)s）") % {
            "day": rocdate.to_roc_short(record.withdrawn_at),
            "batch": record.withdrawn_by_id or "—",
        }

    @admin.display(description=_("學習迄日"), ordering="completed_on")
    def completed_roc(self, record):
        return rocdate.to_roc_short(record.completed_on)


@admin.register(ForumTally)
class ForumTallyAdmin(EmployeeDataAdmin):
    list_display = ["employee", "forum", "window_start", "window_end", "posts", "replies", "excluded", "counted"]
    list_filter = [EmployeeAgencyFilter, "forum", "window_start"]

    @admin.display(description=_("計入篇數"))
    def counted(self, tally):
        return tally.counted


@admin.register(AttendancePeriod)
class AttendancePeriodAdmin(EmployeeDataAdmin):
    list_display = ["employee", "kind", "starts_at", "ends_at"]
    list_filter = [EmployeeAgencyFilter, "kind", "starts_at"]
    date_hierarchy = "starts_at"


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_day_off", "note"]
    list_filter = ["is_day_off"]
    date_hierarchy = "date"
