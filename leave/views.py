import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from portal import clock
from portal.access import get_visible_or_404
from portal.admin_display import RocDateField
from portal.models import Employee
from portal.params import ids, parse_int
from portal.permissions import is_hr, national_id_for
from programs.models import Plan

from . import queries, services
from .models import Application, GrantReview
from .reports import render_application_pdf


class ApplicationForm(forms.Form):
    plan = forms.ModelChoiceField(Plan.objects.none(), label=_("計畫"))
    # Typed and shown in the ROC calendar (103/07/20) like every other date (issue 17, item 1).
    leave_date = RocDateField(label=_("補休日期（例：103/07/20）"))
    starts_at = forms.TimeField(label=_("起"), widget=forms.TimeInput(attrs={"type": "time"}), initial=dt.time(8, 30))
    ends_at = forms.TimeField(label=_("迄"), widget=forms.TimeInput(attrs={"type": "time"}), initial=dt.time(12, 30))

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans


@login_required
def my_leave(request):
    if not request.user.employee_id:
        raise PermissionDenied
    employee = request.user.employee
    today = clock.today()
    # Figures as of today: what lapsed by today shows as lapsed even before the nightly job ran.
    lines = queries.grant_lines(today, employees=[employee.pk])
    plan_ids = {line.entry.plan_id for line in lines}
    form = ApplicationForm(
        request.POST or None,
        plans=Plan.objects.filter(pk__in=plan_ids),
        initial={"plan": min(plan_ids)} if len(plan_ids) == 1 else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.apply(
                request.user,
                form.cleaned_data["plan"],
                form.cleaned_data["leave_date"],
                form.cleaned_data["starts_at"],
                form.cleaned_data["ends_at"],
            )
            messages.success(request, _("已送出補休申請，待單位主管於線上核章。"))
            return redirect("leave:mine")
        except ValidationError as error:
            form.add_error(None, error)
    applications = Application.objects.filter(employee=employee).select_related("plan").order_by("-leave_date")
    return render(
        request,
        "leave/mine.html",
        {
            "lines": lines,
            "applications": applications,
            "balance": services.balance(employee, today),
            "today": today,
            "form": form,
        },
    )


@login_required
def cancel(request, pk):
    application = get_visible_or_404(
        request.user, Application.objects.filter(employee_id=request.user.employee_id), pk=pk
    )
    if request.method == "POST":
        try:
            services.cancel(request.user, application)
            messages.success(request, _("已取消，時數已退回。"))
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
    return redirect("leave:mine")


@login_required
def application_pdf(request, pk):
    application = get_visible_or_404(
        request.user, Application.objects.select_related("employee__agency", "employee__unit", "plan"), pk=pk
    )
    response = HttpResponse(render_application_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="leave-{application.pk}.pdf"'
    return response


@login_required
def approvals(request):
    if not request.user.headed_units.exists():
        raise PermissionDenied
    # A head's own applications are not theirs to sign (services.heads_own).
    unit_applications = (
        Application.objects.filter(employee__unit__in=request.user.headed_units.all())
        .exclude(employee_id=request.user.employee_id)
        .select_related("employee__unit", "plan")
    )
    pending = unit_applications.filter(status=Application.Status.SUBMITTED).order_by("leave_date", "pk")
    if request.method == "POST":
        application = get_visible_or_404(request.user, unit_applications, pk=parse_int(request.POST.get("application")))
        approve = request.POST.get("decision") == "approve"
        try:
            services.decide(request.user, application, approve=approve, note=request.POST.get("note", ""))
            messages.success(
                request,
                (_("已核章：%(who)s") if approve else _("已退回，時數已還給申請人：%(who)s"))
                % {"who": application.employee.name},
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect("leave:approvals")
    return render(
        request,
        "leave/approvals.html",
        {
            "pending": pending,
            "decided": unit_applications.exclude(status=Application.Status.SUBMITTED).order_by("-leave_date", "-pk"),
        },
    )


def _require_hr(user):
    if not is_hr(user):
        raise PermissionDenied


@login_required
def reviews(request):
    """HR's desk for grants a later import put in doubt: keep them, or withdraw their unused hours."""
    _require_hr(request.user)
    open_reviews = (
        GrantReview.objects.filter(
            status=GrantReview.Status.OPEN, grant__employee__in=Employee.objects.visible_to(request.user)
        )
        .select_related("grant__employee__agency", "grant__plan")
        .order_by("opened_at", "pk")
    )
    if request.method == "POST":
        review = get_visible_or_404(request.user, open_reviews, pk=parse_int(request.POST.get("review")))
        keep = request.POST.get("decision") == "keep"
        try:
            services.decide_review(request.user, review, keep=keep, note=request.POST.get("note", ""))
            messages.success(
                request,
                (_("已維持核給：%(who)s") if keep else _("已撤銷核給，未使用的時數已沖銷：%(who)s"))
                % {"who": review.grant.employee.name},
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect("leave:reviews")
    decided = (
        GrantReview.objects.exclude(status=GrantReview.Status.OPEN)
        .filter(grant__employee__in=Employee.objects.visible_to(request.user))
        .select_related("grant__employee", "grant__plan", "decided_by")
        .order_by("-decided_at", "-pk")[:50]
    )
    rows = [(r, national_id_for(request.user, r.grant.employee.national_id)) for r in open_reviews]
    return render(request, "leave/reviews.html", {"rows": rows, "decided": decided})


@login_required
def registrations(request):
    """HR registers (登記) the applications unit heads approved, several at once."""
    _require_hr(request.user)
    approved = (
        queries.applications_visible_to(request.user)
        .filter(status=Application.Status.APPROVED)
        .select_related("employee__agency", "employee__unit", "plan", "decided_by")
        .order_by("leave_date", "pk")
    )
    if request.method == "POST":
        chosen = list(approved.filter(pk__in=ids(request.POST.getlist("application"))))
        if not chosen:
            messages.error(request, _("請至少勾選一件申請。"))
            return redirect("leave:registrations")
        try:
            with transaction.atomic():
                for application in chosen:
                    services.register(request.user, application)
            messages.success(request, _("已登記 %(n)d 件。") % {"n": len(chosen)})
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect("leave:registrations")
    registered = (
        queries.applications_visible_to(request.user)
        .filter(status=Application.Status.REGISTERED)
        .select_related("employee", "registered_by")
        .order_by("-registered_at", "-pk")[:50]
    )
    return render(request, "leave/registrations.html", {"approved": approved, "registered": registered})
