from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from portal.admin_audit import AuditedAdminMixin, ReadOnlyAdminMixin
from portal.admin_scope import ScopedAdminMixin

from . import queries, services
from .checks import kind_title
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
    ReadingBid,
    Reflection,
    SeedTeacher,
    Session,
    ShowcaseRegistration,
    Team,
    TeamMember,
    TrainingClass,
    validate_certificate_name,
    validate_contest_authors,
    validate_proposal_team,
    validate_renewal,
    validate_team_roster,
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
    # Rules are edited on their own form (incentives:rule-edit), checked against their kind's schema.
    exclude = ["parameters"]
    readonly_fields = ["rules_summary"]
    actions = ["copy_to_next_year"]

    @admin.action(description=_("複製到下一年度（日期順延一年）"))
    def copy_to_next_year(self, request, queryset):
        import re

        for plan in queryset:
            match = re.search(r"(\d+)$", plan.slug)
            slug = plan.slug[: match.start()] + str(int(match.group(1)) + 1) if match else f"{plan.slug}-next"
            try:
                copy = services.copy_plan(request.user, plan, slug)
            except ValidationError as error:
                for message in error.messages:
                    self.message_user(request, message, messages.ERROR)
                continue
            self.message_user(request, _("已建立 %(slug)s。") % {"slug": copy.slug}, messages.SUCCESS)

    @admin.display(description=_("規則參數"))
    def rules_summary(self, plan):
        """The rules as HR reads them, each linking to its form (the raw JSON is never shown)."""
        from django.urls import reverse
        from django.utils.html import format_html, format_html_join

        rules = [r for r in plan.parameters.get("rules", []) if isinstance(r, dict)]
        if not rules:
            return _("（本計畫沒有獎勵或補休規則）")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{} {}</a>（{}）</li>',
                (
                    (
                        reverse("incentives:rule-edit", args=[plan.slug, r.get("code", "")]),
                        r.get("code", ""),
                        r.get("name") or r.get("clause", ""),
                        kind_title(r),
                    )
                    for r in rules
                ),
            ),
        )


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
class NominationAdmin(ScopedAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    def visible(self, user):
        return queries.nominations_visible_to(user)

    list_display = ["employee", "session", "priority_label", "status", "reason", "nominated_by", "created_at"]
    list_filter = ["status", "session__training_class"]
    search_fields = ["employee__name"]
    list_select_related = ["employee", "session__training_class", "nominated_by"]
    raw_id_fields = ["employee", "session"]
    actions = ["mark_attended", "mark_absent"]

    @admin.action(description=_("登錄為已參訓"))
    def mark_attended(self, request, queryset):
        self._attendance(request, queryset, attended=True)

    @admin.action(description=_("登錄為未到訓"))
    def mark_absent(self, request, queryset):
        self._attendance(request, queryset, attended=False)

    def _attendance(self, request, queryset, attended: bool):
        """Each nomination on its own: one recorded meanwhile by someone else is reported, not a 500."""
        for nomination in queryset:
            try:
                services.record_attendance(request.user, nomination, attended=attended)
            except ValidationError as error:
                self.message_user(request, f"{nomination.employee.name}：{' '.join(error.messages)}", messages.WARNING)


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
class CampNominationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    def visible(self, user):
        return queries.camp_nominations_visible_to(user)

    list_display = ["employee", "government", "circle", "is_circle_leader", "activity"]
    list_filter = ["activity", "government", "is_circle_leader"]
    raw_id_fields = ["employee"]
    list_select_related = ["employee", "government", "activity"]


class ProposalAdminForm(forms.ModelForm):
    """The admin checks a draft's team and renewal with the same rules as the page (models)."""

    class Meta:
        model = Proposal
        fields = "__all__"

    def clean(self):
        data = super().clean()
        agency = data.get("agency") or getattr(self.instance, "agency", None)
        if agency is not None and "members" in self.fields:
            try:
                validate_proposal_team(agency.root, data.get("leader"), data.get("members") or [])
            except ValidationError as error:
                self._add_errors(error)
        if "renews" in self.fields and data.get("renews") and self.instance.pk and agency is not None:
            probe = Proposal(
                pk=self.instance.pk, agency=agency, activity=data.get("activity") or self.instance.activity
            )
            try:
                validate_renewal(probe, data["renews"])
            except ValidationError as error:
                self._add_errors(error)
        return data

    def _add_errors(self, error):
        for field, messages_ in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages_)


@admin.register(Proposal)
class ProposalAdmin(ScopedAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    def visible(self, user):
        return queries.proposals_visible_to(user)

    """Status and rating change only through the services (the actions below), never by editing;
    once sent, the team and the renewal link are fixed too (the rating rewards exactly them)."""

    form = ProposalAdminForm
    list_display = ["title", "agency", "is_renewal", "renews", "status", "rating", "updated_at"]
    list_filter = ["status", "rating", "is_renewal"]
    raw_id_fields = ["leader", "members", "renews"]
    actions = ["select", "reject", "confirm_renewal", "rate_excellent", "rate_very_good", "rate_good"]

    def get_readonly_fields(self, request, obj=None):
        fixed = list(super().get_readonly_fields(request, obj)) + ["status", "rating"]
        if obj is not None and obj.status != Proposal.Status.DRAFT:
            fixed += ["activity", "agency", "title", "is_renewal", "renews", "leader", "members"]
        return fixed

    def _each(self, request, queryset, step, done):
        count = 0
        for proposal in queryset:
            try:
                step(proposal)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(
                    request,
                    f"{proposal.title}：{'；'.join(getattr(error, 'messages', None) or [str(error)])}",
                    messages.ERROR,
                )
            else:
                count += 1
        if count:
            self.message_user(request, _("%(done)s %(n)d 件。") % {"done": done, "n": count}, messages.SUCCESS)

    @admin.action(description=_("入選"))
    def select(self, request, queryset):
        self._each(request, queryset, lambda p: services.select_proposal(request.user, p, selected=True), _("已入選"))

    @admin.action(description=_("未入選"))
    def reject(self, request, queryset):
        self._each(request, queryset, lambda p: services.select_proposal(request.user, p, selected=False), _("未入選"))

    @admin.action(description=_("確認續辦"))
    def confirm_renewal(self, request, queryset):
        self._each(request, queryset, lambda p: services.confirm_renewal(request.user, p), _("已確認續辦"))

    @admin.action(description=_("評等：特優"))
    def rate_excellent(self, request, queryset):
        self._each(request, queryset, lambda p: services.rate_proposal(request.user, p, "特優"), _("已評等"))

    @admin.action(description=_("評等：優等"))
    def rate_very_good(self, request, queryset):
        self._each(request, queryset, lambda p: services.rate_proposal(request.user, p, "優等"), _("已評等"))

    @admin.action(description=_("評等：良好"))
    def rate_good(self, request, queryset):
        self._each(request, queryset, lambda p: services.rate_proposal(request.user, p, "良好"), _("已評等"))


class TeamMemberFormSet(forms.BaseInlineFormSet):
    """A team's people obey the import's rules (models.validate_team_roster): one leader, and a
    proposal's team is exactly the proposal's leader and members."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            f
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("employee")
        ]
        people = [(f.cleaned_data["employee"].pk, f.cleaned_data["role"]) for f in kept]
        proposal = self.instance.proposal if self.instance.pk and self.instance.proposal_id else None
        problems = validate_team_roster(self.instance.name, people, proposal)
        for index, _column, message in problems:
            if 0 <= index < len(kept):
                kept[index].add_error("employee" if _column == "身分證字號" else "role", message)
            else:
                raise ValidationError(message)


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    formset = TeamMemberFormSet
    raw_id_fields = ["employee"]
    extra = 0


@admin.register(Team)
class TeamAdmin(ScopedAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    def visible(self, user):
        # A team is rated under the plan that reviews it; its proposal says whose it is.
        from django.db.models import Q

        return Team.objects.filter(
            Q(plan__in=queries.plans_reviewed_by(user)) | Q(proposal__in=queries.proposals_visible_to(user))
        )

    list_display = ["name", "plan", "rating", "proposal"]
    list_filter = ["plan", "rating"]
    inlines = [TeamMemberInline]

    def get_readonly_fields(self, request, obj=None):
        """A proposal's team is rated on the proposal (rate_proposal), never here."""
        fixed = list(super().get_readonly_fields(request, obj)) + ["proposal"]
        return fixed + ["plan", "name", "rating"] if obj is not None and obj.proposal_id else fixed


class ContestEntryAdminForm(forms.ModelForm):
    class Meta:
        model = ContestEntry
        fields = "__all__"

    def clean_authors(self):
        authors = self.cleaned_data.get("authors")
        try:
            validate_contest_authors(list(authors or []))  # the import's rule (Tainan 101 4)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return authors


@admin.register(ContestEntry)
class ContestEntryAdmin(ScopedAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    def visible(self, user):
        return queries.contest_entries_visible_to(user)

    form = ContestEntryAdminForm
    list_display = ["title", "plan", "review", "placing"]
    list_filter = ["plan", "review", "placing"]
    raw_id_fields = ["authors", "agency_head"]

    def save_related(self, request, form, formsets, change):
        """Authors through the service (its limit, its lock, its audit entry), the rest as usual."""
        authors = list(form.cleaned_data.pop("authors", []) or [])
        super().save_related(request, form, formsets, change)
        services.set_contest_authors(request.user, form.instance, authors)


class CertificateAdminForm(forms.ModelForm):
    class Meta:
        model = Certificate
        fields = "__all__"

    def clean(self):
        data = super().clean()
        if data.get("plan") and data.get("name"):
            try:
                validate_certificate_name(data["plan"], data["name"])  # the names the import accepts
            except ValidationError as error:
                self.add_error("name", error.messages)
        return data


@admin.register(Certificate)
class CertificateAdmin(ScopedAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    scope_path = "employee"

    form = CertificateAdminForm
    list_display = ["employee", "name", "obtained_on", "plan"]
    list_filter = ["plan", "name"]
    raw_id_fields = ["employee"]


@admin.register(Reflection)
class ReflectionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: employees write their reflections on their own page (programs.services.write_reflection)."""

    scope_path = "employee"
    list_display = ["employee", "activity", "kind", "item", "characters", "created_at"]
    list_filter = ["activity__plan", "kind"]
    search_fields = ["item", "employee__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SeedTeacher)
class SeedTeacherAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The digital-talent registry (種籽教師); HR selects and removes people on /programs/talents/."""

    def visible(self, user):
        return queries.seed_teachers_visible_to(user)

    list_display = [
        "employee",
        "employee_agency",
        "activity",
        "source",
        "basis",
        "reason",
        "selected_by",
        "selected_at",
    ]
    # Filter choices only from the rows the officer sees (no other government's plan names).
    list_filter = [("activity__plan", admin.RelatedOnlyFieldListFilter), "source"]
    search_fields = ["employee__name", "reason"]
    list_select_related = ["employee__agency", "activity__plan", "selected_by"]

    @admin.display(description=_("機關"), ordering="employee__agency__name")
    def employee_agency(self, teacher):
        return teacher.employee.agency.name


@admin.register(ShowcaseRegistration)
class ShowcaseRegistrationAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Who is registered for a showcase (成果發表會); coordinators register on /programs/showcases/,
    where the plan's HR also sets the event's date, place and capacity and prints the sign-in sheet."""

    def visible(self, user):
        return queries.showcase_registrations_visible_to(user)

    list_display = ["employee", "employee_agency", "employment_type", "activity", "registered_by", "created_at"]
    list_filter = [("activity", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["employee__name"]
    list_select_related = ["employee__agency", "activity", "registered_by"]

    @admin.display(description=_("機關"), ordering="employee__agency__name")
    def employee_agency(self, registration):
        return registration.employee.agency.name

    @admin.display(description=_("人員類別"))
    def employment_type(self, registration):
        return registration.employee.get_employment_type_display()


@admin.register(ReadingBid)
class ReadingBidAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The reading bid's activity plans (數位閱讀計畫競標); sent and decided on /programs/reading-bids/."""

    def visible(self, user):
        return queries.reading_bids_visible_to(user)

    list_display = ["title", "agency", "activity", "starts_on", "ends_on", "status", "score", "submitted_at"]
    list_filter = [("activity__plan", admin.RelatedOnlyFieldListFilter), "status"]
    search_fields = ["title", "agency__name"]
    list_select_related = ["agency", "activity"]


for model, fields in [
    (ClassHistory, ["employee", "class_name", "attended_on"]),
    (EmployeeTag, ["employee", "tag"]),
    (MentoringPair, ["mentor", "mentee", "activity"]),
    (CaseReport, ["employee", "title", "submitted_on", "accepted"]),
]:
    admin.site.register(
        model,
        type(
            f"{model.__name__}Admin",
            (admin.ModelAdmin,),
            {
                "list_display": fields,
                "raw_id_fields": [
                    f.name
                    for f in model._meta.get_fields()
                    if getattr(f, "related_model", None) is not None
                    and f.related_model._meta.model_name == "employee"
                    and f.concrete
                ],
            },
        ),
    )
