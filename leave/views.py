import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from portal import clock
from portal.permissions import is_hr
from programs.models import Plan

from . import services
from .models import Application, Entry
from .reports import render_application_pdf


class ApplicationForm(forms.Form):
    plan = forms.ModelChoiceField(Plan.objects.none(), label=_("計畫"))
    leave_date = forms.DateField(label=_("補休日期"), widget=forms.DateInput(attrs={"type": "date"}))
    starts_at = forms.TimeField(label=_("起"), widget=forms.TimeInput(attrs={"type": "time"}), initial=dt.time(8, 30))
    ends_at = forms.TimeField(label=_("迄"), widget=forms.TimeInput(attrs={"type": "time"}), initial=dt.time(12, 30))

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans


def _visible_applications(user):
    if is_hr(user):
        return Application.objects.all()
    supervised = Application.objects.filter(employee__unit__in=user.headed_units.all())
    own = Application.objects.filter(employee_id=user.employee_id) if user.employee_id else Application.objects.none()
    return own | supervised


@login_required
def my_leave(request):
    if not request.user.employee_id:
        raise PermissionDenied
    employee = request.user.employee
    grants = services.remaining_by_grant(employee)
    records = {g.pk: list(g.records.all()) for g in Entry.objects.filter(pk__in=[g.pk for g, _left in grants]).prefetch_related("records")}
    lapsed = dict(Entry.objects.filter(employee=employee, kind=Entry.Kind.LAPSE).values_list("grant_id").annotate(h=Sum("hours")))
    plan_ids = {g.plan_id for g, _left in grants}
    form = ApplicationForm(request.POST or None, plans=Plan.objects.filter(pk__in=plan_ids),
                           initial={"plan": min(plan_ids)} if len(plan_ids) == 1 else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.apply(request.user, form.cleaned_data["plan"], form.cleaned_data["leave_date"],
                           form.cleaned_data["starts_at"], form.cleaned_data["ends_at"])
            messages.success(request, _("已送出補休申請，請列印申請表送單位主管核章。"))
            return redirect("leave:mine")
        except ValidationError as error:
            form.add_error(None, error)
    applications = Application.objects.filter(employee=employee).select_related("plan").order_by("-leave_date")
    today = clock.today()
    return render(request, "leave/mine.html", {
        "grants": [(g, left, records.get(g.pk, []), -lapsed.get(g.pk, 0)) for g, left in grants], "applications": applications,
        "balance": services.balance(employee, today), "today": today, "form": form,
    })


@login_required
def cancel(request, pk):
    application = get_object_or_404(Application.objects.filter(employee_id=request.user.employee_id), pk=pk)
    if request.method == "POST":
        try:
            services.cancel(request.user, application)
            messages.success(request, _("已取消，時數已退回。"))
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
    return redirect("leave:mine")


@login_required
def application_pdf(request, pk):
    application = get_object_or_404(_visible_applications(request.user).select_related("employee__agency", "employee__unit", "plan"), pk=pk)
    response = HttpResponse(render_application_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="leave-{application.pk}.pdf"'
    return response


@login_required
def approvals(request):
    if not request.user.headed_units.exists():
        raise PermissionDenied
    # A head's own applications are not theirs to sign (services.heads_own).
    unit_applications = (Application.objects.filter(employee__unit__in=request.user.headed_units.all())
                         .exclude(employee_id=request.user.employee_id).select_related("employee__unit", "plan"))
    pending = unit_applications.filter(status=Application.Status.SUBMITTED).order_by("leave_date", "pk")
    if request.method == "POST":
        application = get_object_or_404(unit_applications, pk=request.POST.get("application", "0"))
        approve = request.POST.get("decision") == "approve"
        try:
            services.decide(request.user, application, approve=approve, note=request.POST.get("note", ""))
            messages.success(request, (_("已核章：%(who)s") if approve else _("已退回，時數已還給申請人：%(who)s"))
                             % {"who": application.employee.name})
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        return redirect("leave:approvals")
    return render(request, "leave/approvals.html", {
        "pending": pending, "decided": unit_applications.exclude(status=Application.Status.SUBMITTED).order_by("-leave_date", "-pk"),
    })
